#include "mock_pim/http/http_message.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_format.h"
#include "common/json_string.h"
#include "mock_pim/http/ascii_util.h"

namespace pimsim::http {

std::string_view HttpRequest::Get(std::string_view name) const {
  for (const RequestHeader& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

HttpRequest::HttpRequest(const HttpRequest& other) { *this = other; }

HttpRequest& HttpRequest::operator=(const HttpRequest& other) {
  if (this == &other) return *this;
  // Every field but the header storage, which is rebuilt below.
  method = other.method;
  target = other.target;
  path = other.path;
  query = other.query;
  version_minor = other.version_minor;
  body = other.body;
  keep_alive = other.keep_alive;
  expect_continue = other.expect_continue;
  headers.clear();
  block_ = block_used_ = 0;
  for (const RequestHeader& h : other.headers) AddHeader(h.name, h.value);
  return *this;
}

char* HttpRequest::HeaderBytes(size_t n) {
  // Blocks are big enough for a usual request's header section, so one is
  // allocated per connection, then reused.
  constexpr size_t kBlockBytes = 2048;
  while (block_ < header_blocks_.size()) {
    Block& b = header_blocks_[block_];
    if (b.size - block_used_ >= n) {
      char* p = b.data.get() + block_used_;
      block_used_ += n;
      return p;
    }
    ++block_;
    block_used_ = 0;
  }
  const size_t size = std::max(kBlockBytes, n);
  header_blocks_.push_back(Block{std::unique_ptr<char[]>(new char[size]), size});
  block_ = header_blocks_.size() - 1;
  block_used_ = n;
  return header_blocks_.back().data.get();
}

void HttpRequest::AddHeader(std::string_view name, std::string_view value) {
  char* p = HeaderBytes(name.size() + value.size());
  if (!name.empty()) std::memcpy(p, name.data(), name.size());
  if (!value.empty()) std::memcpy(p + name.size(), value.data(), value.size());
  headers.push_back(RequestHeader{std::string_view(p, name.size()),
                                  std::string_view(p + name.size(), value.size())});
}

void HttpRequest::Clear() {
  method.clear();
  target.clear();
  path.clear();
  query.clear();
  version_minor = 1;
  headers.clear();
  block_ = block_used_ = 0;
  body.clear();
  keep_alive = true;
  expect_continue = false;
}

namespace {

// Writes the decimal digits of v at the end of buf; returns them.
std::string_view FormatUint(uint64_t v, char (&buf)[20]) {
  char* p = buf + sizeof(buf);
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  return std::string_view(p, buf + sizeof(buf) - p);
}

bool IsFramingHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "Connection") ||
         EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Keep-Alive");
}

}  // namespace

void SerializeResponseHead(const HttpResponse& r, const ResponseFraming& framing,
                           std::string* out) {
  int status = r.status;
  if (status < 100 || status > 999) status = 500;
  const std::string_view reason = ReasonPhrase(status);
  const bool bodyless = status < 200 || status == 204 || status == 304;
  std::string_view connection;
  if (!framing.keep_alive) {
    connection = "Connection: close\r\n";
  } else if (framing.request_version_minor == 0) {
    connection = "Connection: keep-alive\r\n";
  }

  // Sized first, then written in place: one growth of *out at most.
  constexpr std::string_view kDate = "Date: ";
  constexpr std::string_view kType = "Content-Type: ";
  constexpr std::string_view kLength = "Content-Length: ";
  size_t size = 9 + 3 + 1 + reason.size() + 2;  // "HTTP/1.1 429 Too Many Requests\r\n"
  if (!framing.date.empty()) size += kDate.size() + framing.date.size() + 2;
  if (!r.content_type.empty()) size += kType.size() + r.content_type.size() + 2;
  bool has_length = false;
  for (const Header& h : r.headers) {
    if (IsFramingHeader(h.name)) continue;
    if (EqualsIgnoreCase(h.name, "Content-Length")) has_length = true;
    size += h.name.size() + 2 + h.value.size() + 2;
  }
  char length_digits[20];
  std::string_view length;
  if (!has_length && !bodyless) {
    length = FormatUint(r.payload().size(), length_digits);
    size += kLength.size() + length.size() + 2;
  }
  size += connection.size() + 2;

  const size_t start = out->size();
  out->resize(start + size);
  char* p = out->data() + start;
  auto put = [&p](std::string_view s) {
    if (s.empty()) return;  // memcpy must not see a null data().
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  put("HTTP/1.1 ");
  *p++ = static_cast<char>('0' + status / 100);
  *p++ = static_cast<char>('0' + status / 10 % 10);
  *p++ = static_cast<char>('0' + status % 10);
  *p++ = ' ';
  put(reason);
  put("\r\n");
  if (!framing.date.empty()) {
    put(kDate);
    put(framing.date);
    put("\r\n");
  }
  if (!r.content_type.empty()) {
    put(kType);
    put(r.content_type);
    put("\r\n");
  }
  for (const Header& h : r.headers) {
    if (IsFramingHeader(h.name)) continue;
    put(h.name);
    put(": ");
    put(h.value);
    put("\r\n");
  }
  if (!length.empty()) {
    put(kLength);
    put(length);
    put("\r\n");
  }
  put(connection);
  put("\r\n");
}

void SerializeResponse(const HttpResponse& r, bool keep_alive, std::string* out) {
  ResponseFraming framing;
  framing.keep_alive = keep_alive;
  SerializeResponseHead(r, framing, out);
  out->append(r.payload());
}

namespace {

// The first element of a comma-separated header value, without the
// surrounding spaces.
std::string_view FirstListValue(std::string_view v) {
  v = v.substr(0, v.find(','));
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

bool IsPlainAuthority(std::string_view host) {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsAsciiDigit(c) ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == ':' || c == '[' ||
                    c == ']' || c == '%';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string RequestOrigin(const HttpRequest& request, bool secure) {
  std::string_view scheme = secure ? "https" : "http";
  std::string_view host = request.Get("Host");
  // An absolute-form target names the authority itself (RFC 9112 3.2.2).
  for (std::string_view s : {std::string_view("http"), std::string_view("https")}) {
    const std::string_view t = request.target;
    if (t.size() > s.size() + 3 && StartsWithIgnoreCase(t, s) && t.substr(s.size(), 3) == "://") {
      scheme = s;
      const std::string_view rest = t.substr(s.size() + 3);
      host = rest.substr(0, rest.find_first_of("/?"));
    }
  }
  const std::string_view proto = FirstListValue(request.Get("X-Forwarded-Proto"));
  if (EqualsIgnoreCase(proto, "https")) scheme = "https";
  if (EqualsIgnoreCase(proto, "http")) scheme = "http";
  const std::string_view forwarded_host = FirstListValue(request.Get("X-Forwarded-Host"));
  if (!forwarded_host.empty()) host = forwarded_host;
  if (!IsPlainAuthority(host)) return "";
  std::string origin;
  origin.reserve(scheme.size() + 3 + host.size());
  origin.append(scheme).append("://");
  for (char c : host) origin.push_back(AsciiToLower(c));
  return origin;
}

HttpResponse JsonErrorResponse(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", "application/json"});
  r.body = JsonErrorBody(status, message);
  return r;
}

}  // namespace pimsim::http
