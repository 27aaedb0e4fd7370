#include "mock_pim/api/batch_parser.h"

#include <string>

#include "gtest/gtest.h"

namespace pimsim::api {
namespace {

TEST(BatchParserTest, SplitsLinesAndNumbersThemFromOne) {
  absl::StatusOr<std::vector<BatchLine>> lines = SplitBatch("{\"a\":1}\n{\"b\":2}");
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[0].number, 1);
  EXPECT_EQ((*lines)[0].text, "{\"a\":1}");
  EXPECT_EQ((*lines)[1].number, 2);
  EXPECT_EQ((*lines)[1].problem, BatchLine::kOk);
}

TEST(BatchParserTest, FinalNewlineDoesNotAddALineAndCrIsDropped) {
  absl::StatusOr<std::vector<BatchLine>> lines = SplitBatch("{}\r\n{}\n");
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 2u);
  EXPECT_EQ((*lines)[0].text, "{}");
  EXPECT_EQ(CountBatchLines("{}\r\n{}\n"), 2u);
}

TEST(BatchParserTest, EmptyBodyHasNoLines) {
  EXPECT_EQ(CountBatchLines(""), 0u);
  EXPECT_TRUE(SplitBatch("")->empty());
}

TEST(BatchParserTest, EmptyAndBlankLinesAreFlagged) {
  absl::StatusOr<std::vector<BatchLine>> lines = SplitBatch("{}\n\n  \n{}");
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 4u);
  EXPECT_EQ((*lines)[1].problem, BatchLine::kEmpty);
  EXPECT_EQ((*lines)[2].problem, BatchLine::kEmpty);
  EXPECT_EQ((*lines)[3].problem, BatchLine::kOk);
}

TEST(BatchParserTest, LineOverTheLimitIsTooLong) {
  const std::string body =
      std::string(kMaxBatchLineLength, 'x') + "\n" +
      std::string(kMaxBatchLineLength + 1, 'x');
  absl::StatusOr<std::vector<BatchLine>> lines = SplitBatch(body);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ((*lines)[0].problem, BatchLine::kOk);
  EXPECT_EQ((*lines)[1].problem, BatchLine::kTooLong);
}

TEST(BatchParserTest, HundredLinesPassAndHundredAndOneFail) {
  std::string body;
  for (int i = 0; i < 100; ++i) body += "{}\n";
  EXPECT_TRUE(SplitBatch(body).ok());
  body += "{}";
  absl::StatusOr<std::vector<BatchLine>> lines = SplitBatch(body);
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(lines.status().message(),
            "Too many resources to process, 100 is the maximum allowed.");
  EXPECT_EQ(CountBatchLines(body), 101u);
}

}  // namespace
}  // namespace pimsim::api
