// A blocking raw-socket HTTP/1.1 client for the server tests: it sends
// exactly the bytes it is given (malformed ones included) and reads
// responses framed by Content-Length, or everything up to EOF / RST.
//
// Thread-safety: one client per thread.
//
//   auto c = TestClient::Connect(port);
//   c->Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
//   absl::StatusOr<TestResponse> r = c->ReadResponse();
#ifndef PIMSIM_MOCK_PIM_HTTP_TEST_CLIENT_H_
#define PIMSIM_MOCK_PIM_HTTP_TEST_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace pimsim::http {

struct TestResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Case-insensitive; empty if absent.
  std::string Header(std::string_view name) const;
};

class TestClient {
 public:
  // How a read of the rest of the stream ended.
  enum class End { kEof, kReset, kTimeout, kError };
  struct Rest {
    std::string data;
    End end = End::kError;
  };

  static absl::StatusOr<std::unique_ptr<TestClient>> Connect(uint16_t port);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool Send(std::string_view data);
  // Reads one response (an interim 1xx too). The body is framed by
  // Content-Length; without one it is empty. Error on EOF/reset/timeout.
  absl::StatusOr<TestResponse> ReadResponse(absl::Duration timeout = absl::Seconds(10));
  // Reads until EOF, reset or timeout; returns what came (after anything
  // already buffered) and how it ended.
  Rest ReadUntilClosed(absl::Duration timeout = absl::Seconds(10));
  // Half-close: send FIN, keep reading.
  void ShutdownWrite();
  // Close with RST (SO_LINGER 0).
  void Reset();
  int fd() const { return fd_; }

 private:
  explicit TestClient(int fd) : fd_(fd) {}
  // Reads more bytes into buffer_; false on EOF/error/timeout.
  bool Fill(absl::Time deadline, End* end);

  int fd_;
  std::string buffer_;
};

}  // namespace pimsim::http

#endif  // PIMSIM_MOCK_PIM_HTTP_TEST_CLIENT_H_
