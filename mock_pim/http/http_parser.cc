#include "mock_pim/http/http_parser.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "common/hex.h"
#include "mock_pim/http/ascii_util.h"

namespace pimsim::http {
namespace {

// Longest request line accepted beyond the target itself (method, two spaces,
// version); a longer line is refused, at once if its CRLF has not arrived.
constexpr size_t kRequestLineSlack = 64;
// Longest chunk-size line, extensions included (refused as soon as it is
// longer, whether its CRLF has arrived or not).
constexpr size_t kMaxChunkLine = 4096;
// Body capacity reserved up front from Content-Length; the rest grows as
// bytes arrive, so a client cannot make the server reserve memory it never
// sends.
constexpr size_t kMaxReserve = 256 * 1024;

// RFC 9110 tchar.
constexpr bool IsTcharSlow(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
         c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' ||
         c == '~';
}

struct CharTable {
  bool tchar[256];
  bool target[256];  // Visible ASCII: what a request target may hold.
  bool value[256];   // field-vchar / SP / HTAB / obs-text.
  constexpr CharTable() : tchar(), target(), value() {
    for (int c = 0; c < 256; ++c) {
      tchar[c] = IsTcharSlow(static_cast<unsigned char>(c));
      target[c] = c > 0x20 && c < 0x7f;
      value[c] = (c >= 0x20 && c != 0x7f) || c == '\t';
    }
  }
};
constexpr CharTable kChars;

bool IsTchar(char c) { return kChars.tchar[static_cast<unsigned char>(c)]; }

// Word-at-a-time byte tests (exact as yes/no answers): whether any byte of w
// is below n (n <= 128), above n (n <= 127), or equal to n.
constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighBits = 0x8080808080808080ULL;
constexpr uint64_t AnyByteBelow(uint64_t w, uint8_t n) { return (w - kOnes * n) & ~w & kHighBits; }
constexpr uint64_t AnyByteAbove(uint64_t w, uint8_t n) {
  return ((w + kOnes * (127 - n)) | w) & kHighBits;
}
constexpr uint64_t AnyByteEqual(uint64_t w, uint8_t n) { return AnyByteBelow(w ^ (kOnes * n), 1); }

// Whether every byte of s is in `table`. Eight bytes at a time, a word that
// `suspect` clears is known to be all in the table; any other is checked a
// byte at a time.
template <typename Suspect>
bool AllIn(std::string_view s, const bool (&table)[256], Suspect suspect) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, sizeof(w));
    if (suspect(w) == 0) continue;
    for (size_t j = i; j < i + 8; ++j) {
      if (!table[static_cast<unsigned char>(s[j])]) return false;
    }
  }
  for (; i < s.size(); ++i) {
    if (!table[static_cast<unsigned char>(s[i])]) return false;
  }
  return true;
}

// Visible ASCII only (0x21-0x7e).
bool IsTarget(std::string_view s) {
  return AllIn(s, kChars.target,
               [](uint64_t w) { return AnyByteBelow(w, 0x21) | AnyByteAbove(w, 0x7e); });
}

// field-vchar, SP, HTAB and obs-text: any byte but the other controls and DEL.
bool IsFieldValue(std::string_view s) {
  return AllIn(s, kChars.value,
               [](uint64_t w) { return AnyByteBelow(w, 0x20) | AnyByteEqual(w, 0x7f); });
}
bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTchar(c)) return false;
  }
  return true;
}

// Bytes of a line whose end has not arrived that count against a limit: a
// final CR may be the first half of the CRLF that ends the line, which a
// complete line does not count.
size_t PendingLineBytes(std::string_view partial) {
  return partial.size() - (!partial.empty() && partial.back() == '\r' ? 1 : 0);
}

}  // namespace

RequestParser::RequestParser(ParserLimits limits)
    : limits_(limits), request_(std::make_unique<HttpRequest>()) {}

std::unique_ptr<HttpRequest> RequestParser::TakeRequest(std::unique_ptr<HttpRequest> next) {
  std::unique_ptr<HttpRequest> taken = std::move(request_);
  request_ = next != nullptr ? std::move(next) : std::make_unique<HttpRequest>();
  Reset();
  return taken;
}

void RequestParser::Reset() {
  state_ = State::kHead;
  request_->Clear();
  error_status_ = 0;
  error_reason_.clear();
  consumed_total_ = 0;
  scanned_ = 0;
  line_start_ = 0;
  request_line_end_ = 0;
  field_lines_ = 0;
  chunked_ = false;
  saw_content_length_ = false;
  saw_transfer_encoding_ = false;
  saw_connection_close_ = false;
  saw_connection_keep_alive_ = false;
  host_count_ = 0;
  content_length_ = 0;
  body_remaining_ = 0;
  chunk_state_ = ChunkState::kSize;
  trailer_bytes_ = 0;
  trailer_fields_ = 0;
}

void RequestParser::Fail(int status, std::string_view reason) {
  state_ = State::kError;
  error_status_ = status;
  error_reason_.assign(reason.data(), reason.size());
}

size_t RequestParser::Feed(std::string_view data) {
  size_t n = 0;
  switch (state_) {
    case State::kHead:
      n = FeedHead(data);
      break;
    case State::kBody:
      n = FeedBody(data);
      break;
    case State::kComplete:
    case State::kError:
      break;
  }
  consumed_total_ += n;
  return n;
}

size_t RequestParser::FeedHead(std::string_view data) {
  // RFC 9112 2.2: ignore empty lines before the request line.
  size_t skipped = 0;
  if (scanned_ == 0) {
    while (data.size() >= 2 && data[0] == '\r' && data[1] == '\n') {
      data.remove_prefix(2);
      skipped += 2;
    }
  }
  size_t pos = scanned_;
  while (pos < data.size()) {
    const void* lf = std::memchr(data.data() + pos, '\n', data.size() - pos);
    if (lf == nullptr) break;
    const size_t i = static_cast<const char*>(lf) - data.data();
    if (i == 0 || data[i - 1] != '\r') {
      Fail(400, "bare LF in request head");
      return 0;
    }
    if (request_line_end_ == 0) {
      if (!ParseRequestLine(data.substr(0, i - 1))) return 0;
      request_line_end_ = i - 1;
    } else if (i - 1 == line_start_) {
      const size_t fields_start = request_line_end_ + 2;
      const std::string_view fields = data.substr(fields_start, line_start_ - fields_start);
      if (fields.size() > limits_.max_header_bytes) {
        Fail(431, "request header fields too large");
        return 0;
      }
      if (!ParseFields(fields) || !FinishHead()) return 0;
      scanned_ = line_start_ = request_line_end_ = 0;
      return skipped + i + 1;
    } else if (++field_lines_ > limits_.max_headers) {
      Fail(431, "too many header fields");
      return 0;
    }
    line_start_ = pos = i + 1;
  }
  // A lone CR may be the start of an empty line to skip; scan it again.
  scanned_ = (data.size() == 1 && data[0] == '\r') ? 0 : data.size();
  if (request_line_end_ == 0) {
    if (PendingLineBytes(data) > limits_.max_target_bytes + kRequestLineSlack) {
      FailLongRequestLine(data);
    }
  } else if (PendingLineBytes(data.substr(request_line_end_ + 2)) > limits_.max_header_bytes) {
    Fail(431, "request header fields too large");
  }
  if (state_ == State::kError) return 0;
  // Offsets are relative to the data after the skipped lines, which the
  // caller drops now that they are consumed.
  return skipped;
}

void RequestParser::FailLongRequestLine(std::string_view line) {
  // Distinguish an over-long target from garbage: a real request line starts
  // with a method token and a space.
  const size_t sp = line.substr(0, kRequestLineSlack).find(' ');
  if (sp != std::string_view::npos && IsToken(line.substr(0, sp))) {
    Fail(414, "request target too long");
  } else {
    Fail(400, "malformed request line");
  }
}

bool RequestParser::ParseRequestLine(std::string_view line) {
  // The limit an unfinished line is held to (FeedHead), so that whether a
  // request is refused does not depend on where the reads end.
  if (line.size() > limits_.max_target_bytes + kRequestLineSlack) {
    FailLongRequestLine(line);
    return false;
  }
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) {
    Fail(400, "malformed request line");
    return false;
  }
  const std::string_view method = line.substr(0, sp1);
  if (!IsToken(method)) {
    Fail(400, "invalid method");
    return false;
  }
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) {
    Fail(400, "malformed request line");
    return false;
  }
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" ||
      !IsAsciiDigit(version[5]) || version[6] != '.' ||
      !IsAsciiDigit(version[7])) {
    Fail(400, "malformed HTTP version");
    return false;
  }
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
    Fail(505, absl::StrCat("HTTP version not supported: ", std::string(version)));
    return false;
  }
  if (target.size() > limits_.max_target_bytes) {
    Fail(414, "request target too long");
    return false;
  }
  request_->method.assign(method.data(), method.size());
  request_->version_minor = version[7] - '0';
  return ParseTarget(target);
}

bool RequestParser::ParseTarget(std::string_view target) {
  if (target.empty()) {
    Fail(400, "empty request target");
    return false;
  }
  if (!IsTarget(target)) {
    Fail(400, "invalid character in request target");
    return false;
  }
  request_->target.assign(target.data(), target.size());
  std::string_view rest;
  if (target[0] == '/') {
    rest = target;
  } else if (target == "*") {
    if (request_->method != "OPTIONS") {
      Fail(400, "asterisk-form target is only allowed with OPTIONS");
      return false;
    }
    request_->path = "*";
    request_->query.clear();
    return true;
  } else if (StartsWithIgnoreCase(target, "http://") ||
             StartsWithIgnoreCase(target, "https://")) {
    // absolute-form: drop scheme and authority, keep path and query.
    std::string_view after = target.substr(target.find("//") + 2);
    const size_t end = after.find_first_of("/?#");
    const std::string_view authority = after.substr(0, end);
    if (authority.empty() || authority.find('@') != std::string_view::npos) {
      Fail(400, "invalid authority in absolute-form target");
      return false;
    }
    rest = end == std::string_view::npos ? std::string_view() : after.substr(end);
  } else if (request_->method == "CONNECT") {
    request_->path.assign(target.data(), target.size());  // authority-form
    request_->query.clear();
    return true;
  } else {
    Fail(400, "malformed request target");
    return false;
  }
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
    Fail(400, "fragment in request target");
    return false;
  }
  const size_t q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  if (path.empty()) {
    request_->path = "/";
  } else {
    request_->path.assign(path.data(), path.size());
  }
  if (q == std::string_view::npos) {
    request_->query.clear();
  } else {
    request_->query.assign(rest.data() + q + 1, rest.size() - q - 1);
  }
  return true;
}

bool RequestParser::ParseFields(std::string_view fields) {
  // One allocation for the usual handful of fields instead of a regrowth per
  // field.
  if (request_->headers.capacity() == 0) request_->headers.reserve(8);
  while (!fields.empty()) {
    // Every LF was checked to follow a CR while scanning.
    const size_t end = fields.find("\r\n");
    if (!ParseField(fields.substr(0, end))) return false;
    fields.remove_prefix(end + 2);
  }
  return true;
}

bool RequestParser::ParseField(std::string_view line) {
  if (IsOws(line.front())) {
    Fail(400, "obsolete line folding in header field");
    return false;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    Fail(400, "header field without colon");
    return false;
  }
  const std::string_view name = line.substr(0, colon);
  if (name.empty()) {
    Fail(400, "empty header field name");
    return false;
  }
  for (char c : name) {
    if (!IsTchar(c)) {
      Fail(400, IsOws(c) ? "whitespace before colon in header field"
                         : "invalid character in header field name");
      return false;
    }
  }
  const std::string_view value = TrimOws(line.substr(colon + 1));
  if (!IsFieldValue(value)) {
    Fail(400, "invalid character in header field value");
    return false;
  }
  request_->AddHeader(name, value);

  switch (name.size()) {
    case 4:
      if (EqualsIgnoreCase(name, "Host")) ++host_count_;
      break;
    case 6:
      if (EqualsIgnoreCase(name, "Expect") &&
          EqualsIgnoreCase(value, "100-continue")) {
        request_->expect_continue = true;
      }
      break;
    case 10:
      if (EqualsIgnoreCase(name, "Connection")) {
        std::string_view rest = value;
        while (!rest.empty()) {
          const size_t comma = rest.find(',');
          const std::string_view token = TrimOws(rest.substr(0, comma));
          if (EqualsIgnoreCase(token, "close")) {
            request_->keep_alive = false;
            saw_connection_close_ = true;
          } else if (EqualsIgnoreCase(token, "keep-alive")) {
            saw_connection_keep_alive_ = true;
          }
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
      }
      break;
    case 14:
      if (EqualsIgnoreCase(name, "Content-Length")) {
        if (saw_content_length_) {
          Fail(400, "duplicate Content-Length");
          return false;
        }
        saw_content_length_ = true;
        if (value.empty() || value.size() > 18) {
          Fail(400, "invalid Content-Length");
          return false;
        }
        uint64_t n = 0;
        for (char c : value) {
          if (!IsAsciiDigit(c)) {
            Fail(400, "invalid Content-Length");
            return false;
          }
          n = n * 10 + (c - '0');
        }
        content_length_ = n;
      }
      break;
    case 17:
      if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
        saw_transfer_encoding_ = true;
        std::string_view rest = value;
        while (true) {
          const size_t comma = rest.find(',');
          const std::string_view coding = TrimOws(rest.substr(0, comma));
          if (EqualsIgnoreCase(coding, "chunked")) {
            if (chunked_) {
              Fail(400, "chunked transfer coding applied twice");
              return false;
            }
            chunked_ = true;
          } else if (!coding.empty()) {
            Fail(501, absl::StrCat("unsupported transfer coding: ",
                                   std::string(coding.substr(0, 64))));
            return false;
          }
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
        if (!chunked_) {
          Fail(400, "empty Transfer-Encoding");
          return false;
        }
      }
      break;
    default:
      break;
  }
  return true;
}

bool RequestParser::FinishHead() {
  if (request_->version_minor == 1) {
    if (host_count_ == 0) {
      Fail(400, "missing Host header");
      return false;
    }
  }
  if (host_count_ > 1) {
    Fail(400, "duplicate Host header");
    return false;
  }
  if (saw_transfer_encoding_ && saw_content_length_) {
    Fail(400, "both Content-Length and Transfer-Encoding");
    return false;
  }
  if (saw_transfer_encoding_ && request_->version_minor == 0) {
    Fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    return false;
  }
  request_->keep_alive = request_->version_minor == 1
                            ? !saw_connection_close_
                            : saw_connection_keep_alive_ && !saw_connection_close_;
  if (content_length_ > limits_.max_body_bytes) {
    Fail(413, "request body too large");
    return false;
  }
  if (chunked_) {
    chunk_state_ = ChunkState::kSize;
    state_ = State::kBody;
  } else if (content_length_ > 0) {
    body_remaining_ = content_length_;
    request_->body.reserve(std::min<uint64_t>(content_length_, kMaxReserve));
    state_ = State::kBody;
  } else {
    state_ = State::kComplete;
  }
  return true;
}

size_t RequestParser::FeedBody(std::string_view data) {
  if (chunked_) return FeedChunked(data);
  const size_t n = std::min<uint64_t>(body_remaining_, data.size());
  request_->body.append(data.data(), n);
  body_remaining_ -= n;
  if (body_remaining_ == 0) state_ = State::kComplete;
  return n;
}

size_t RequestParser::FeedChunked(std::string_view data) {
  size_t pos = 0;
  while (pos < data.size()) {
    switch (chunk_state_) {
      case ChunkState::kSize: {
        const size_t lf = data.find('\n', pos);
        if (lf == std::string_view::npos) {
          if (PendingLineBytes(data.substr(pos)) > kMaxChunkLine) {
            Fail(400, "chunk size line too long");
            return 0;
          }
          return pos;
        }
        if (lf == pos || data[lf - 1] != '\r') {
          Fail(400, "bare LF in chunked body");
          return 0;
        }
        const std::string_view line = data.substr(pos, lf - 1 - pos);
        if (line.size() > kMaxChunkLine) {
          Fail(400, "chunk size line too long");
          return 0;
        }
        uint64_t size = 0;
        size_t j = 0;
        for (; j < line.size(); ++j) {
          const int h = HexDigitValue(line[j]);
          if (h < 0) break;
          if (size > (std::numeric_limits<uint64_t>::max() >> 4)) {
            Fail(400, "chunk size overflow");
            return 0;
          }
          size = size * 16 + h;
        }
        if (j == 0) {
          Fail(400, "invalid chunk size");
          return 0;
        }
        // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ),
        // accepted and ignored; only its characters are checked.
        std::string_view ext = line.substr(j);
        while (!ext.empty() && IsOws(ext.front())) ext.remove_prefix(1);
        if (!ext.empty()) {
          if (ext.front() != ';') {
            Fail(400, "invalid chunk size");
            return 0;
          }
          for (char c : ext) {
            if (!kChars.value[static_cast<unsigned char>(c)]) {
              Fail(400, "invalid chunk extension");
              return 0;
            }
          }
        }
        if (size > limits_.max_body_bytes - request_->body.size()) {
          Fail(413, "request body too large");
          return 0;
        }
        pos = lf + 1;
        if (size == 0) {
          chunk_state_ = ChunkState::kTrailer;
        } else {
          body_remaining_ = size;
          chunk_state_ = ChunkState::kData;
        }
        break;
      }
      case ChunkState::kData: {
        const size_t n = std::min<uint64_t>(body_remaining_, data.size() - pos);
        request_->body.append(data.data() + pos, n);
        pos += n;
        body_remaining_ -= n;
        if (body_remaining_ == 0) chunk_state_ = ChunkState::kDataCrlf;
        break;
      }
      case ChunkState::kDataCrlf:
        if (data.size() - pos < 2) return pos;
        if (data[pos] != '\r' || data[pos + 1] != '\n') {
          Fail(400, "missing CRLF after chunk data");
          return 0;
        }
        pos += 2;
        chunk_state_ = ChunkState::kSize;
        break;
      case ChunkState::kTrailer: {
        const size_t lf = data.find('\n', pos);
        if (lf == std::string_view::npos) {
          if (trailer_bytes_ + PendingLineBytes(data.substr(pos)) > limits_.max_header_bytes) {
            Fail(431, "trailer section too large");
            return 0;
          }
          return pos;
        }
        if (lf == pos || data[lf - 1] != '\r') {
          Fail(400, "bare LF in trailer section");
          return 0;
        }
        const std::string_view line = data.substr(pos, lf - 1 - pos);
        pos = lf + 1;
        if (line.empty()) {
          state_ = State::kComplete;
          return pos;
        }
        // Trailer fields are checked for syntax and then dropped: nothing
        // in the mock depends on them.
        const size_t colon = line.find(':');
        if (IsOws(line.front()) || colon == std::string_view::npos ||
            !IsToken(line.substr(0, colon))) {
          Fail(400, "malformed trailer field");
          return 0;
        }
        for (char c : line.substr(colon + 1)) {
          if (!kChars.value[static_cast<unsigned char>(c)]) {
            Fail(400, "invalid character in trailer field");
            return 0;
          }
        }
        trailer_bytes_ += line.size() + 2;
        if (trailer_bytes_ > limits_.max_header_bytes ||
            ++trailer_fields_ > limits_.max_headers) {
          Fail(431, "trailer section too large");
          return 0;
        }
        break;
      }
    }
  }
  return pos;
}

}  // namespace pimsim::http
