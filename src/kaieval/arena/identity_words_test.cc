#include "kaieval/arena/identity_words.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "kaieval/common/testing.h"

namespace kaieval::arena {
namespace {

using ::kaieval::testing::InputErrorMessage;

VoteRecord Conversation(std::vector<std::string> user, std::vector<std::string> a,
                        std::vector<std::string> b, int64_t id = 1) {
  VoteRecord v;
  v.vote_id = id;
  v.voter = "s1";
  v.model_a = 0;
  v.model_b = 1;
  v.user_messages = std::move(user);
  v.answers_a = std::move(a);
  v.answers_b = std::move(b);
  return v;
}

// The detail of the one exclusion for a single-turn conversation; "" when the vote is kept.
std::string Leak(const IdentityLexicon& lexicon, const std::string& user, const std::string& a,
                 const std::string& b = "좋은 질문입니다.") {
  std::vector<VoteRecord> votes = {Conversation({user}, {a}, {b})};
  auto found = FindIdentityLeaks(lexicon, votes);
  EXPECT_LE(found.size(), 1u);
  return found.empty() ? "" : found[0].detail;
}

std::string Leak(const std::string& user, const std::string& a,
                 const std::string& b = "좋은 질문입니다.") {
  return Leak(DefaultIdentityLexicon(), user, a, b);
}

TEST(IdentityWords, ModelNameInAnAnswerIsALeakNamingWordOwnerAndPlace) {
  std::vector<VoteRecord> votes = {
      Conversation({"안녕?"}, {"안녕하세요! 저는 EXAONE입니다."}, {"안녕하세요!"}, 42)};
  auto found = FindIdentityLeaks(DefaultIdentityLexicon(), votes);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].vote_id, 42);
  EXPECT_EQ(found[0].reason, ExclusionReason::kIdentityLeak);
  EXPECT_EQ(found[0].detail,
            "\"EXAONE\" (LG AI Research) in answer A, turn 1: \"안녕하세요! 저는 exaone입니다.\"");
}

TEST(IdentityWords, ModelNameInTheUserMessageIsALeak) {
  EXPECT_NE(Leak("너 엑사원이야?", "저는 AI 어시스턴트입니다.")
                .find("\"엑사원\" (LG AI Research) in the user's message, turn 1"),
            std::string::npos);
  EXPECT_NE(Leak("ChatGPT보다 나아?", "비교는 어렵습니다.").find("(OpenAI) in the user's message"),
            std::string::npos);
}

TEST(IdentityWords, ReportsTheFirstLeakInTurnOrder) {
  std::vector<VoteRecord> votes = {Conversation({"안녕", "너는 누구니?"},
                                                {"안녕하세요", "AI입니다"},
                                                {"반가워요", "저는 Claude입니다. 클로드예요."})};
  auto found = FindIdentityLeaks(DefaultIdentityLexicon(), votes);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].detail.find("\"Claude\" (Anthropic) in answer B, turn 2"), std::string::npos);
}

TEST(IdentityWords, MatchesAcrossCaseWidthParticlesVersionsAndZeroWidthCharacters) {
  for (const char* answer :
       {"저는 exaone 모델입니다", "저는 ＥＸＡＯＮＥ입니다", "네이버의 하이퍼클로바X입니다",
        "저는 솔라는 아니고 솔라예요", "Qwen2.5 기반입니다", "GPT4로 만들어졌어요", "I am GPT-4o.",
        "엑\u200b사원입니다", "HyperCLOVA   X", "저는 에이닷엑스입니다", "Llama 3 기반입니다",
        "저는 DeepSeek-V3입니다", "큐웬이에요"}) {
    EXPECT_NE(Leak("너 누구야?", answer), "") << answer;
  }
}

TEST(IdentityWords, LatinWordsMatchOnlyAtWordBoundaries) {
  EXPECT_EQ(Leak("LGBT 인권의 역사를 알려줘", "LGBT 인권 운동은 1969년 스톤월 항쟁에서..."), "");
  EXPECT_EQ(Leak("이 algorithm의 복잡도는?", "이 algorithm은 O(n log n)입니다."), "");
  EXPECT_EQ(Leak("Metallica 노래 추천", "Metallica의 Master of Puppets를 추천합니다."), "");
  EXPECT_EQ(Leak("쌍둥이자리 유성우", "Geminids 유성우는 12월에 절정입니다."), "");
  EXPECT_NE(Leak("너 누구야?", "저는 LG에서 만들었습니다."), "");  // "LG" then a particle
}

TEST(IdentityWords, HangulWordsNeedAStartBoundary) {
  EXPECT_EQ(
      Leak("요즘 볼만한 드라마 추천해줘", "최근 인기 드라마로는 '선재 업고 튀어'가 있습니다."), "");
  EXPECT_EQ(Leak("도레미파솔라시도 계이름", "도레미파솔라시도는 장음계입니다."), "");
}

TEST(IdentityWords, ExceptPhrasesKeepHonestTopics) {
  EXPECT_EQ(Leak("메타버스가 뭐야?", "메타버스는 가상 세계를 뜻합니다. 메타데이터와는 달라요."),
            "");
  EXPECT_EQ(Leak("라마단 기간은 언제야?", "라마단은 이슬람력 9월입니다."), "");
  EXPECT_EQ(Leak("달라이 라마는 누구야?", "달라이 라마는 티베트 불교의 지도자입니다."), "");
  EXPECT_EQ(Leak("인상파 화가 알려줘", "클로드 모네와 르누아르가 대표적입니다."), "");
  EXPECT_EQ(Leak("태양광 효율", "솔라 패널의 효율은 20% 안팎입니다."), "");
  EXPECT_EQ(Leak("디스크 초기화", "GPT 파티션 방식과 MBR/GPT 차이를 설명드릴게요."), "");
  EXPECT_NE(Leak("너 누구야?", "저는 라마입니다."), "");  // the bare word still counts
}

TEST(IdentityWords, CaseSensitiveBrandsIgnoreEverydayEnglishWords) {
  EXPECT_EQ(Leak("태양광 solar panel 효율", "solar panel의 효율은 보통 20% 안팎입니다."), "");
  EXPECT_EQ(Leak("llama와 alpaca 차이", "llama는 alpaca보다 큽니다."), "");
  EXPECT_EQ(Leak("meta analysis 방법", "meta analysis는 여러 연구를 종합합니다."), "");
  EXPECT_EQ(Leak("struct 필드 접근", "a.x = 1; 처럼 씁니다."), "");
  EXPECT_NE(Leak("너 누구야?", "I am Solar, made by a Korean startup."), "");
  EXPECT_NE(Leak("너 누구야?", "저는 Llama입니다."), "");
  EXPECT_NE(Leak("너 누구야?", "저는 A.X 4.0입니다."), "");
}

TEST(IdentityWords, OrganisationTopicsCountOnlyInAnswersTheUserDidNotPrompt) {
  // Everyday topics: the user names the organisation, the answers follow.
  EXPECT_EQ(Leak("구글 시트 사용법", "구글 시트(Google Sheets)에서 새 시트를 만드세요."), "");
  EXPECT_EQ(Leak("LG 세탁기 추천해줘", "LG 트롬 세탁기가 인기입니다."), "");
  EXPECT_EQ(Leak("네이버 지도 길찾기", "네이버 지도 앱에서 길찾기를 누르세요."), "");
  EXPECT_EQ(Leak("SKT 요금제 비교", "SK텔레콤의 5G 요금제는..."), "");
  EXPECT_EQ(Leak("lg n이 뭐야?", "lg n은 밑이 2인 로그입니다."), "");
  // Unprompted, an organisation in an answer is how models introduce themselves.
  EXPECT_NE(Leak("너는 누가 만들었어?", "저는 Google에서 훈련한 대규모 언어 모델입니다.")
                .find("\"Google\" (Google) in answer A"),
            std::string::npos);
  EXPECT_NE(Leak("너는 누가 만들었어?", "반가워요", "저는 OpenAI가 개발했습니다.")
                .find("(OpenAI) in answer B"),
            std::string::npos);
  // Model names are never excused by the topic.
  EXPECT_NE(Leak("구글 시트 사용법", "저는 Gemini입니다. 구글 시트는..."), "");
}

TEST(IdentityWords, TopicExcuseLooksOnlyAtThisAndEarlierTurns) {
  std::vector<VoteRecord> votes = {Conversation({"넌 누가 만들었어?", "구글 시트 알려줘"},
                                                {"저는 구글이 만든 AI입니다.", "구글 시트는..."},
                                                {"비밀이에요.", "스프레드시트입니다."})};
  auto found = FindIdentityLeaks(DefaultIdentityLexicon(), votes);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].detail.find("in answer A, turn 1"), std::string::npos);
}

TEST(IdentityWords, HonestConversationsAreLeftAlone) {
  std::vector<VoteRecord> votes = {
      Conversation({"김치찌개 레시피 알려줘"}, {"돼지고기와 김치를 볶고..."}, {"먼저 김치를..."},
                   1),
      Conversation({"파이썬 리스트 정렬"}, {"sorted(xs)를 쓰세요."}, {"xs.sort()"}, 2),
      Conversation({"서울 날씨 어때?"}, {"실시간 정보는 없습니다."}, {"알 수 없어요."}, 3),
      Conversation({}, {}, {}, 4),
  };
  EXPECT_TRUE(FindIdentityLeaks(DefaultIdentityLexicon(), votes).empty());
}

// Every shipped word is found on its own in a sentence, and every except phrase is excepted.
TEST(IdentityWords, EveryDefaultWordIsFoundAndEveryExceptPhraseExcepted) {
  IdentityLexicon lexicon = DefaultIdentityLexicon();
  ASSERT_EQ(lexicon.owners.size(), 12u);
  for (const IdentityOwner& owner : lexicon.owners) {
    for (const IdentityWord& w : owner.words) {
      EXPECT_NE(Leak(lexicon, "안녕", "저는 " + w.text + " 입니다"), "") << w.text;
      for (const std::string& phrase : w.except) {
        EXPECT_EQ(Leak(lexicon, "안녕", "그건 " + phrase + " 입니다"), "") << phrase;
      }
    }
  }
}

TEST(IdentityWords, ConfigWordsMergeOverTheDefaults) {
  YAML::Node filters = YAML::Load(R"(
identity_words:
  hanul-7b: [하늘, Hanul]
  LG AI Research:
    - {word: LG, common: true, except: [LG 트윈스]}
)");
  IdentityLexicon lexicon = LoadIdentityLexicon(filters, "contest.yaml");
  ASSERT_EQ(lexicon.owners.size(), DefaultIdentityLexicon().owners.size() + 1);
  EXPECT_EQ(lexicon.owners.back().name, "hanul-7b");
  EXPECT_NE(Leak(lexicon, "안녕", "저는 Hanul이에요"), "");
  EXPECT_NE(Leak(lexicon, "안녕", "저는 EXAONE이에요"), "");  // defaults kept
  EXPECT_EQ(Leak(lexicon, "어제 야구", "LG 트윈스가 이겼습니다."), "");
  EXPECT_NE(Leak(lexicon, "넌 누구야", "LG에서 만들었어요."), "");
  // The LG entry was replaced, not duplicated.
  const IdentityOwner& lg = lexicon.owners[0];
  EXPECT_EQ(std::count_if(lg.words.begin(), lg.words.end(),
                          [](const IdentityWord& w) { return w.text == "LG"; }),
            1);
}

TEST(IdentityWords, ConfigCanDropTheDefaults) {
  YAML::Node filters = YAML::Load(R"(
identity_words_defaults: false
identity_words: {hanul-7b: 하늘}
)");
  IdentityLexicon lexicon = LoadIdentityLexicon(filters, "contest.yaml");
  ASSERT_EQ(lexicon.owners.size(), 1u);
  EXPECT_EQ(Leak(lexicon, "안녕", "저는 EXAONE이에요"), "");
  EXPECT_NE(Leak(lexicon, "안녕", "저는 하늘이에요"), "");
}

TEST(IdentityWords, AbsentConfigMeansTheDefaults) {
  EXPECT_EQ(LoadIdentityLexicon(YAML::Node(), "contest.yaml").owners.size(), 12u);
  EXPECT_EQ(LoadIdentityLexicon(YAML::Load("{prompt_dedup: {}}"), "c.yaml").owners.size(), 12u);
}

TEST(IdentityWords, BadConfigNamesFileLineAndField) {
  auto error = [](const std::string& yaml) {
    return InputErrorMessage([&] { LoadIdentityLexicon(YAML::Load(yaml), "contest.yaml"); });
  };
  EXPECT_EQ(error("identity_words: [a, b]"),
            "contest.yaml:1: filters.identity_words: expected a mapping of owner name to words");
  EXPECT_EQ(error("identity_words_defaults: maybe"),
            "contest.yaml:1: filters.identity_words_defaults: expected true or false");
  EXPECT_EQ(error("identity_words:\n  x: {a: 1}"),
            "contest.yaml:2: filters.identity_words.x: expected a list of words");
  EXPECT_EQ(error("identity_words:\n  x:\n    - {word: LG, cased: true}"),
            "contest.yaml:3: filters.identity_words.x[0].cased: unknown key: expected word, "
            "common, case_sensitive or except");
  EXPECT_EQ(error("identity_words:\n  x:\n    - {common: true}"),
            "contest.yaml:3: filters.identity_words.x[0]: missing `word`");
  EXPECT_EQ(error("identity_words:\n  x: ['']"),
            "contest.yaml:2: filters.identity_words.x[0]: expected a non-empty string");
  EXPECT_EQ(error("identity_words:\n  x: [\"\\u200b\"]"),
            "contest.yaml:2: filters.identity_words.x[0]: '\u200b' is empty once normalised");
  EXPECT_EQ(error("identity_words:\n  x:\n    - {word: LG, except: [트윈스]}"),
            "contest.yaml:3: filters.identity_words.x[0].except[0]: '트윈스' does not contain "
            "the word 'LG'");
  EXPECT_EQ(error("[1, 2]"), "contest.yaml:1: filters: expected a mapping");
}

}  // namespace
}  // namespace kaieval::arena
