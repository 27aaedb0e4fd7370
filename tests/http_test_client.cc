#include "tests/http_test_client.h"

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace pimsim::testing {

TestClient::TestClient(uint16_t port, absl::Duration timeout) : timeout_(timeout) {
  absl::StatusOr<std::unique_ptr<http::TestClient>> socket = http::TestClient::Connect(port);
  if (socket.ok()) socket_ = *std::move(socket);
}

absl::Status TestClient::Send(absl::string_view bytes) {
  if (socket_ == nullptr) return absl::UnavailableError("not connected");
  if (!socket_->Send(std::string_view(bytes.data(), bytes.size()))) {
    return absl::UnavailableError("send failed");
  }
  return absl::OkStatus();
}

absl::StatusOr<TestResponse> TestClient::Read() {
  if (socket_ == nullptr) return absl::UnavailableError("not connected");
  while (true) {
    absl::StatusOr<TestResponse> r = socket_->ReadResponse(timeout_);
    if (!r.ok() || r->status >= 200) return r;
  }
}

bool TestClient::ClosedByServer(absl::Duration wait) {
  if (socket_ == nullptr) return true;
  http::TestClient::End end = socket_->ReadUntilClosed(wait).end;
  return end == http::TestClient::End::kEof || end == http::TestClient::End::kReset;
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
