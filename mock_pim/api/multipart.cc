#include "mock_pim/api/multipart.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api {
namespace {

constexpr size_t kMaxBoundary = 70;
constexpr std::string_view kCrlf = "\r\n";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (absl::ascii_tolower(static_cast<unsigned char>(a[i])) !=
        absl::ascii_tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// RFC 2046 bchars.
bool IsBoundaryChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

absl::Status Malformed(std::string_view what) {
  return absl::InvalidArgumentError(Cat("Malformed multipart body: ", what));
}

// A header parameter list "; a=b; c=\"d\"": calls `on(name, value)` for each,
// values unquoted (a backslash escapes the next character). False if the
// list is malformed.
template <typename On>
bool ParseParams(std::string_view s, const On& on) {
  while (true) {
    s = Trim(s);
    if (s.empty()) return true;
    if (s[0] != ';') return false;
    s = Trim(s.substr(1));
    const size_t eq = s.find('=');
    if (eq == std::string_view::npos) return false;
    const std::string_view name = Trim(s.substr(0, eq));
    if (name.empty()) return false;
    s = Trim(s.substr(eq + 1));
    std::string value;
    if (!s.empty() && s[0] == '"') {
      size_t i = 1;
      for (; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        value.push_back(s[i]);
      }
      if (i == s.size()) return false;  // unterminated
      s.remove_prefix(i + 1);
    } else {
      const size_t end = s.find(';');
      value = std::string(Trim(s.substr(0, end)));
      if (value.empty()) return false;
      s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    }
    on(name, std::move(value));
  }
}

// Parses one part's header section (lines without the blank line) into
// `part`.
absl::Status ParseHeaders(std::string_view headers, size_t index,
                          MultipartPart* part) {
  bool disposition = false;
  while (!headers.empty()) {
    const size_t end = headers.find(kCrlf);
    const std::string_view line = headers.substr(0, end);
    headers.remove_prefix(end == std::string_view::npos ? headers.size()
                                                        : end + 2);
    if (line.find_first_of("\r\n") != std::string_view::npos) {
      return Malformed(Cat("part ", index + 1, ": bare CR or LF in its headers"));
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 ||
        Trim(line.substr(0, colon)) != line.substr(0, colon)) {
      return Malformed(Cat("part ", index + 1, ": header line without a name"));
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "Content-Disposition")) {
      if (disposition) {
        return Malformed(Cat("part ", index + 1, ": two Content-Disposition headers"));
      }
      disposition = true;
      const size_t semi = value.find(';');
      if (!EqualsIgnoreCase(Trim(value.substr(0, semi)), "form-data")) {
        return Malformed(Cat("part ", index + 1, ": Content-Disposition is not form-data"));
      }
      bool has_name = false;
      const bool ok = ParseParams(
          semi == std::string_view::npos ? "" : value.substr(semi),
          [&](std::string_view key, std::string v) {
            if (EqualsIgnoreCase(key, "name")) {
              has_name = true;
              part->name = std::move(v);
            } else if (EqualsIgnoreCase(key, "filename")) {
              part->filename = std::move(v);
            }
          });
      if (!ok) {
        return Malformed(Cat("part ", index + 1, ": bad Content-Disposition parameters"));
      }
      if (!has_name || part->name.empty()) {
        return Malformed(Cat("part ", index + 1, ": Content-Disposition has no name"));
      }
    } else if (EqualsIgnoreCase(name, "Content-Type")) {
      part->content_type = std::string(value);
    }
  }
  if (!disposition) {
    return Malformed(Cat("part ", index + 1, ": no Content-Disposition header"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> MultipartBoundary(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  if (!EqualsIgnoreCase(Trim(content_type.substr(0, semi)), "multipart/form-data")) {
    return absl::InvalidArgumentError("The media type is not multipart/form-data.");
  }
  std::optional<std::string> boundary;
  const bool ok = ParseParams(
      semi == std::string_view::npos ? "" : content_type.substr(semi),
      [&](std::string_view key, std::string v) {
        if (EqualsIgnoreCase(key, "boundary") && !boundary) boundary = std::move(v);
      });
  if (!ok) {
    return absl::InvalidArgumentError("Malformed multipart/form-data parameters.");
  }
  if (!boundary) {
    return absl::InvalidArgumentError("The multipart/form-data boundary is missing.");
  }
  bool valid = !boundary->empty() && boundary->size() <= kMaxBoundary &&
               boundary->back() != ' ';
  for (char c : *boundary) valid = valid && IsBoundaryChar(c);
  if (!valid) {
    return absl::InvalidArgumentError("The multipart/form-data boundary is invalid.");
  }
  return *std::move(boundary);
}

absl::StatusOr<std::vector<MultipartPart>> ParseMultipart(
    std::string_view body, std::string_view boundary,
    const MultipartLimits& limits) {
  const std::string dash_boundary = Cat("--", boundary);
  // Every delimiter after the first is preceded by CRLF.
  const std::string delimiter = Cat(kCrlf, dash_boundary);
  if (!StartsWith(body, dash_boundary)) {
    return Malformed("it does not start with the boundary");
  }
  std::string_view rest = body.substr(dash_boundary.size());
  std::vector<MultipartPart> parts;
  while (true) {
    // After a delimiter: "--" closes, CRLF opens a part.
    if (StartsWith(rest, "--")) {
      if (parts.empty()) return Malformed("no part");
      return parts;
    }
    if (!StartsWith(rest, kCrlf)) {
      return Malformed(Cat("no CRLF after delimiter ", parts.size() + 1));
    }
    rest.remove_prefix(2);
    if (parts.size() == limits.max_parts) {
      return absl::ResourceExhaustedError(
          Cat("Too many multipart parts, ", limits.max_parts, " is the maximum allowed."));
    }
    const size_t index = parts.size();
    MultipartPart part;
    // The header section ends at the first empty line; a part with no
    // headers starts with that empty line.
    size_t headers_end;
    if (StartsWith(rest, kCrlf)) {
      headers_end = 0;
    } else {
      const size_t blank = rest.find("\r\n\r\n");
      if (blank == std::string_view::npos) {
        return Malformed(Cat("part ", index + 1, ": headers do not end"));
      }
      headers_end = blank + 2;
    }
    if (headers_end > limits.max_header_bytes) {
      return absl::ResourceExhaustedError(
          Cat("Multipart part headers exceed ", limits.max_header_bytes, " bytes."));
    }
    const std::string_view headers =
        rest.substr(0, headers_end == 0 ? 0 : headers_end - 2);
    if (absl::Status s = ParseHeaders(headers, index, &part); !s.ok()) return s;
    rest.remove_prefix(headers_end + 2);
    const size_t end = rest.find(delimiter);
    if (end == std::string_view::npos) {
      return Malformed(Cat("part ", index + 1, " does not end with the boundary"));
    }
    part.body = rest.substr(0, end);
    parts.push_back(std::move(part));
    rest.remove_prefix(end + delimiter.size());
  }
}

const MultipartPart* FindPart(const std::vector<MultipartPart>& parts,
                              std::string_view name) {
  for (const MultipartPart& p : parts) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace pimsim::api
