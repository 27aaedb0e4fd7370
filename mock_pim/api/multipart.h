// A strict parser of multipart/form-data request bodies (RFC 7578 framing
// of RFC 2046), for the media file uploads of the Akeneo API.
//
// The boundary comes from the Content-Type's `boundary` parameter (quoted or
// not, 1 to 70 characters). The body must start with the first delimiter
// ("--" boundary CRLF; no preamble), every line of the framing ends in CRLF,
// and the close delimiter ("--" boundary "--") must be present; what
// follows it (the epilogue) is ignored. Each part needs a
// `Content-Disposition: form-data; name="..."` header and may carry a
// `filename` parameter and a `Content-Type`; other headers are ignored. A
// part's body is every byte up to the CRLF before the next delimiter, so
// binary content comes out exactly.
//
// Errors are absl::Status: InvalidArgument (HTTP 400) for malformed input,
// with a message naming what was wrong and where; ResourceExhausted (413)
// past MultipartLimits.
//
// Thread-safety: pure functions. Parts hold views into the body.
//
//   absl::StatusOr<std::string> b = MultipartBoundary(content_type);
//   absl::StatusOr<std::vector<MultipartPart>> parts = ParseMultipart(body, *b);
//   const MultipartPart* file = FindPart(*parts, "file");
#ifndef PIMSIM_MOCK_PIM_API_MULTIPART_H_
#define PIMSIM_MOCK_PIM_API_MULTIPART_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace pimsim::api {

struct MultipartPart {
  std::string name;                     // Content-Disposition name
  std::optional<std::string> filename;  // its filename parameter, if any
  std::string content_type;             // the part's Content-Type, or empty
  std::string_view body;                // the bytes, a view into the body
};

struct MultipartLimits {
  // Parts in one body.
  size_t max_parts = 16;
  // Bytes of one part's header section (its header lines and their CRLFs).
  size_t max_header_bytes = 8 * 1024;
};

// The boundary of a `multipart/form-data; boundary=...` Content-Type value.
// InvalidArgument if the media type is another, or the boundary is missing
// or not RFC 2046's (1-70 characters of its set, not ending in a space).
absl::StatusOr<std::string> MultipartBoundary(std::string_view content_type);

// The parts of `body`, in order.
absl::StatusOr<std::vector<MultipartPart>> ParseMultipart(
    std::string_view body, std::string_view boundary,
    const MultipartLimits& limits = {});

// The first part named `name`, or nullptr.
const MultipartPart* FindPart(const std::vector<MultipartPart>& parts,
                              std::string_view name);

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_MULTIPART_H_
