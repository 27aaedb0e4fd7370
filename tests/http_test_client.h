// An HTTP/1.1 client for the integration tests: the raw-socket client of the
// HTTP server's tests (mock_pim/http/test_client.h), plus well-formed calls
// and the Akeneo token dance. It sends exactly the bytes it is given, so
// malformed requests can be sent too.
//
// Thread-safety: one client per thread.
//
//   TestClient c(port);
//   absl::StatusOr<TestResponse> r = c.Call("GET", "/api/rest/v1", {});
#ifndef PIMSIM_TESTS_HTTP_TEST_CLIENT_H_
#define PIMSIM_TESTS_HTTP_TEST_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mock_pim/http/test_client.h"

namespace pimsim::testing {

// Header() looks names up case-insensitively.
using TestResponse = http::TestResponse;

class TestClient {
 public:
  explicit TestClient(uint16_t port, absl::Duration timeout = absl::Seconds(10));

  bool connected() const { return socket_ != nullptr; }
  absl::Status Send(absl::string_view bytes);
  // Reads one final response (interim 1xx responses are skipped). An error
  // when the server closed or reset the connection first, or on timeout.
  absl::StatusOr<TestResponse> Read();
  // True if the server closed or reset the socket within `wait`.
  bool ClosedByServer(absl::Duration wait = absl::Seconds(5));

  // Sends a well-formed request (Host and Content-Length added) and reads
  // the response.
  absl::StatusOr<TestResponse> Call(absl::string_view method, absl::string_view target,
                                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                                    absl::string_view body = "");

 private:
  std::unique_ptr<http::TestClient> socket_;
  absl::Duration timeout_;
};

// "Basic base64(client_id:secret)".
std::string BasicAuth(absl::string_view client_id, absl::string_view secret);

// Obtains an access token (password grant) and returns "Bearer <token>".
absl::StatusOr<std::string> BearerToken(uint16_t port, absl::string_view client_id = "pimsim",
                                        absl::string_view secret = "pimsim",
                                        absl::string_view prefix = "");

}  // namespace pimsim::testing

#endif  // PIMSIM_TESTS_HTTP_TEST_CLIENT_H_
