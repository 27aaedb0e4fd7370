// A blocking HTTP/1.1 client over one TCP socket, for tests: it sends exactly
// the bytes it is given (so malformed requests can be sent) and reads one
// response at a time (Content-Length or until close).
//
// Thread-safety: one client per thread.
//
//   TestClient c(port);
//   c.Send("GET /api/rest/v1 HTTP/1.1\r\nHost: x\r\n\r\n");
//   absl::StatusOr<TestResponse> r = c.Read();
#ifndef PIMSIM_TESTS_HTTP_TEST_CLIENT_H_
#define PIMSIM_TESTS_HTTP_TEST_CLIENT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace pimsim::testing {

struct TestResponse {
  int status = 0;
  // Lower-cased names.
  std::map<std::string, std::string> headers;
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

class TestClient {
 public:
  explicit TestClient(uint16_t port, absl::Duration timeout = absl::Seconds(10));
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  absl::Status Send(absl::string_view bytes);
  // Reads one response. Errors: kUnavailable when the server closed the
  // connection before a full response, kDeadlineExceeded on timeout,
  // kAborted on a reset.
  absl::StatusOr<TestResponse> Read();
  // True if the server closed the socket (reads EOF) within `wait`.
  bool ClosedByServer(absl::Duration wait = absl::Seconds(5));

  // Sends a well-formed request and reads the response.
  absl::StatusOr<TestResponse> Call(absl::string_view method, absl::string_view target,
                                    const std::vector<std::pair<std::string, std::string>>& headers = {},
                                    absl::string_view body = "");

 private:
  absl::Status Fill();
  int fd_ = -1;
  absl::Duration timeout_;
  std::string buffer_;
};

// Credentials of the default connection: "Basic base64(pimsim:pimsim)".
std::string BasicAuth(absl::string_view client_id, absl::string_view secret);

// Obtains an access token (password grant) and returns "Bearer <token>".
absl::StatusOr<std::string> BearerToken(uint16_t port, absl::string_view client_id = "pimsim",
                                        absl::string_view secret = "pimsim",
                                        absl::string_view prefix = "");

}  // namespace pimsim::testing

#endif  // PIMSIM_TESTS_HTTP_TEST_CLIENT_H_
