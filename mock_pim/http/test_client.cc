#include "mock_pim/http/test_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "mock_pim/http/ascii_util.h"

namespace pimsim::http {

std::string TestResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return "";
}

absl::StatusOr<std::unique_ptr<TestClient>> TestClient::Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    ::close(fd);
    return absl::UnavailableError(absl::StrCat("connect: ", std::strerror(err)));
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return std::unique_ptr<TestClient>(new TestClient(fd));
}

TestClient::~TestClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool TestClient::Send(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool TestClient::Fill(absl::Time deadline, End* end) {
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      *end = End::kTimeout;
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(left)) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) continue;  // Re-check the deadline.
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n > 0) {
      buffer_.append(buf, static_cast<size_t>(n));
      return true;
    }
    if (n == 0) {
      *end = End::kEof;
      return false;
    }
    if (errno == EINTR || errno == EAGAIN) continue;
    *end = errno == ECONNRESET ? End::kReset : End::kError;
    return false;
  }
}

absl::StatusOr<TestResponse> TestClient::ReadResponse(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  End end = End::kError;
  size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(deadline, &end)) {
      return absl::UnavailableError(absl::StrCat("no complete response head (end ",
                                                 static_cast<int>(end), "), got: ", buffer_));
    }
  }
  const std::string head = buffer_.substr(0, head_end);
  TestResponse r;
  size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || status_line.compare(0, 9, "HTTP/1.1 ") != 0 ||
      !absl::SimpleAtoi(status_line.substr(9, 3), &r.status)) {
    return absl::DataLossError(absl::StrCat("bad status line: ", status_line));
  }
  while (line_end != std::string::npos) {
    const size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line = head.substr(start, line_end == std::string::npos
                                                    ? std::string::npos
                                                    : line_end - start);
    const size_t colon = line.find(':');
    if (colon == std::string::npos) return absl::DataLossError("bad header: " + line);
    size_t v = colon + 1;
    while (v < line.size() && line[v] == ' ') ++v;
    r.headers.emplace_back(line.substr(0, colon), line.substr(v));
  }
  buffer_.erase(0, head_end + 4);
  size_t length = 0;
  const std::string cl = r.Header("Content-Length");
  if (!cl.empty() && !absl::SimpleAtoi(cl, &length)) {
    return absl::DataLossError("bad Content-Length: " + cl);
  }
  while (buffer_.size() < length) {
    if (!Fill(deadline, &end)) {
      return absl::UnavailableError(absl::StrCat("body cut off at ", buffer_.size(), " of ",
                                                 length, " bytes (end ", static_cast<int>(end),
                                                 ")"));
    }
  }
  r.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return r;
}

TestClient::Rest TestClient::ReadUntilClosed(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  Rest rest;
  while (Fill(deadline, &rest.end)) {
  }
  rest.data = std::move(buffer_);
  buffer_.clear();
  return rest;
}

void TestClient::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

void TestClient::Reset() {
  linger l{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
  ::close(fd_);
  fd_ = -1;
}

}  // namespace pimsim::http
