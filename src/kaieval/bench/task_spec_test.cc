#include "kaieval/bench/task_spec.h"

#include <gtest/gtest.h>

#include <fstream>

#include "kaieval/common/error.h"

namespace kaieval::bench {
namespace {

namespace fs = std::filesystem;

class TaskSpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("kaieval_task_spec_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    Write("data.jsonl", "{\"q\":\"1 더하기 1은\",\"a\":\"2\",\"choices\":[\"2\",\"3\"]}\n");
  }
  fs::path Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  std::string ErrorOf(const fs::path& file) {
    try {
      LoadTaskSpec(file);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  }
  fs::path dir_;
};

TEST_F(TaskSpecTest, ReadsLmEvalFieldsWithDefaults) {
  auto f = Write("t.yaml",
                 "task: sums\ntag: math\ntest_split: data.jsonl\ndoc_to_text: \"{{q}}\"\n"
                 "doc_to_target: a\ngeneration_kwargs:\n  until: [\"\\n\"]\n  max_gen_toks: 8\n");
  TaskSpec t = LoadTaskSpec(f);
  EXPECT_EQ(t.name, "sums");
  EXPECT_EQ(t.groups, std::vector<std::string>{"math"});
  EXPECT_EQ(t.output_type, OutputType::kGenerateUntil);  // lm-eval's default
  EXPECT_EQ(t.target_delimiter, " ");
  EXPECT_EQ(t.fewshot_delimiter, "\n\n");
  EXPECT_EQ(t.generation_kwargs.until, std::vector<std::string>{"\n"});
  EXPECT_EQ(t.generation_kwargs.max_gen_toks, 8);
  ASSERT_EQ(t.metrics.size(), 1u);
  EXPECT_EQ(t.metrics[0].info.name, "exact_match");
  ASSERT_EQ(t.filters.size(), 1u);
  EXPECT_EQ(t.filters[0].name(), "none");
  EXPECT_EQ(t.resolved["generation_kwargs"]["max_gen_toks"], 8);
}

TEST_F(TaskSpecTest, IncludeMergesWithTheIncludingFileWinning) {
  Write("base.yaml",
        "output_type: multiple_choice\ntest_split: data.jsonl\ndoc_to_text: \"{{q}}\"\n"
        "doc_to_choice: choices\ndoc_to_target: a\nnum_fewshot: 3\n");
  fs::create_directories(dir_ / "sub");
  auto f = Write("sub/child.yaml", "include: ../base.yaml\ntask: child\nnum_fewshot: 0\n");
  TaskSpec t = LoadTaskSpec(f);
  EXPECT_EQ(t.name, "child");
  EXPECT_EQ(t.num_fewshot, 0);
  EXPECT_EQ(t.output_type, OutputType::kMultipleChoice);
  EXPECT_EQ(t.base_dir, dir_);  // test_split came from base.yaml, so it resolves there
}

TEST_F(TaskSpecTest, IncludeCycleIsAnError) {
  Write("a.yaml", "include: b.yaml\ntask: a\n");
  auto b = Write("b.yaml", "include: a.yaml\ntask: b\n");
  EXPECT_NE(ErrorOf(b).find("include cycle"), std::string::npos);
}

TEST_F(TaskSpecTest, BadFieldsNameFileLineAndField) {
  auto f = Write("bad.yaml", "task: x\ntest_split: data.jsonl\ndoc_to_text: q\n"
                             "output_type: multiple_choise\n");
  std::string e = ErrorOf(f);
  EXPECT_NE(e.find("bad.yaml:4: output_type"), std::string::npos) << e;
  EXPECT_NE(e.find("multiple_choise"), std::string::npos) << e;

  auto g = Write("g.yaml", "task: x\ntest_split: data.jsonl\ndoc_to_text: q\ndoc_to_target: a\n"
                           "generation_kwargs: {max_gen_toks: many}\n");
  EXPECT_NE(ErrorOf(g).find("g.yaml:5: generation_kwargs.max_gen_toks: expected a whole number"),
            std::string::npos)
      << ErrorOf(g);
  auto u = Write("u.yaml", "task: x\ntest_split: data.jsonl\ndoc_to_text: q\ndoc_to_targte: a\n");
  EXPECT_NE(ErrorOf(u).find("u.yaml:4: doc_to_targte: unknown task field"), std::string::npos)
      << ErrorOf(u);
  auto p = Write("p.yaml", "task: x\ndataset_name: main\ntest_split: data.jsonl\ndoc_to_text: q\n");
  EXPECT_NE(ErrorOf(p).find("not supported"), std::string::npos);
  auto m = Write("m.yaml", "task: x\noutput_type: multiple_choice\ntest_split: data.jsonl\n"
                           "doc_to_text: q\ndoc_to_target: a\n");
  EXPECT_NE(ErrorOf(m).find("needs 'doc_to_choice'"), std::string::npos);
  auto c = Write("c.yaml", "task: x\noutput_type: multiple_choice\ntest_split: data.jsonl\n"
                           "doc_to_text: q\ndoc_to_target: a\ndoc_to_choice: choices\n"
                           "apply_chat_template: true\n");
  EXPECT_NE(ErrorOf(c).find("only generate_until"), std::string::npos);
  auto fn = Write("fn.yaml", "task: x\ntest_split: data.jsonl\ndoc_to_text: !function utils.f\n");
  EXPECT_NE(ErrorOf(fn).find("fn.yaml:3: doc_to_text: !function is not supported"),
            std::string::npos)
      << ErrorOf(fn);
  auto r = Write("r.yaml", "task: x\ntest_split: data.jsonl\n");
  EXPECT_NE(ErrorOf(r).find("'doc_to_text' is required"), std::string::npos);
}

TEST_F(TaskSpecTest, ResolvesTaskNamesGroupsAndPaths) {
  Write("one.yaml", "task: one\ntag: [g]\ntest_split: data.jsonl\ndoc_to_text: q\ndoc_to_target: a\n");
  Write("two.yaml", "task: two\ntag: [g]\ntest_split: data.jsonl\ndoc_to_text: q\ndoc_to_target: a\n");
  auto files = ResolveTaskFiles({"g"}, {dir_});
  EXPECT_EQ(files.size(), 2u);
  EXPECT_EQ(ResolveTaskFiles({"one"}, {dir_}).at(0).filename(), "one.yaml");
  EXPECT_EQ(ResolveTaskFiles({(dir_ / "two.yaml").string()}, {}).at(0).filename(), "two.yaml");
  try {
    ResolveTaskFiles({"three"}, {dir_});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("known: one, two"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kaieval::bench
