#include "tests/http_test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace pimsim::testing {

std::string TestResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

TestClient::TestClient(uint16_t port, absl::Duration timeout) : timeout_(timeout) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd_);
    fd_ = -1;
    return;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

TestClient::~TestClient() {
  if (fd_ >= 0) close(fd_);
}

absl::Status TestClient::Send(absl::string_view bytes) {
  if (fd_ < 0) return absl::UnavailableError("not connected");
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(absl::StrCat("send: ", strerror(errno)));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status TestClient::Fill() {
  pollfd p{fd_, POLLIN, 0};
  int ready = poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(timeout_)));
  if (ready == 0) return absl::DeadlineExceededError("timed out waiting for the server");
  char chunk[16384];
  ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
  if (n == 0) return absl::UnavailableError("connection closed by the server");
  if (n < 0) {
    if (errno == ECONNRESET) return absl::AbortedError("connection reset by the server");
    return absl::UnavailableError(absl::StrCat("recv: ", strerror(errno)));
  }
  buffer_.append(chunk, static_cast<size_t>(n));
  return absl::OkStatus();
}

absl::StatusOr<TestResponse> TestClient::Read() {
  if (fd_ < 0) return absl::UnavailableError("not connected");
  size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (absl::Status s = Fill(); !s.ok()) return s;
  }
  TestResponse r;
  std::vector<std::string> lines = absl::StrSplit(buffer_.substr(0, head_end), "\r\n");
  std::vector<std::string> status_line = absl::StrSplit(lines[0], absl::MaxSplits(' ', 2));
  if (status_line.size() < 2 || !absl::SimpleAtoi(status_line[1], &r.status)) {
    return absl::InternalError(absl::StrCat("bad status line: ", lines[0]));
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    r.headers[absl::AsciiStrToLower(lines[i].substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(lines[i].substr(colon + 1)));
  }
  buffer_.erase(0, head_end + 4);
  if (r.status == 100) return Read();
  size_t length = 0;
  if (r.status == 204 || r.status == 304) return r;  // no body by definition
  if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
    if (!absl::SimpleAtoi(it->second, &length)) return absl::InternalError("bad Content-Length");
    while (buffer_.size() < length) {
      if (absl::Status s = Fill(); !s.ok()) return s;
    }
  } else {
    while (true) {
      absl::Status s = Fill();
      if (absl::IsUnavailable(s)) break;
      if (!s.ok()) return s;
    }
    length = buffer_.size();
  }
  r.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return r;
}

bool TestClient::ClosedByServer(absl::Duration wait) {
  absl::Duration saved = timeout_;
  timeout_ = wait;
  absl::Status s;
  do {
    s = Fill();
  } while (s.ok());
  timeout_ = saved;
  return absl::IsUnavailable(s) || absl::IsAborted(s);
}

absl::StatusOr<TestResponse> TestClient::Call(
    absl::string_view method, absl::string_view target,
    const std::vector<std::pair<std::string, std::string>>& headers, absl::string_view body) {
  std::string req = absl::StrCat(method, " ", target, " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  bool has_length = false;
  for (const auto& [name, value] : headers) {
    absl::StrAppend(&req, name, ": ", value, "\r\n");
    if (absl::EqualsIgnoreCase(name, "content-length")) has_length = true;
  }
  if (!body.empty() && !has_length) absl::StrAppend(&req, "Content-Length: ", body.size(), "\r\n");
  absl::StrAppend(&req, "\r\n", body);
  if (absl::Status s = Send(req); !s.ok()) return s;
  return Read();
}

std::string BasicAuth(absl::string_view client_id, absl::string_view secret) {
  return absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(client_id, ":", secret)));
}

absl::StatusOr<std::string> BearerToken(uint16_t port, absl::string_view client_id,
                                        absl::string_view secret, absl::string_view prefix) {
  TestClient c(port);
  absl::StatusOr<TestResponse> r =
      c.Call("POST", absl::StrCat(prefix, "/api/oauth/v1/token"),
             {{"Authorization", BasicAuth(client_id, secret)},
              {"Content-Type", "application/json"}},
             R"({"grant_type":"password","username":"admin","password":"admin"})");
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return absl::InternalError(absl::StrCat("token request: ", r->status, " ", r->body));
  }
  nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("access_token")) return absl::InternalError("no access_token");
  return absl::StrCat("Bearer ", j["access_token"].get<std::string>());
}

}  // namespace pimsim::testing
