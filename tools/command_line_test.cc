#include "tools/command_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pimsim::tools {
namespace {

using ::testing::HasSubstr;

class CommandLineTest : public ::testing::Test {
 protected:
  absl::Status Parse(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    return cl_.Parse(static_cast<int>(argv.size()), argv.data());
  }
  void SetUp() override {
    cl_.AddString("listen", "address", &listen_);
    cl_.AddInt("seed", "seed", &seed_);
    cl_.AddBool("verbose", "chatty", &verbose_);
    cl_.AddRepeated("fault", "fault spec", &faults_);
  }
  CommandLine cl_{"serve", "Serves."};
  std::string listen_ = "127.0.0.1:8080";
  int64_t seed_ = 1;
  bool verbose_ = false;
  std::vector<std::string> faults_;
};

TEST_F(CommandLineTest, ParsesBothValueForms) {
  ASSERT_TRUE(Parse({"--listen=127.0.0.1:0", "--seed", "42", "--verbose", "pos"}).ok());
  EXPECT_EQ(listen_, "127.0.0.1:0");
  EXPECT_EQ(seed_, 42);
  EXPECT_TRUE(verbose_);
  EXPECT_THAT(cl_.positional(), ::testing::ElementsAre("pos"));
}

TEST_F(CommandLineTest, NegatedBoolAndRepeated) {
  verbose_ = true;
  ASSERT_TRUE(Parse({"--noverbose", "--fault=a", "--fault", "b"}).ok());
  EXPECT_FALSE(verbose_);
  EXPECT_THAT(faults_, ::testing::ElementsAre("a", "b"));
}

TEST_F(CommandLineTest, ErrorsNameTheFlag) {
  EXPECT_THAT(Parse({"--nope=1"}).message(), HasSubstr("unknown flag --nope"));
  EXPECT_THAT(Parse({"--seed=abc"}).message(), HasSubstr("--seed: not an integer"));
  EXPECT_THAT(Parse({"--listen"}).message(), HasSubstr("--listen needs a value"));
  EXPECT_THAT(Parse({"--verbose=maybe"}).message(), HasSubstr("not a boolean"));
}

TEST_F(CommandLineTest, HelpListsFlagsWithDefaults) {
  ASSERT_TRUE(Parse({"--help"}).ok());
  EXPECT_TRUE(cl_.help_requested());
  EXPECT_THAT(cl_.Usage(), HasSubstr("--listen"));
  EXPECT_THAT(cl_.Usage(), HasSubstr("(default: 127.0.0.1:8080)"));
}

TEST_F(CommandLineTest, DoubleDashEndsFlags) {
  ASSERT_TRUE(Parse({"--", "--seed=3"}).ok());
  EXPECT_EQ(seed_, 1);
  EXPECT_THAT(cl_.positional(), ::testing::ElementsAre("--seed=3"));
}

}  // namespace
}  // namespace pimsim::tools
