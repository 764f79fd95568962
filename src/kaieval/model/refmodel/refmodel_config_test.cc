#include "kaieval/model/refmodel/refmodel_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>

#include "kaieval/common/error.h"
#include "kaieval/model/refmodel/code_points.h"
#include "kaieval/model/refmodel/generation.h"
#include "kaieval/model/refmodel/model_registry.h"

namespace kaieval::refmodel {
namespace {

namespace fs = std::filesystem;

// A scratch folder with a config and two training files, removed afterwards.
class RefmodelConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("refmodel_config_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    Write("a.txt", "\xEF\xBB\xBF첫째 줄이다.\r\n\n둘째 줄이다.\n셋째 줄이다.\n");
    Write("b.txt", "The first line.\nThe second line.\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }

  // The InputError message of loading this config text.
  std::string ErrorOf(const std::string& yaml) {
    fs::path path = Write("models.yaml", yaml);
    try {
      ModelRegistry::Train(LoadRefmodelConfig(path));
    } catch (const InputError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no InputError for:\n" << yaml;
    return "";
  }

  fs::path dir_;
};

TEST_F(RefmodelConfigTest, ReadsModelsWithPathsRelativeToTheConfig) {
  fs::path path = Write("models.yaml",
                        "models:\n"
                        "  - name: big\n"
                        "    order: 4\n"
                        "    training: [a.txt, b.txt]\n"
                        "  - name: small\n"
                        "    order: 2\n"
                        "    training: [a.txt]\n"
                        "    max_training_lines: 1\n");
  RefmodelConfig config = LoadRefmodelConfig(path);
  ASSERT_EQ(config.models.size(), 2u);
  EXPECT_EQ(config.models[0].name, "big");
  EXPECT_EQ(config.models[0].order, 4);
  EXPECT_EQ(config.models[0].training, (std::vector<fs::path>{dir_ / "a.txt", dir_ / "b.txt"}));
  EXPECT_EQ(config.models[0].max_training_lines, 0);
  EXPECT_EQ(config.models[1].max_training_lines, 1);

  ModelRegistry registry = ModelRegistry::Train(config);
  ASSERT_NE(registry.Find("big"), nullptr);
  ASSERT_EQ(registry.Find("nope"), nullptr);
  // The byte-order mark, "\r" and the empty line are not training text; "\n" is.
  const CharNgramModel& big = *registry.Find("big");
  EXPECT_EQ(big.SymbolOf(U'\uFEFF'), big.unknown_symbol());
  EXPECT_EQ(big.SymbolOf(U'\r'), big.unknown_symbol());
  EXPECT_NE(big.SymbolOf(U'\n'), big.unknown_symbol());
  // "small" saw only the first line of a.txt.
  const CharNgramModel& small = *registry.Find("small");
  EXPECT_NE(small.SymbolOf(U'첫'), small.unknown_symbol());
  EXPECT_EQ(small.SymbolOf(U'둘'), small.unknown_symbol());
}

TEST_F(RefmodelConfigTest, JudgesAndRefusalSettingsAreReadButJudgesAreNotCandidates) {
  Write("words.txt", "# comment\nbomb\n폭탄\n");
  fs::path path = Write("models.yaml",
                        "refusal_words: words.txt\n"
                        "models:\n"
                        "  - {name: cand, order: 3, training: [a.txt], refusal_rate: 0.5, refusal_window: 80}\n"
                        "judges:\n"
                        "  - {name: judge, order: 4, training: [b.txt], unparseable_rate: 0.1}\n");
  RefmodelConfig config = LoadRefmodelConfig(path);
  EXPECT_EQ(config.refusal_words, (std::vector<std::string>{"bomb", "폭탄"}));
  ASSERT_EQ(config.judges.size(), 1u);
  EXPECT_TRUE(config.judges[0].judge);
  EXPECT_DOUBLE_EQ(config.judges[0].unparseable_rate, 0.1);
  EXPECT_DOUBLE_EQ(config.models[0].refusal_rate, 0.5);
  EXPECT_EQ(config.models[0].refusal_window, 80);
  ModelRegistry registry = ModelRegistry::Train(config);
  ASSERT_EQ(registry.models().size(), 1u);  // the candidates only
  ASSERT_NE(registry.FindNamed("judge"), nullptr);
  EXPECT_TRUE(registry.FindNamed("judge")->behaviour.judge);
  EXPECT_NE(ErrorOf("models:\n  - {name: a, order: 2, training: [a.txt], unparseable_rate: 0.1}\n")
                .find("unknown key 'unparseable_rate'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("models:\n  - {name: a, order: 2, training: [a.txt], refusal_rate: 2}\n")
                .find("refusal_rate"),
            std::string::npos);
}

TEST_F(RefmodelConfigTest, BadConfigsNameTheFileAndField) {
  const std::pair<std::string, std::string> cases[] = {
      {"models: []\n", "models"},
      {"model:\n  - name: x\n", "model"},
      {"models:\n  - name: x\n    order: 3\n    training: [missing.txt]\n", "training[0]"},
      {"models:\n  - name: x\n    order: 0\n    training: [a.txt]\n", "order"},
      {"models:\n  - name: x\n    order: 13\n    training: [a.txt]\n", "order"},
      {"models:\n  - name: x\n    order: three\n    training: [a.txt]\n", "order"},
      {"models:\n  - name: x\n    training: [a.txt]\n", "order"},
      {"models:\n  - order: 3\n    training: [a.txt]\n", "name"},
      {"models:\n  - name: x\n    order: 3\n    training: a.txt\n", "training"},
      {"models:\n  - name: x\n    order: 3\n    training: [a.txt]\n    colour: red\n", "colour"},
      {"models:\n  - name: x\n    order: 3\n    training: [a.txt]\n    max_training_lines: -1\n",
       "max_training_lines"},
      {"models:\n  - {name: x, order: 3, training: [a.txt]}\n"
       "  - {name: x, order: 2, training: [b.txt]}\n",
       "duplicate"},
      {"models: [\n", "invalid YAML"},
  };
  for (const auto& [yaml, field] : cases) {
    std::string message = ErrorOf(yaml);
    EXPECT_NE(message.find("models.yaml"), std::string::npos) << message;
    EXPECT_NE(message.find(field), std::string::npos) << message;
  }
}

TEST_F(RefmodelConfigTest, MissingConfigAndNonUtf8TrainingTextAreInputErrors) {
  EXPECT_THROW(LoadRefmodelConfig(dir_ / "absent.yaml"), InputError);
  Write("bad.txt", "fine\nbad \xFF byte\n");
  std::string message = ErrorOf("models:\n  - {name: x, order: 2, training: [bad.txt]}\n");
  EXPECT_NE(message.find("bad.txt:2"), std::string::npos) << message;
  Write("empty.txt", "\n\n");
  message = ErrorOf("models:\n  - {name: x, order: 2, training: [empty.txt]}\n");
  EXPECT_NE(message.find("no text"), std::string::npos) << message;
}

// The shipped demo config: five models whose quality really differs, best first.
TEST(ShippedRefmodelConfig, ModelsFitTheCorpusFromBestToWorst) {
  fs::path config_path =
      fs::path(__FILE__).parent_path() / "../../../../examples/refmodel/models.yaml";
  RefmodelConfig config = LoadRefmodelConfig(config_path);
  ModelRegistry registry = ModelRegistry::Train(config);
  ASSERT_EQ(registry.models().size(), 5u);
  std::string corpus;
  for (const auto& path : config.models[0].training) {
    std::ifstream in(path, std::ios::binary);
    corpus.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::u32string text = DecodeUtf8(corpus);
  std::vector<double> nll;  // per code point
  for (const auto& m : registry.models()) {
    double total = 0;
    for (const TokenScore& s : ScoreText(m.model, text, 0)) total -= s.logprob.value_or(0);
    nll.push_back(total / static_cast<double>(text.size()));
  }
  for (size_t i = 1; i < nll.size(); ++i) {
    EXPECT_LT(nll[i - 1], nll[i]) << registry.models()[i - 1].name << " vs "
                                  << registry.models()[i].name;
  }
  EXPECT_LT(nll.front() * 3, nll.back());
}

}  // namespace
}  // namespace kaieval::refmodel
