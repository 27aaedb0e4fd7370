// Incremental, strict HTTP/1.1 request parser (RFC 9112) with size limits.
//
// The parser works on the caller's receive buffer: Feed() is given all the
// bytes not yet consumed and returns how many it consumed. While the head
// (request line + header fields) is incomplete it consumes nothing but
// remembers how far it has scanned, so feeding a request one byte at a time
// costs O(n) overall. Body bytes are copied into request().body (de-chunked)
// as they arrive, so the caller's buffer never has to hold a whole body.
//
// Feed() stops at two points so the caller can act on them: right after the
// head is complete (state() leaves kHead: time-stamp the arrival, answer
// "Expect: 100-continue") and right after the message is complete
// (kComplete). Bytes after the message (pipelined requests) are left alone.
//
// Every error carries the status to answer with (error_status()) and a
// reason; after an error the connection must be closed.
//   400 malformed request line / field / chunk, bare CR or LF, NUL, bad or
//       duplicate Content-Length, Content-Length with Transfer-Encoding,
//       missing or repeated Host in HTTP/1.1, obs-fold
//   413 body larger than max_body_bytes (known from Content-Length before
//       any body byte is read; for chunked bodies as soon as it grows past)
//   414 request target longer than max_target_bytes, or a request line
//       longer than max_target_bytes + 64 (400 if no method and space start
//       it)
//   431 header section larger than max_header_bytes or with more than
//       max_headers fields (also applies to chunked trailers)
//   501 a transfer coding other than chunked
//   505 a version other than HTTP/1.0 and HTTP/1.1 (e.g. the HTTP/2 preface)
// Line endings must be CRLF: a bare LF or CR is a 400 (never guessed at,
// so no request smuggling through framing ambiguities). A line or section
// that outgrows its limit is refused before its end arrives; otherwise where
// the reads end never changes whether a request is accepted.
//
// Thread-safety: none; one parser per connection.
//
//   RequestParser parser;
//   size_t n = parser.Feed(buffer);  buffer.erase(0, n);
//   if (parser.state() == RequestParser::State::kComplete) Use(parser.request());
#ifndef PIMSIM_MOCK_PIM_HTTP_HTTP_PARSER_H_
#define PIMSIM_MOCK_PIM_HTTP_HTTP_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mock_pim/http/http_message.h"

namespace pimsim::http {

struct ParserLimits {
  // Header fields (everything between the request line and the empty line).
  size_t max_header_bytes = 16 * 1024;
  size_t max_headers = 100;
  size_t max_body_bytes = 16 * 1024 * 1024;
  size_t max_target_bytes = 8 * 1024;
};

class RequestParser {
 public:
  enum class State {
    kHead,      // Reading the request line and header fields.
    kBody,      // Head complete; reading the body.
    kComplete,  // request() holds a complete request.
    kError,     // error_status() / error_reason() say why.
  };

  explicit RequestParser(ParserLimits limits = {});

  // Consumes a prefix of `data`, which must start with the bytes left
  // unconsumed by the previous call. Returns the number of bytes consumed.
  size_t Feed(std::string_view data);

  State state() const { return state_; }
  bool head_complete() const { return state_ == State::kBody || state_ == State::kComplete; }
  // True once the head is complete if a body follows (non-zero
  // Content-Length or chunked).
  bool has_body() const { return chunked_ || content_length_ > 0; }

  HttpRequest& request() { return *request_; }
  const HttpRequest& request() const { return *request_; }

  // Hands over the request (complete or not) and goes on with `next`, as
  // Reset() does. `next` may be a request handed over earlier whose use has
  // ended: its capacity is reused. Null: a new one.
  std::unique_ptr<HttpRequest> TakeRequest(std::unique_ptr<HttpRequest> next);

  int error_status() const { return error_status_; }
  const std::string& error_reason() const { return error_reason_; }

  // Readies the parser for the next request, keeping allocated capacity.
  void Reset();

  // Bytes of the current request consumed so far (head and body on the wire).
  uint64_t bytes_consumed() const { return consumed_total_; }

 private:
  enum class ChunkState { kSize, kData, kDataCrlf, kTrailer };

  size_t FeedHead(std::string_view data);
  size_t FeedBody(std::string_view data);
  size_t FeedChunked(std::string_view data);
  void FailLongRequestLine(std::string_view line);
  bool ParseRequestLine(std::string_view line);
  bool ParseTarget(std::string_view target);
  bool ParseFields(std::string_view fields);
  bool ParseField(std::string_view line);
  bool FinishHead();
  void Fail(int status, std::string_view reason);

  const ParserLimits limits_;
  State state_ = State::kHead;
  std::unique_ptr<HttpRequest> request_;  // Never null.
  int error_status_ = 0;
  std::string error_reason_;
  uint64_t consumed_total_ = 0;

  // Head scanning, offsets into the unconsumed data passed to Feed().
  size_t scanned_ = 0;            // Bytes already searched for LF.
  size_t line_start_ = 0;         // Start of the line being scanned.
  size_t request_line_end_ = 0;   // Offset of the request line's CRLF; 0 = not seen.
  size_t field_lines_ = 0;

  // Framing found in the head.
  bool chunked_ = false;
  bool saw_content_length_ = false;
  bool saw_transfer_encoding_ = false;
  bool saw_connection_close_ = false;
  bool saw_connection_keep_alive_ = false;
  int host_count_ = 0;
  uint64_t content_length_ = 0;
  uint64_t body_remaining_ = 0;  // Of Content-Length or of the current chunk.

  ChunkState chunk_state_ = ChunkState::kSize;
  size_t trailer_bytes_ = 0;
  size_t trailer_fields_ = 0;
};

}  // namespace pimsim::http

#endif  // PIMSIM_MOCK_PIM_HTTP_HTTP_PARSER_H_
