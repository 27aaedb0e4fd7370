// Transport: how the client core sends one HTTP request and hears back.
//
// The core hands a Transport a complete request and a callback; the
// Transport calls it exactly once, later (never from inside Send), on the
// loop's thread, with the response or with what went wrong. Implementations:
// CurlLoop (libcurl's multi interface, curl_loop.h) and, in tests, a fake on
// a VirtualScheduler (testing/fake_transport.h).
#ifndef PIMSIM_CLIENT_TRANSPORT_H_
#define PIMSIM_CLIENT_TRANSPORT_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace pimsim::client {

struct HttpRequest {
  std::string method;
  std::string url;  // absolute: scheme, host, port, path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Connecting may take this long ...
  absl::Duration connect_timeout = absl::Seconds(10);
  // ... and the whole exchange this long (a hung response ends here).
  absl::Duration timeout = absl::Seconds(60);
};

enum class TransportError {
  kNone,
  // No connection was made: nothing of the request reached the server.
  kConnect,
  // The response did not complete within the timeout.
  kTimeout,
  // The connection closed or reset before the response was complete
  // (before it began, or cut off mid-body).
  kDisconnected,
  // Anything else the transport could not do (bad URL, TLS failure ...).
  kOther,
};

const char* TransportErrorName(TransportError e);

struct HttpResponse {
  // 0 when `error` is set.
  int status = 0;
  // Names in lower case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  TransportError error = TransportError::kNone;
  std::string error_message;

  // The first header of that (lower-case) name, or nullptr.
  const std::string* Header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return &v;
    }
    return nullptr;
  }
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual void Send(HttpRequest request, std::function<void(HttpResponse)> done) = 0;
};

}  // namespace pimsim::client

#endif  // PIMSIM_CLIENT_TRANSPORT_H_
