#include "mock_pim/http/http_message.h"

#include <cstdio>
#include <ctime>

#include "absl/strings/str_format.h"
#include "mock_pim/http/ascii_util.h"

namespace pimsim::http {

std::string_view HttpRequest::Get(std::string_view name) const {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

void HttpRequest::Clear() {
  method.clear();
  target.clear();
  path.clear();
  query.clear();
  version_minor = 1;
  headers.clear();
  body.clear();
  keep_alive = true;
  expect_continue = false;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Entity";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

namespace {

void AppendUint(uint64_t v, std::string* out) {
  char buf[20];
  char* p = buf + sizeof(buf);
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out->append(p, buf + sizeof(buf) - p);
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
  out->append("HTTP/1.1 ");
  AppendUint(status, out);
  out->push_back(' ');
  out->append(ReasonPhrase(status));
  out->append("\r\n");
  if (!framing.date.empty()) {
    out->append("Date: ");
    out->append(framing.date);
    out->append("\r\n");
  }
  bool has_length = false;
  for (const Header& h : r.headers) {
    if (IsFramingHeader(h.name)) continue;
    if (EqualsIgnoreCase(h.name, "Content-Length")) has_length = true;
    out->append(h.name);
    out->append(": ");
    out->append(h.value);
    out->append("\r\n");
  }
  const bool bodyless = status < 200 || status == 204 || status == 304;
  if (!has_length && !bodyless) {
    out->append("Content-Length: ");
    AppendUint(r.body.size(), out);
    out->append("\r\n");
  }
  if (!framing.keep_alive) {
    out->append("Connection: close\r\n");
  } else if (framing.request_version_minor == 0) {
    out->append("Connection: keep-alive\r\n");
  }
  out->append("\r\n");
}

void SerializeResponse(const HttpResponse& r, bool keep_alive, std::string* out) {
  ResponseFraming framing;
  framing.keep_alive = keep_alive;
  SerializeResponseHead(r, framing, out);
  out->append(r.body);
}

std::string FormatHttpDate(int64_t unix_seconds) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  return absl::StrFormat("%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                         kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                         tm.tm_sec);
}

HttpResponse JsonErrorResponse(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", "application/json"});
  std::string& b = r.body;
  b.reserve(message.size() + 32);
  b.append("{\"code\":");
  AppendUint(status, &b);
  b.append(",\"message\":\"");
  for (char c : message) {
    switch (c) {
      case '"': b.append("\\\""); break;
      case '\\': b.append("\\\\"); break;
      case '\n': b.append("\\n"); break;
      case '\r': b.append("\\r"); break;
      case '\t': b.append("\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          b.append(absl::StrFormat("\\u%04x", static_cast<unsigned char>(c)));
        } else {
          b.push_back(c);
        }
    }
  }
  b.append("\"}");
  return r;
}

}  // namespace pimsim::http
