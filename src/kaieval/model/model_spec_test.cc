#include "kaieval/model/model_spec.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "kaieval/common/error.h"
#include "kaieval/common/testing.h"

namespace kaieval::model {
namespace {

TEST(ParseModelArgs, ReadsLmEvalStyleArguments) {
  auto spec = ParseModelArgs(
      "openai", "base_url=http://127.0.0.1:8000/v1/completions,model=hanul,num_concurrent=64");
  EXPECT_EQ(spec.model, "hanul");
  ASSERT_EQ(spec.base_urls.size(), 1u);
  EXPECT_EQ(spec.base_urls[0], "http://127.0.0.1:8000/v1");  // endpoint suffix stripped
  EXPECT_EQ(spec.concurrency, 64);
  EXPECT_EQ(spec.style, ApiStyle::kCompletions);
}

TEST(ParseModelArgs, RepeatedBaseUrlAddsReplicas) {
  auto spec = ParseModelArgs("local-chat-completions",
                             "model=m,base_url=http://a:1/v1,base_url=http://b:2/v1/,timeout=2.5");
  EXPECT_EQ(spec.base_urls, (std::vector<std::string>{"http://a:1/v1", "http://b:2/v1"}));
  EXPECT_EQ(spec.style, ApiStyle::kChat);
  EXPECT_EQ(spec.request_timeout, std::chrono::milliseconds(2500));
}

TEST(ParseModelArgs, MalformedSpecsNameTheProblem) {
  EXPECT_NE(testing::InputErrorMessage([] {
              ParseModelArgs("openai", "model=m,base_url");
            }).find("key=value"),
            std::string::npos);
  EXPECT_NE(testing::InputErrorMessage([] {
              ParseModelArgs("openai", "base_url=http://x/v1");
            }).find("'model'"),
            std::string::npos);
  EXPECT_NE(
      testing::InputErrorMessage([] { ParseModelArgs("openai", "model=m"); }).find("'base_url'"),
      std::string::npos);
  EXPECT_NE(testing::InputErrorMessage([] {
              ParseModelArgs("openai", "model=m,base_url=ftp://x");
            }).find("http://"),
            std::string::npos);
  EXPECT_NE(testing::InputErrorMessage([] {
              ParseModelArgs("openai", "model=m,base_url=http://x,colour=red");
            }).find("unknown key 'colour'"),
            std::string::npos);
  EXPECT_NE(testing::InputErrorMessage([] {
              ParseModelArgs("openai", "model=m,base_url=http://x,concurrency=0");
            }).find("'concurrency'"),
            std::string::npos);
  EXPECT_NE(testing::InputErrorMessage([] {
              ParseModelArgs("hf", "model=m,base_url=http://x");
            }).find("unknown model type 'hf'"),
            std::string::npos);
}

TEST(LoadModelFile, ReadsYamlWithListOfReplicas) {
  auto path = std::filesystem::temp_directory_path() / "kaieval_model_spec_test.yaml";
  std::ofstream(path) << "type: local-completions\nmodel: hanul\nrevision: r2\n"
                         "base_url: [http://a:1/v1, http://b:2/v1]\nconcurrency: 8\n";
  auto spec = LoadModelFile(path.string());
  EXPECT_EQ(spec.base_urls.size(), 2u);
  EXPECT_EQ(spec.concurrency, 8);
  EXPECT_EQ(spec.CacheIdentity(), "hanul@r2");
}

TEST(LoadModelFile, ErrorsNameTheFile) {
  auto path = std::filesystem::temp_directory_path() / "kaieval_model_spec_bad.yaml";
  std::ofstream(path) << "model: [unclosed\n";
  EXPECT_NE(testing::InputErrorMessage([&] { LoadModelFile(path.string()); }).find(path.string()),
            std::string::npos);
}

TEST(MakeTransportOptions, ReadsTheKeyFromTheNamedVariableOnly) {
  auto spec = ParseModelArgs("openai", "model=m,base_url=http://x/v1,api_key_env=KAIEVAL_TEST_KEY");
  ::unsetenv("KAIEVAL_TEST_KEY");
  std::string err = testing::InputErrorMessage([&] { MakeTransportOptions(spec); });
  EXPECT_NE(err.find("KAIEVAL_TEST_KEY"), std::string::npos);
  ::setenv("KAIEVAL_TEST_KEY", "sk-secret-123", 1);
  EXPECT_EQ(MakeTransportOptions(spec).api_key, "sk-secret-123");
  ::unsetenv("KAIEVAL_TEST_KEY");
}

}  // namespace
}  // namespace kaieval::model
