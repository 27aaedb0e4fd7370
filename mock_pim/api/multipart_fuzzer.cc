// Fuzzes the multipart/form-data parser: the input's first line is the
// Content-Type, the rest the body, parsed under the default limits and under
// small ones (so the limits are reached).
//
// Properties: a boundary, when accepted, is 1-70 characters; parsing never
// reads outside the body (each part's bytes are a view into it, after the
// previous part's) and never holds the delimiter; part names are not empty;
// the parts, written out again as a multipart body, parse to the same parts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bazel/fuzz_check.h"
#include "mock_pim/api/multipart.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api {
namespace {

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string Write(const std::vector<MultipartPart>& parts, std::string_view boundary) {
  std::string out;
  for (const MultipartPart& p : parts) {
    Append(&out, "--", boundary, "\r\nContent-Disposition: form-data; name=", Quoted(p.name));
    if (p.filename) Append(&out, "; filename=", Quoted(*p.filename));
    out += "\r\n";
    if (!p.content_type.empty()) Append(&out, "Content-Type: ", p.content_type, "\r\n");
    Append(&out, "\r\n", p.body, "\r\n");
  }
  Append(&out, "--", boundary, "--");
  return out;
}

void Check(std::string_view body, std::string_view boundary, const MultipartLimits& limits) {
  const absl::StatusOr<std::vector<MultipartPart>> parts =
      ParseMultipart(body, boundary, limits);
  if (!parts.ok()) {
    FUZZ_CHECK(parts.status().code() == absl::StatusCode::kInvalidArgument ||
               parts.status().code() == absl::StatusCode::kResourceExhausted);
    return;
  }
  FUZZ_CHECK(!parts->empty() && parts->size() <= limits.max_parts);
  const std::string delimiter = Cat("\r\n--", boundary);
  const char* after = body.data();
  for (const MultipartPart& p : *parts) {
    FUZZ_CHECK(!p.name.empty());
    FUZZ_CHECK(p.body.data() >= after && p.body.data() + p.body.size() <= body.data() + body.size());
    FUZZ_CHECK(p.body.find(delimiter) == std::string_view::npos);
    after = p.body.data() + p.body.size();
  }
  const std::string again = Write(*parts, boundary);
  const absl::StatusOr<std::vector<MultipartPart>> reparsed = ParseMultipart(again, boundary);
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(reparsed->size() == parts->size());
  for (size_t i = 0; i < parts->size(); ++i) {
    FUZZ_CHECK((*reparsed)[i].name == (*parts)[i].name);
    FUZZ_CHECK((*reparsed)[i].filename == (*parts)[i].filename);
    FUZZ_CHECK((*reparsed)[i].content_type == (*parts)[i].content_type);
    FUZZ_CHECK((*reparsed)[i].body == (*parts)[i].body);
  }
}

}  // namespace
}  // namespace pimsim::api

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pimsim::api;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view content_type = input.substr(0, nl);
  const std::string_view body =
      nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  const absl::StatusOr<std::string> boundary = MultipartBoundary(content_type);
  if (!boundary.ok()) {
    FUZZ_CHECK(boundary.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(!boundary->empty() && boundary->size() <= 70);
  Check(body, *boundary, MultipartLimits());
  MultipartLimits small;
  small.max_parts = 2;
  small.max_header_bytes = 64;
  Check(body, *boundary, small);
  return 0;
}
