// Fuzzes RequestParser with a connection's byte stream, fed as the server
// feeds it: every unconsumed byte each time, in arriving reads, pipelined
// requests one after the other, each request handed over with TakeRequest
// and reused as the next one's storage.
//
// Input: one control byte, then the stream. The control byte seeds the read
// sizes (1 byte, a few bytes, or up to 4 KiB at a time) and, with its top
// bit, picks small parser limits so 413, 414 and 431 are within reach.
//
// Properties: the stream parses into the same requests (every field) and
// ends in the same state and error status whether it arrives in those reads
// or all at once (but for an early size error, below); consumed byte counts
// add up (and agree unless the stream ends in an error); the error answer the
// server sends is a JSON body.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bazel/fuzz_check.h"
#include "mock_pim/http/http_message.h"
#include "mock_pim/http/http_parser.h"

namespace pimsim::http {
namespace {

using State = RequestParser::State;

struct Parsed {
  std::string method, target, path, query, body;
  int version_minor = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = false;
  bool expect_continue = false;
  uint64_t wire_bytes = 0;

  bool operator==(const Parsed& o) const {
    return method == o.method && target == o.target && path == o.path && query == o.query &&
           body == o.body && version_minor == o.version_minor && headers == o.headers &&
           keep_alive == o.keep_alive && expect_continue == o.expect_continue &&
           wire_bytes == o.wire_bytes;
  }
};

struct Outcome {
  std::vector<Parsed> requests;
  State state = State::kHead;  // Where the parser stopped.
  int error_status = 0;
  std::string error_reason;
  size_t consumed = 0;  // Stream bytes consumed in all.
};

// The errors the parser raises on an unfinished line or section that is
// already too long (FeedHead, FeedChunked).
bool EarlyLimitError(std::string_view reason) {
  return reason == "request target too long" || reason == "malformed request line" ||
         reason == "request header fields too large" || reason == "chunk size line too long" ||
         reason == "trailer section too large";
}

// splitmix64: read sizes from the control byte.
class Reads {
 public:
  explicit Reads(uint8_t seed) : state_(seed) {}
  size_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    switch (z & 3) {
      case 0:
        return 1;
      case 1:
        return 1 + (z >> 8) % 16;
      default:
        return 1 + (z >> 8) % 4096;
    }
  }

 private:
  uint64_t state_;
};

Parsed Capture(const HttpRequest& r, uint64_t wire_bytes) {
  Parsed p;
  p.method = r.method;
  p.target = r.target;
  p.path = r.path;
  p.query = r.query;
  p.body = r.body;
  p.version_minor = r.version_minor;
  for (const RequestHeader& h : r.headers) p.headers.emplace_back(h.name, h.value);
  p.keep_alive = r.keep_alive;
  p.expect_continue = r.expect_continue;
  p.wire_bytes = wire_bytes;
  return p;
}

// Parses `stream` arriving in reads of `reads` bytes (all at once if null).
// The unconsumed bytes are always stream[consumed, received): the parser is
// handed a view of them, as the server hands it its receive buffer.
Outcome Parse(std::string_view stream, const ParserLimits& limits, Reads* reads) {
  Outcome out;
  RequestParser parser(limits);
  std::unique_ptr<HttpRequest> spare;
  size_t received = 0;
  uint64_t request_bytes = 0;
  while (true) {
    // Feed until the parser wants more bytes than have arrived.
    while (true) {
      const size_t n = parser.Feed(stream.substr(out.consumed, received - out.consumed));
      FUZZ_CHECK(n <= received - out.consumed);
      out.consumed += n;
      request_bytes += n;
      FUZZ_CHECK(parser.bytes_consumed() == request_bytes);
      if (parser.state() == State::kError) {
        FUZZ_CHECK(n == 0);
        FUZZ_CHECK(parser.error_status() >= 400 && parser.error_status() <= 505);
        FUZZ_CHECK(!parser.error_reason().empty());
        // The server answers with the reason as a JSON error body.
        const HttpResponse answer = JsonErrorResponse(parser.error_status(), parser.error_reason());
        const nlohmann::json body =
            nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
        FUZZ_CHECK(body.is_object() && body["code"] == parser.error_status());
        FUZZ_CHECK(parser.Feed(stream.substr(out.consumed, received - out.consumed)) == 0);
        out.state = State::kError;
        out.error_status = parser.error_status();
        out.error_reason = parser.error_reason();
        return out;
      }
      if (parser.state() == State::kComplete) {
        FUZZ_CHECK(!parser.request().method.empty());
        FUZZ_CHECK(parser.request().body.size() <= limits.max_body_bytes);
        FUZZ_CHECK(parser.request().headers.size() <= limits.max_headers);
        // Reuse the previous request's storage, as the server does.
        std::unique_ptr<HttpRequest> taken = parser.TakeRequest(std::move(spare));
        out.requests.push_back(Capture(*taken, request_bytes));
        spare = std::move(taken);
        request_bytes = 0;
        FUZZ_CHECK(parser.state() == State::kHead && parser.bytes_consumed() == 0);
        continue;
      }
      if (n == 0 || out.consumed == received) break;
    }
    if (received == stream.size()) break;
    received += reads == nullptr ? stream.size() - received
                                 : std::min(reads->Next(), stream.size() - received);
  }
  out.state = parser.state();
  return out;
}

}  // namespace
}  // namespace pimsim::http

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pimsim::http;
  if (size == 0) return 0;
  const uint8_t control = data[0];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  ParserLimits limits;
  if (control & 0x80) {
    limits.max_header_bytes = 256;
    limits.max_headers = 8;
    limits.max_body_bytes = 64;
    limits.max_target_bytes = 64;
  }
  Reads reads(control);
  const Outcome whole = Parse(stream, limits, nullptr);
  const Outcome split = Parse(stream, limits, &reads);
  FUZZ_CHECK(whole.requests.size() == split.requests.size());
  for (size_t i = 0; i < whole.requests.size(); ++i) {
    FUZZ_CHECK(whole.requests[i] == split.requests[i]);
  }
  FUZZ_CHECK(whole.state == split.state);
  // A request line, header section, chunk-size line or trailer section that
  // outgrows its limit before its end has arrived is answered at once; the
  // whole stream may show another error in it first.
  FUZZ_CHECK(whole.error_status == split.error_status || EarlyLimitError(split.error_reason));
  // After an error nothing more is read, so what was consumed does not
  // matter (empty lines skipped before a bad request line may or may not
  // count).
  if (whole.state != State::kError) FUZZ_CHECK(whole.consumed == split.consumed);
  return 0;
}
