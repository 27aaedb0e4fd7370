// Fuzzes the NDJSON batch splitter with the input as a batch PATCH body,
// under the documented limits and under small ones (so over-long lines and
// too many lines are reached), and parses each line as the handlers do.
//
// Properties: CountBatchLines agrees with SplitBatch; lines are numbered
// from 1 in order, view the body without their '\n' (or '\r\n'), and are
// flagged empty or too long exactly when they are; a line that parses as
// JSON survives DumpJson and parsing again unchanged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bazel/fuzz_check.h"
#include "mock_pim/api/batch_parser.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api {
namespace {

void CheckSplit(std::string_view body, size_t max_lines, size_t max_line_length, bool parse) {
  const size_t count = CountBatchLines(body);
  const absl::StatusOr<std::vector<BatchLine>> lines =
      SplitBatch(body, max_lines, max_line_length);
  if (count > max_lines) {
    FUZZ_CHECK(!lines.ok() && lines.status().code() == absl::StatusCode::kResourceExhausted);
    return;
  }
  FUZZ_CHECK(lines.ok());
  FUZZ_CHECK(lines->size() == count);
  const char* next = body.data();
  for (size_t i = 0; i < lines->size(); ++i) {
    const BatchLine& line = (*lines)[i];
    FUZZ_CHECK(line.number == static_cast<int>(i) + 1);
    FUZZ_CHECK(line.text.data() == next);
    FUZZ_CHECK(line.text.find('\n') == std::string_view::npos);
    const char* end = line.text.data() + line.text.size();
    const char* body_end = body.data() + body.size();
    FUZZ_CHECK(end <= body_end);
    // After the text: the end of the body, "\n" or "\r\n" (a '\r' before the
    // end of the body is dropped too).
    size_t skip = 0;
    if (end < body_end && *end == '\r') ++skip;
    if (end + skip < body_end) {
      FUZZ_CHECK(end[skip] == '\n');
      ++skip;
    }
    FUZZ_CHECK(skip > 0 || end == body_end);
    next = end + skip;
    if (line.text.size() > max_line_length) {
      FUZZ_CHECK(line.problem == BatchLine::kTooLong);
    } else if (Trim(line.text).empty()) {
      FUZZ_CHECK(line.problem == BatchLine::kEmpty);
    } else {
      FUZZ_CHECK(line.problem == BatchLine::kOk);
      if (parse) {
        const std::optional<Json> doc = ParseJson(line.text);
        if (doc.has_value()) {
          const std::string dumped = DumpJson(*doc);
          const std::optional<Json> again = ParseJson(dumped);
          FUZZ_CHECK(again.has_value() && DumpJson(*again) == dumped);
        }
      }
    }
  }
  FUZZ_CHECK(next == body.data() + body.size() || body.empty());
}

}  // namespace
}  // namespace pimsim::api

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pimsim::api;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  CheckSplit(body, kMaxBatchLines, kMaxBatchLineLength, /*parse=*/true);
  CheckSplit(body, /*max_lines=*/5, /*max_line_length=*/16, /*parse=*/false);
  return 0;
}
