// Conformance: the example task files under examples/tasks/ (GSM8K, KoBBQ, HumanEval, KMMLU) run
// through Prepare against the real excerpts in shared/data, and every built-in task under tasks/
// prepares as `kaieval tasks validate` would. Missing shared data fails, never skips.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "kaieval/bench/evaluator.h"
#include "kaieval/bench/metrics.h"
#include "kaieval/bench/task_spec.h"
#include "kaieval/bench/text_match.h"
#include "kaieval/judge/sandbox/sandbox.h"

namespace kaieval::bench {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// <repo>, from this file's path: <repo>/src/kaieval/bench/task_conformance.cc.
fs::path RepoRoot() {
  fs::path source(__FILE__);
  if (!source.is_absolute()) return {};
  return source.parent_path().parent_path().parent_path().parent_path();
}

// KAIEVAL_SHARED_DATA, else KAIEVAL_SHARED_DATA_DEFAULT (set by CMake), else <repo>/../shared/data.
fs::path SharedData() {
  for (const char* name : {"KAIEVAL_SHARED_DATA", "KAIEVAL_SHARED_DATA_DEFAULT"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return fs::absolute(value);
  }
  fs::path root = RepoRoot();
  return root.empty() ? fs::path() : (root / "../shared/data").lexically_normal();
}

// Success when the shared data folder holds `name`; the message says how to point at it.
::testing::AssertionResult HasSharedFile(const std::string& name) {
  fs::path dir = SharedData();
  if (dir.empty() || !fs::is_directory(dir)) {
    return ::testing::AssertionFailure()
           << "shared data folder " << dir
           << " is missing; set KAIEVAL_SHARED_DATA to the folder of benchmark excerpts";
  }
  if (!fs::is_regular_file(dir / name)) {
    return ::testing::AssertionFailure() << "shared data file " << (dir / name) << " is missing";
  }
  return ::testing::AssertionSuccess();
}

fs::path ExampleTask(const std::string& file) { return RepoRoot() / "examples/tasks" / file; }

// A scratch folder under the system temp folder, removed with everything in it.
class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : path_(fs::temp_directory_path() /
              ("kaieval_task_conformance_" + tag + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The example task as the user would run it once its data folder is filled: a task file in
// `dir` that includes the example unchanged and points its data fields (dataset_path,
// test_split, fewshot_split) at real files, since an including file's keys win.
fs::path PointAtData(const fs::path& dir, const std::string& example,
                     const std::map<std::string, std::string>& data_fields) {
  YAML::Node overlay(YAML::NodeType::Map);
  overlay["include"] = ExampleTask(example).string();
  for (const auto& [key, value] : data_fields) overlay[key] = value;
  YAML::Emitter out;
  out << YAML::DoubleQuoted << overlay;
  fs::path file = dir / example;
  std::ofstream(file, std::ios::binary) << out.c_str() << '\n';
  return file;
}

std::vector<ordered_json> ReadJsonLines(const fs::path& file) {
  std::vector<ordered_json> rows;
  std::ifstream in(file, std::ios::binary);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) rows.push_back(ordered_json::parse(line));
  }
  return rows;
}

// A TSV with a header and no quoting, read apart from the engine's reader: column -> cell.
std::vector<std::map<std::string, std::string>> ReadTsv(const fs::path& file) {
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      cells.push_back(line.substr(start, tab - start));
    }
    cells.push_back(line.substr(start));
    return cells;
  };
  std::ifstream in(file, std::ios::binary);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header = split(line);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells = split(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

// The number after the last "#### " of a GSM8K answer.
std::string FinalNumber(const std::string& answer) {
  size_t at = answer.rfind("#### ");
  return at == std::string::npos ? std::string() : answer.substr(at + 5);
}

PreparedTask PrepareGsm8k(const fs::path& dir, int num_fewshot = -1) {
  fs::path data = SharedData();
  PrepareOptions options;
  options.num_fewshot = num_fewshot;
  return Prepare(LoadTaskSpec(PointAtData(dir, "gsm8k.yaml",
                                          {{"dataset_path", data.string()},
                                           {"test_split", "gsm8k_test_sample.jsonl"},
                                           {"fewshot_split", "gsm8k_train_sample.jsonl"}})),
                 options);
}

TEST(TaskConformance, ExampleTasksLoadAndReadTheirDataFromADataFolder) {
  ASSERT_FALSE(RepoRoot().empty()) << "__FILE__ is not an absolute path: " << __FILE__;
  for (const char* file : {"gsm8k.yaml", "kobbq.yaml", "humaneval.yaml", "kmmlu.yaml"}) {
    TaskSpec spec = LoadTaskSpec(ExampleTask(file));
    EXPECT_THAT(spec.dataset_path, StartsWith("data/")) << file;
    EXPECT_EQ(spec.base_dir, ExampleTask(file).parent_path()) << file;
  }
}

TEST(TaskConformance, Gsm8kTargetsReduceToTheNumberAfterTheHashes) {
  ASSERT_TRUE(HasSharedFile("gsm8k_test_sample.jsonl"));
  ASSERT_TRUE(HasSharedFile("gsm8k_train_sample.jsonl"));
  TempDir dir("gsm8k_targets");
  PreparedTask task = PrepareGsm8k(dir.path());
  auto rows = ReadJsonLines(SharedData() / "gsm8k_test_sample.jsonl");
  ASSERT_EQ(rows.size(), 60u);
  ASSERT_EQ(task.instances.size(), 60u);
  EXPECT_EQ(task.n_original, 60u);
  ASSERT_EQ(task.spec.metrics.size(), 1u);
  const MetricSpec& exact_match = task.spec.metrics[0];
  ASSERT_EQ(exact_match.info.name, "exact_match");

  // doc_to_target is the whole worked answer; the metric's regexes_to_ignore cut the
  // reference to its final number, which is what a prediction is compared with.
  EXPECT_EQ(FinalNumber(rows[0]["answer"]), "18");
  EXPECT_EQ(NormalizeForMatch(task.instances[0].target, exact_match.options), "18");
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string& target = task.instances[i].target;
    std::string number = FinalNumber(rows[i]["answer"]);
    ASSERT_FALSE(number.empty()) << "row " << i + 1;
    EXPECT_EQ(target, rows[i]["answer"].get<std::string>()) << "row " << i + 1;
    EXPECT_EQ(NormalizeForMatch(target, exact_match.options), number) << "row " << i + 1;
    EXPECT_EQ(ScoreGeneration(exact_match, number, std::span(&target, 1)), 1.0) << "row " << i + 1;
    EXPECT_EQ(ScoreGeneration(exact_match, number + "1", std::span(&target, 1)), 0.0)
        << "row " << i + 1;
  }
}

TEST(TaskConformance, Gsm8kFewshotExamplesComeFromTheTrainSplit) {
  ASSERT_TRUE(HasSharedFile("gsm8k_test_sample.jsonl"));
  ASSERT_TRUE(HasSharedFile("gsm8k_train_sample.jsonl"));
  TempDir dir("gsm8k_fewshot");
  PreparedTask task = PrepareGsm8k(dir.path());
  auto test = ReadJsonLines(SharedData() / "gsm8k_test_sample.jsonl");
  auto train = ReadJsonLines(SharedData() / "gsm8k_train_sample.jsonl");
  ASSERT_EQ(train.size(), 20u);
  ASSERT_EQ(task.num_fewshot, 5);
  ASSERT_FALSE(task.instances.empty());

  // first_n: train rows 1-5, each "Question: q\nAnswer:" + " " + answer + "\n\n", then the row.
  const std::string& context = task.instances[0].context;
  auto shot = [&](size_t i) {
    return "Question: " + train[i]["question"].get<std::string>() +
           "\nAnswer: " + train[i]["answer"].get<std::string>() + "\n\n";
  };
  EXPECT_THAT(context, StartsWith(shot(0) + shot(1)));
  EXPECT_THAT(context, HasSubstr(train[0]["question"].get<std::string>()));
  EXPECT_THAT(context, HasSubstr(shot(4)));
  EXPECT_THAT(context, ::testing::Not(HasSubstr(train[5]["question"].get<std::string>())));
  EXPECT_EQ(context, shot(0) + shot(1) + shot(2) + shot(3) + shot(4) +
                         "Question: " + test[0]["question"].get<std::string>() + "\nAnswer:");
  for (size_t i = 1; i < test.size(); ++i) {
    EXPECT_THAT(context, ::testing::Not(HasSubstr(test[i]["question"].get<std::string>())))
        << "test row " << i + 1 << " leaked into the first prompt";
  }

  PreparedTask zero_shot = PrepareGsm8k(dir.path(), 0);
  EXPECT_EQ(zero_shot.instances[0].context,
            "Question: " + test[0]["question"].get<std::string>() + "\nAnswer:");
  EXPECT_EQ(zero_shot.version, task.version) << "the version is the task's, not the run's";
}

TEST(TaskConformance, Gsm8kScoresAWorkedAnswerUnderBothFilters) {
  ASSERT_TRUE(HasSharedFile("gsm8k_test_sample.jsonl"));
  ASSERT_TRUE(HasSharedFile("gsm8k_train_sample.jsonl"));
  TempDir dir("gsm8k_score");
  PreparedTask task = PrepareGsm8k(dir.path());
  ASSERT_FALSE(task.instances.empty());
  auto score = [&](const std::string& generation) {
    Answers answers;
    answers.generation = generation;
    std::map<std::string, double> by_filter;
    for (const ScoredDoc& d : ScoreInstance(task, task.instances[0], answers)) {
      by_filter[d.filter] = d.metrics["exact_match"].get<double>();
    }
    return by_filter;
  };
  // The model runs on past the answer into a new question; "Question:" stops it.
  auto right = score(
      " Janet sells 16 - 3 - 4 = 9 eggs.\nShe makes 9 * 2 = $18.\n#### 18\n\n"
      "Question: What is 2 + 2?\nAnswer: #### 4");
  EXPECT_EQ(right,
            (std::map<std::string, double>{{"flexible-extract", 1.0}, {"strict-match", 1.0}}));
  auto wrong = score(" She makes 9 * 2 = $17.\n#### 17");
  EXPECT_EQ(wrong,
            (std::map<std::string, double>{{"flexible-extract", 0.0}, {"strict-match", 0.0}}));
  // No "####": strict-match fails, flexible-extract takes the last number.
  auto no_marker = score(" She makes 9 * 2 = 18 dollars.");
  EXPECT_EQ(no_marker,
            (std::map<std::string, double>{{"flexible-extract", 1.0}, {"strict-match", 0.0}}));
}

TEST(TaskConformance, KobbqGoldIsTheChoiceThatEqualsTheAnswer) {
  ASSERT_TRUE(HasSharedFile("kobbq_test_sample.tsv"));
  TempDir dir("kobbq");
  fs::path file = PointAtData(
      dir.path(), "kobbq.yaml",
      {{"dataset_path", SharedData().string()}, {"test_split", "kobbq_test_sample.tsv"}});
  PreparedTask task = Prepare(LoadTaskSpec(file), {});
  auto rows = ReadTsv(SharedData() / "kobbq_test_sample.tsv");
  ASSERT_EQ(rows.size(), 120u);
  ASSERT_EQ(task.instances.size(), 120u);
  for (size_t i = 0; i < rows.size(); ++i) {
    const Instance& in = task.instances[i];
    ASSERT_EQ(in.choices.size(), 3u) << "row " << i + 1;
    ASSERT_LT(in.gold, 3u) << "row " << i + 1;
    EXPECT_EQ(in.choices[in.gold], rows[i]["answer"]) << "row " << i + 1;
    for (const std::string& choice : in.choices) {
      EXPECT_THAT(rows[i]["choices"], HasSubstr("'" + choice + "'")) << "row " << i + 1;
    }
    EXPECT_EQ(in.context, rows[i]["context"] + "\n질문: " + rows[i]["question"] + "\n답:")
        << "row " << i + 1;
  }
  EXPECT_THAT(task.instances[0].choices, ElementsAre("손자", "할머니", "알 수 없음"));
  EXPECT_EQ(task.instances[0].gold, 2u);
  EXPECT_EQ(task.instances[119].choices[task.instances[119].gold], "어린 남자아이");
}

TEST(TaskConformance, HumanEvalContextIsThePromptAndStopsEndTheFunction) {
  ASSERT_TRUE(HasSharedFile("humaneval_sample.jsonl"));
  TempDir dir("humaneval");
  fs::path file = PointAtData(
      dir.path(), "humaneval.yaml",
      {{"dataset_path", SharedData().string()}, {"test_split", "humaneval_sample.jsonl"}});
  PreparedTask task = Prepare(LoadTaskSpec(file), {});
  auto rows = ReadJsonLines(SharedData() / "humaneval_sample.jsonl");
  ASSERT_EQ(rows.size(), 12u);
  ASSERT_EQ(task.instances.size(), 12u);
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(task.instances[i].context, rows[i]["prompt"].get<std::string>()) << "row " << i + 1;
    EXPECT_EQ(task.instances[i].target, rows[i]["canonical_solution"].get<std::string>())
        << "row " << i + 1;
  }
  EXPECT_THAT(task.spec.generation_kwargs.until, ElementsAre("\nclass", "\ndef", "\n#", "\nif"));
  EXPECT_FALSE(task.spec.apply_chat_template);

  // The response is the function body, cut at the next top-level def; it runs in the sandbox
  // after the prompt, followed by the row's test and check(entry_point).
  sandbox::Sandbox box(sandbox::SandboxOptions{.allow_process_only = true});
  auto run = [&](const std::string& generation) {
    Answers answers;
    answers.generation = generation;
    for (const std::string& program : CodePrograms(task, task.instances[0], answers)) {
      sandbox::RunResult r = box.Run(sandbox::PythonProgram(program));
      answers.code_runs.push_back({r.succeeded(), r.succeeded() ? "passed" : "failed",
                                   r.exit_code, r.wall_seconds, r.stderr_text});
    }
    return ScoreInstance(task, task.instances[0], answers);
  };
  std::string canonical = rows[0]["canonical_solution"].get<std::string>();
  auto right = run(canonical + "\n\ndef main():\n    pass\n");
  ASSERT_EQ(right.size(), 1u);
  EXPECT_EQ(right[0].filter, "none");
  EXPECT_EQ(right[0].resps, ordered_json::array({canonical + "\n"}));
  EXPECT_EQ(right[0].metrics["pass@1"], 1.0);
  EXPECT_EQ(right[0].execution[0]["status"], "passed");
  auto wrong = run("    return any(abs(a - b) < threshold for a in numbers)\n\n\ndef main():\n");
  EXPECT_EQ(wrong[0].metrics["pass@1"], 0.0);
  EXPECT_THAT(wrong[0].execution[0]["stderr_tail"].get<std::string>(), HasSubstr("NameError"));
}

TEST(TaskConformance, KmmluCsvGivesTheOptionTextsAndAZeroBasedGold) {
  TempDir dir("kmmlu");
  fs::path data = dir.path() / "data";
  fs::create_directories(data);
  // KMMLU's header; the answer is 1-based; a quoted cell holds a comma.
  std::ofstream(data / "Law-test.csv", std::ios::binary)
      << "question,answer,A,B,C,D,Category,Human Accuracy\n"
         "\"다음 중 헌법상 기본권이 아닌 것은?\",2,\"평등권, 자유권\",납세의 의무,참정권,청구권,"
         "Law,0.41\n"
         "대한민국의 수도는?,4,부산,대구,광주,서울,Law,0.95\n"
         "1 + 1은?,1,2,3,4,5,Law,0.99\n";
  fs::path file = PointAtData(dir.path(), "kmmlu.yaml", {{"dataset_path", data.string()}});
  PreparedTask task = Prepare(LoadTaskSpec(file), {});
  ASSERT_EQ(task.instances.size(), 3u);
  EXPECT_THAT(task.instances[0].choices,
              ElementsAre("평등권, 자유권", "납세의 의무", "참정권", "청구권"));
  EXPECT_EQ(task.instances[0].gold, 1u);
  EXPECT_EQ(task.instances[0].context, "다음 중 헌법상 기본권이 아닌 것은?\n정답:");
  EXPECT_THAT(task.instances[1].choices, ElementsAre("부산", "대구", "광주", "서울"));
  EXPECT_EQ(task.instances[1].gold, 3u);
  // Choices that are numbers stay text, and the integer answer is an index, not a choice text.
  EXPECT_THAT(task.instances[2].choices, ElementsAre("2", "3", "4", "5"));
  EXPECT_EQ(task.instances[2].gold, 0u);
}

TEST(TaskConformance, EveryBuiltInTaskPreparesAsTasksValidateDoes) {
  ASSERT_FALSE(RepoRoot().empty()) << "__FILE__ is not an absolute path: " << __FILE__;
  fs::path tasks = RepoRoot() / "tasks";
  ASSERT_TRUE(fs::is_directory(tasks)) << tasks << " is missing";
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(tasks)) {
    std::string ext = entry.path().extension().string();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty()) << "no task files under " << tasks;
  size_t prepared = 0;
  for (const fs::path& file : files) {
    if (!YAML::LoadFile(file.string())["task"]) continue;  // a base file for `include`
    SCOPED_TRACE(file.string());
    PreparedTask task = Prepare(LoadTaskSpec(file), {});
    EXPECT_FALSE(task.instances.empty());
    // A jailbreak task asks every document once per attack template.
    const size_t per_doc = task.spec.judge && !task.spec.judge->attacks.empty() ? task.spec.judge->attacks.size() : 1;
    EXPECT_EQ(task.instances.size(), task.n_original * per_doc);
    EXPECT_EQ(task.version.size(), 32u);
    EXPECT_EQ(task.version.find_first_not_of("0123456789abcdef"), std::string::npos);
    ++prepared;
  }
  EXPECT_EQ(prepared, ListTasks({tasks}).size());
}

}  // namespace
}  // namespace kaieval::bench
