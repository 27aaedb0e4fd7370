// Fuzzes the OAuth token route and bearer authentication. Input:
//   Authorization header value
//   Content-Type header value
//   body
// (the first two lines; the rest is the body, JSON or form-urlencoded). The
// first line is also tried as a bearer Authorization of any other request.
//
// Properties: every answer is a JSON object; a 200 carries an access token
// that authenticates as the connection until it expires and a refresh token
// that works once; a refused request names the connection only when its
// Basic credentials are valid.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/time/time.h"
#include "bazel/fuzz_check.h"
#include "mock_pim/auth/token_service.h"
#include "proto/scenario.pb.h"

namespace pimsim::auth {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1717243200);
constexpr absl::Duration kAccess = absl::Hours(1);
constexpr absl::Duration kRefresh = absl::Hours(24 * 14);

std::vector<pimsim::v1::Connection> Connections() {
  std::vector<pimsim::v1::Connection> out(2);
  out[0].set_client_id("pimsim");
  out[0].set_secret("pimsim");
  out[0].set_username("admin");
  out[0].set_password("admin");
  out[1].set_client_id("erp");
  out[1].set_secret("s3cr:t");
  out[1].set_username("erp_user");
  out[1].set_password("pa ss");
  return out;
}

std::string_view NextLine(std::string_view* text) {
  const size_t nl = text->find('\n');
  const std::string_view line = text->substr(0, nl);
  text->remove_prefix(nl == std::string_view::npos ? text->size() : nl + 1);
  return line;
}

nlohmann::json CheckReply(const TokenService& tokens, std::string_view authorization,
                          const TokenReply& reply) {
  nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(body.is_object());
  if (reply.status == 200) {
    FUZZ_CHECK(body["access_token"].is_string() && body["refresh_token"].is_string());
    FUZZ_CHECK(!reply.connection.empty());
  } else {
    FUZZ_CHECK(reply.status >= 400 && reply.status < 500);
    FUZZ_CHECK(body["code"] == reply.status && body["message"].is_string());
    FUZZ_CHECK(reply.connection == tokens.ClientFromBasic(authorization));
  }
  return body;
}

}  // namespace
}  // namespace pimsim::auth

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pimsim::auth;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view authorization = NextLine(&input);
  const std::string_view content_type = NextLine(&input);
  const std::string_view body = input;

  TokenService tokens(Connections(), kAccess, kRefresh);
  const AuthResult bearer = tokens.Authenticate(authorization, kNow);
  FUZZ_CHECK(bearer.outcome != AuthResult::Outcome::kOk);  // Nothing issued yet.
  FUZZ_CHECK(!bearer.error_body.empty());

  const TokenReply reply = tokens.HandleTokenRequest(authorization, content_type, body, kNow);
  const nlohmann::json issued = CheckReply(tokens, authorization, reply);
  if (reply.status != 200) return 0;

  const std::string access = "Bearer " + issued["access_token"].get<std::string>();
  const AuthResult ok = tokens.Authenticate(access, kNow + kAccess - absl::Seconds(1));
  FUZZ_CHECK(ok.outcome == AuthResult::Outcome::kOk && ok.connection == reply.connection);
  FUZZ_CHECK(tokens.Authenticate(access, kNow + kAccess).outcome ==
             AuthResult::Outcome::kExpired);

  const std::string refresh_body = nlohmann::json{
      {"grant_type", "refresh_token"},
      {"refresh_token", issued["refresh_token"].get<std::string>()}}.dump();
  const TokenReply refreshed =
      tokens.HandleTokenRequest(authorization, "application/json", refresh_body, kNow);
  CheckReply(tokens, authorization, refreshed);
  // A refresh with the same credentials works, once (the body is well
  // under the route's 300-byte limit).
  FUZZ_CHECK(refreshed.status == 200 && refreshed.connection == reply.connection);
  const TokenReply again =
      tokens.HandleTokenRequest(authorization, "application/json", refresh_body, kNow);
  CheckReply(tokens, authorization, again);
  FUZZ_CHECK(again.status == 422);
  const TokenCounters counters = tokens.counters();
  FUZZ_CHECK(counters.issued + counters.refreshed == 2 && counters.rejected == 1);
  return 0;
}
