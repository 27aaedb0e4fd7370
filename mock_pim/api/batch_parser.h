// Splits an Akeneo batch (collection) PATCH body into lines: one JSON object
// per line, separated by '\n'. Enforces the documented limits: more than 100
// lines fails the whole request before any line is applied; a line over
// 1,000,000 characters and an empty line fail only that line.
//
// A final '\n' ends the last line rather than opening an empty one, and a
// '\r' before a '\n' is dropped. An empty body has no lines.
//
// Thread-safety: pure functions.
//
//   absl::StatusOr<std::vector<BatchLine>> lines = SplitBatch(body);
//   if (!lines.ok()) return 413;  // too many lines
//   for (const BatchLine& l : *lines) { if (l.problem == BatchLine::kOk) ... }
#ifndef PIMSIM_MOCK_PIM_API_BATCH_PARSER_H_
#define PIMSIM_MOCK_PIM_API_BATCH_PARSER_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace pimsim::api {

inline constexpr size_t kMaxBatchLines = 100;
inline constexpr size_t kMaxBatchLineLength = 1'000'000;

struct BatchLine {
  enum Problem { kOk, kEmpty, kTooLong };
  int number = 0;         // from 1
  std::string_view text;  // without the '\n' (and '\r')
  Problem problem = kOk;
};

// Counts the lines SplitBatch would return, without allocating (used to
// classify a request for the latency model).
size_t CountBatchLines(std::string_view body);

// Counts the items of a JSON array body ("[{...},{...}]") without parsing
// it: the commas at nesting depth 1, outside strings, plus one if the array
// is not empty. A body that is not an array counts 0 (used, like
// CountBatchLines, to classify a request; the handler parses it properly).
size_t CountJsonArrayItems(std::string_view body);

// Splits `body`. ResourceExhausted if it has more than `max_lines` lines.
absl::StatusOr<std::vector<BatchLine>> SplitBatch(
    std::string_view body, size_t max_lines = kMaxBatchLines,
    size_t max_line_length = kMaxBatchLineLength);

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_BATCH_PARSER_H_
