// An HTTP response as data, and the status facts written once: the reason
// phrase of each status code and Akeneo's error body
// {"code":N,"message":"..."}. Apart from any transport, so that the mock's
// core answers in it without linking the HTTP server (which frames and
// writes it, mock_pim/http/http_message.h) and the API's error answers and
// the server's own share one error body.
//
// Thread-safety: plain data and pure functions.
//
//   HttpResponse r{.status = 404};
//   r.body = JsonErrorBody(404, "Not found \"x\"");  // {"code":404,"message":"Not found \"x\""}
//   ReasonPhrase(503);                               // "Service Unavailable"
#ifndef PIMSIM_COMMON_HTTP_RESPONSE_H_
#define PIMSIM_COMMON_HTTP_RESPONSE_H_

#include <string>
#include <string_view>
#include <vector>

namespace pimsim {

// A response header.
struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpResponse {
  int status = 200;
  // Written as the Content-Type header when not empty (instead of a
  // Content-Type in `headers`). A view: what it views must outlive the
  // response's write, as a constant does.
  std::string_view content_type;
  // Extra headers (Content-Type, Location, Retry-After, ...). Connection and
  // Transfer-Encoding are the server's business and are dropped. A
  // Content-Length given here replaces the computed one (for HEAD answers).
  std::vector<HttpHeader> headers;
  std::string body;  // Content-Length is added by the server.
  // Sent instead of `body` when not empty, without a copy: for constant
  // bodies (error answers). A view, like content_type.
  std::string_view constant_body;
  bool close = false;  // Send "Connection: close" and close after writing.

  // The body that is sent: constant_body if set, else body.
  std::string_view payload() const { return constant_body.empty() ? body : constant_body; }
};

// "OK", "Not Found", ...; "Unknown" for a status without a registered phrase.
std::string_view ReasonPhrase(int status);

// {"code":status,"message":message}. `message` may echo request bytes:
// invalid UTF-8 in it is replaced (common/json_string.h).
std::string JsonErrorBody(int status, std::string_view message);

}  // namespace pimsim

#endif  // PIMSIM_COMMON_HTTP_RESPONSE_H_
