// HTTP/1.1 request and response values exchanged between the mock's I/O shell
// (http_server.h) and its pure core, plus the response serializer.
//
// These are plain values: no sockets, no time. The parser (http_parser.h)
// fills an HttpRequest; the core answers with an HttpResponse, which the
// server frames with SerializeResponse (status line, Date, Content-Length,
// Connection, the handler's headers, body).
//
// Thread-safety: plain structs; the free functions are thread-safe.
//
//   HttpResponse r;
//   r.headers.push_back({"Content-Type", "application/json"});
//   r.body = R"({"code":404})"; r.status = 404;
//   std::string wire; SerializeResponse(r, /*keep_alive=*/true, &wire);
#ifndef PIMSIM_MOCK_PIM_HTTP_HTTP_MESSAGE_H_
#define PIMSIM_MOCK_PIM_HTTP_HTTP_MESSAGE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_response.h"

namespace pimsim::http {

// A response header (common/http_response.h).
using Header = ::pimsim::HttpHeader;

// A request header field. It views bytes held by the HttpRequest it belongs
// to (see HttpRequest::AddHeader).
struct RequestHeader {
  std::string_view name;
  std::string_view value;
};

struct HttpRequest {
  HttpRequest() = default;
  // A copy holds its own copy of the header bytes. Moves keep them where
  // they are, so the views stay valid in the moved-to request.
  HttpRequest(const HttpRequest& other);
  HttpRequest& operator=(const HttpRequest& other);
  HttpRequest(HttpRequest&&) noexcept = default;
  HttpRequest& operator=(HttpRequest&&) noexcept = default;

  std::string method;
  // The request target as sent. For an absolute-form target
  // ("http://host/p?q") this keeps the full form while path/query are split
  // out of it ("/p", "q").
  std::string target;
  // Not percent-decoded. Never empty for origin- and absolute-form targets.
  std::string path;
  // After the first '?', without it; empty if none.
  std::string query;
  int version_minor = 1;  // HTTP/1.<minor>; the parser accepts 0 and 1 only.
  // In order received, names as sent. Added with AddHeader; the views stay
  // valid while this request lives (or the one it is moved to), until Clear().
  std::vector<RequestHeader> headers;
  std::string body;  // De-chunked if Transfer-Encoding: chunked.
  // From the version and the Connection header (HTTP/1.1: unless "close";
  // HTTP/1.0: only with "keep-alive").
  bool keep_alive = true;
  // The client sent "Expect: 100-continue".
  bool expect_continue = false;

  // Case-insensitive lookup of the first header with this name; empty
  // string_view if absent.
  std::string_view Get(std::string_view name) const;

  // Appends a header, copying name and value into this request's storage.
  void AddHeader(std::string_view name, std::string_view value);

  // Empties every field but keeps the allocated capacity, header storage
  // included, so that a request object reused for the next request on a
  // connection costs no allocation.
  void Clear();

 private:
  // Room for `n` header bytes that never move.
  char* HeaderBytes(size_t n);

  // Header bytes, in blocks that are never reallocated: a header's views
  // stay valid however many follow it. Kept by Clear().
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size = 0;
  };
  std::vector<Block> header_blocks_;
  size_t block_ = 0;       // The block being filled.
  size_t block_used_ = 0;  // Bytes used in it.
};

// A response to frame and write (common/http_response.h).
using HttpResponse = ::pimsim::HttpResponse;

// The status line's phrase (common/http_response.h).
using ::pimsim::ReasonPhrase;

// How a response is framed for one particular request.
struct ResponseFraming {
  bool keep_alive = true;
  // The request's HTTP/1.<minor>. A kept-alive HTTP/1.0 connection gets an
  // explicit "Connection: keep-alive".
  int request_version_minor = 1;
  // An IMF-fixdate for the Date header; no Date header if empty.
  std::string_view date;
};

// Appends the status line and header block (up to and including the empty
// line) to *out. Content-Length is the body size unless the response carries
// its own; it is omitted for 1xx, 204 and 304.
void SerializeResponseHead(const HttpResponse& r, const ResponseFraming& framing,
                           std::string* out);

// Appends the whole serialized response (head and body) to *out, without a
// Date header.
void SerializeResponse(const HttpResponse& r, bool keep_alive, std::string* out);

// The scheme and authority a response's absolute URLs are built on
// ("https://pim.example:8443"), as the client reached the server: the first
// value of X-Forwarded-Proto ("http" or "https") and of X-Forwarded-Host when
// a proxy in front sets them; else the scheme and authority of an
// absolute-form target; else `secure` and the Host header. Empty when there
// is no host, or it is not a plain host[:port] (letters, digits and
// "-._~:[]%", at most 255 bytes): the URLs are then paths.
std::string RequestOrigin(const HttpRequest& request, bool secure);

// A JSON error response in Akeneo's shape: {"code":N,"message":"..."}, with
// Content-Type application/json. `message` may echo request bytes: invalid
// UTF-8 in it is replaced (common/json_string.h).
HttpResponse JsonErrorResponse(int status, std::string_view message);

}  // namespace pimsim::http

#endif  // PIMSIM_MOCK_PIM_HTTP_HTTP_MESSAGE_H_
