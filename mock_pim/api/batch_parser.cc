#include "mock_pim/api/batch_parser.h"

#include <cstring>

#include "absl/status/status.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api {

size_t CountBatchLines(std::string_view body) {
  if (body.empty()) return 0;
  size_t lines = 0;
  const char* p = body.data();
  const char* end = p + body.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', end - p);
    ++lines;
    if (nl == nullptr) break;
    p = static_cast<const char*>(nl) + 1;
  }
  return lines;
}

absl::StatusOr<std::vector<BatchLine>> SplitBatch(std::string_view body,
                                                  size_t max_lines,
                                                  size_t max_line_length) {
  const size_t count = CountBatchLines(body);
  if (count > max_lines) {
    return absl::ResourceExhaustedError(
        "Too many resources to process, " + std::to_string(max_lines) +
        " is the maximum allowed.");
  }
  std::vector<BatchLine> lines;
  lines.reserve(count);
  size_t pos = 0;
  while (pos < body.size()) {
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) nl = body.size();
    std::string_view text = body.substr(pos, nl - pos);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    BatchLine line;
    line.number = static_cast<int>(lines.size()) + 1;
    line.text = text;
    if (text.size() > max_line_length) {
      line.problem = BatchLine::kTooLong;
    } else if (Trim(text).empty()) {
      line.problem = BatchLine::kEmpty;
    }
    lines.push_back(line);
    pos = nl + 1;
  }
  return lines;
}

size_t CountJsonArrayItems(std::string_view body) {
  size_t i = 0;
  auto skip_space = [&] {
    while (i < body.size() && (body[i] == ' ' || body[i] == '\t' ||
                               body[i] == '\n' || body[i] == '\r')) {
      ++i;
    }
  };
  skip_space();
  if (i == body.size() || body[i] != '[') return 0;
  ++i;
  skip_space();
  if (i == body.size() || body[i] == ']') return 0;
  size_t items = 1;
  int depth = 1;
  bool in_string = false;
  for (; i < body.size() && depth > 0; ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      --depth;
    } else if (c == ',' && depth == 1) {
      ++items;
    }
  }
  return items;
}

}  // namespace pimsim::api
