#include "mock_pim/auth/token_service.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace pimsim::auth {
namespace {

using Outcome = AuthResult::Outcome;

constexpr char kJson[] = "application/json";
const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

std::string Basic(absl::string_view id, absl::string_view secret) {
  return absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(id, ":", secret)));
}

class TokenServiceTest : public ::testing::Test {
 protected:
  TokenServiceTest() : tokens_(Connections(), absl::Hours(1), absl::Hours(24 * 14), 7) {}

  static std::vector<pimsim::v1::Connection> Connections() {
    std::vector<pimsim::v1::Connection> cs(2);
    cs[0].set_client_id("pimsim");
    cs[0].set_secret("pimsim");
    cs[0].set_username("admin");
    cs[0].set_password("admin");
    cs[1].set_client_id("pimsim-2");
    cs[1].set_secret("pimsim-2");
    cs[1].set_username("admin");
    cs[1].set_password("admin");
    return cs;
  }

  nlohmann::json PasswordGrant(absl::Time now = kT0) {
    TokenReply r = tokens_.HandleTokenRequest(
        Basic("pimsim", "pimsim"), kJson,
        R"({"grant_type":"password","username":"admin","password":"admin"})", now);
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body);
  }

  TokenService tokens_;
};

TEST_F(TokenServiceTest, PasswordGrantIssuesTokenPair) {
  nlohmann::json j = PasswordGrant();
  EXPECT_EQ(j["expires_in"], 3600);
  EXPECT_EQ(j["token_type"], "bearer");
  EXPECT_TRUE(j["scope"].is_null());
  EXPECT_FALSE(j["access_token"].get<std::string>().empty());
  EXPECT_NE(j["access_token"], j["refresh_token"]);
  AuthResult who = tokens_.Authenticate(absl::StrCat("Bearer ", j["access_token"].get<std::string>()), kT0);
  EXPECT_EQ(who.outcome, Outcome::kOk);
  EXPECT_EQ(who.connection, "pimsim");
  EXPECT_EQ(who.username, "admin");
  EXPECT_EQ(tokens_.counters().issued, 1u);
}

TEST_F(TokenServiceTest, FormBodyIsAccepted) {
  TokenReply r = tokens_.HandleTokenRequest(
      Basic("pimsim-2", "pimsim-2"), "application/x-www-form-urlencoded; charset=UTF-8",
      "grant_type=password&username=admin&password=adm%69n", kT0);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.connection, "pimsim-2");
}

TEST_F(TokenServiceTest, DocumentedErrors) {
  struct Case {
    std::string auth, ctype, body;
    int status;
    std::string message_part;
  } cases[] = {
      {Basic("pimsim", "wrong"), kJson, R"({"grant_type":"password","username":"admin","password":"admin"})", 422, "client_id"},
      {"", kJson, R"({"grant_type":"password","username":"admin","password":"admin"})", 422, "client_id"},
      {Basic("pimsim", "pimsim"), kJson, R"({"grant_type":"password","username":"admin"})", 422, "\"grant_type\", \"username\" or \"password\""},
      {Basic("pimsim", "pimsim"), kJson, R"({"grant_type":"client_credentials"})", 422, "\"grant_type\", \"username\" or \"password\""},
      {Basic("pimsim", "pimsim"), kJson, R"({"grant_type":"password","username":"admin","password":"nope"})", 422, "No user found"},
      {Basic("pimsim", "pimsim"), kJson, R"({"grant_type":"refresh_token"})", 422, "\"refresh_token\" is missing"},
      {Basic("pimsim", "pimsim"), kJson, R"({"grant_type":"refresh_token","refresh_token":"bogus"})", 422, "invalid or has expired"},
      {Basic("pimsim", "pimsim"), kJson, "not json", 422, "missing, empty or invalid"},
      {Basic("pimsim", "pimsim"), "text/plain", "x", 415, "not valid"},
      {Basic("pimsim", "pimsim"), "", "x", 415, "missing"},
      {Basic("pimsim", "pimsim"), kJson, std::string(301, ' '), 413, "too large"},
  };
  for (const Case& c : cases) {
    TokenReply r = tokens_.HandleTokenRequest(c.auth, c.ctype, c.body, kT0);
    EXPECT_EQ(r.status, c.status) << c.body;
    nlohmann::json j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["code"], c.status);
    EXPECT_EQ(j.size(), 2u) << r.body;
    EXPECT_NE(j["message"].get<std::string>().find(c.message_part), std::string::npos)
        << j["message"];
  }
  EXPECT_EQ(tokens_.counters().rejected, std::size(cases));
}

// Found by token_service_fuzzer: the 415 message quotes the Content-Type,
// and a value that is not UTF-8 (obs-text, which HTTP allows) made the JSON
// serializer throw, which ended the process.
TEST_F(TokenServiceTest, ContentTypeThatIsNotUtf8IsQuotedInValidJson) {
  TokenReply r = tokens_.HandleTokenRequest(Basic("pimsim", "pimsim"), "text/\xff", "x", kT0);
  EXPECT_EQ(r.status, 415);
  nlohmann::json j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["message"],
            "\"text/\xef\xbf\xbd\" in \"Content-Type\" header is not valid. Only "
            "\"application/json\" or \"application/x-www-form-urlencoded\" are allowed.");
}

TEST_F(TokenServiceTest, RejectedGrantStillNamesTheConnection) {
  TokenReply r = tokens_.HandleTokenRequest(Basic("pimsim", "pimsim"), kJson, "{}", kT0);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.connection, "pimsim");
}

TEST_F(TokenServiceTest, RefreshIssuesNewPairAndRefreshTokenIsSingleUse) {
  nlohmann::json first = PasswordGrant();
  std::string body = nlohmann::json{{"grant_type", "refresh_token"},
                                    {"refresh_token", first["refresh_token"]}}
                         .dump();
  TokenReply r = tokens_.HandleTokenRequest(Basic("pimsim", "pimsim"), kJson, body, kT0);
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json second = nlohmann::json::parse(r.body);
  EXPECT_NE(second["access_token"], first["access_token"]);
  EXPECT_EQ(tokens_.Authenticate(absl::StrCat("Bearer ", second["access_token"].get<std::string>()), kT0).outcome,
            Outcome::kOk);
  EXPECT_EQ(tokens_.HandleTokenRequest(Basic("pimsim", "pimsim"), kJson, body, kT0).status, 422);
  EXPECT_EQ(tokens_.counters().refreshed, 1u);
}

TEST_F(TokenServiceTest, RefreshTokenOfAnotherClientIsRefused) {
  nlohmann::json first = PasswordGrant();
  std::string body = nlohmann::json{{"grant_type", "refresh_token"},
                                    {"refresh_token", first["refresh_token"]}}
                         .dump();
  EXPECT_EQ(tokens_.HandleTokenRequest(Basic("pimsim-2", "pimsim-2"), kJson, body, kT0).status, 422);
}

TEST_F(TokenServiceTest, AccessTokenExpiresAfterLifetime) {
  std::string bearer = absl::StrCat("Bearer ", PasswordGrant()["access_token"].get<std::string>());
  EXPECT_EQ(tokens_.Authenticate(bearer, kT0 + absl::Minutes(59)).outcome, Outcome::kOk);
  AuthResult late = tokens_.Authenticate(bearer, kT0 + absl::Hours(1));
  EXPECT_EQ(late.outcome, Outcome::kExpired);
  EXPECT_NE(late.error_body.find("expired"), std::string_view::npos);
}

TEST_F(TokenServiceTest, MissingAndInvalidTokens) {
  EXPECT_EQ(tokens_.Authenticate("", kT0).outcome, Outcome::kMissing);
  EXPECT_EQ(tokens_.Authenticate("Bearer nope", kT0).outcome, Outcome::kInvalid);
  EXPECT_EQ(tokens_.Authenticate(Basic("pimsim", "pimsim"), kT0).outcome, Outcome::kInvalid);
  EXPECT_EQ(tokens_.Authenticate("", kT0).error_body,
            R"({"code":401,"message":"Authentication is required"})");
}

TEST_F(TokenServiceTest, SameSeedIssuesSameTokens) {
  TokenService other(Connections(), absl::Hours(1), absl::Hours(1), 7);
  TokenReply a = other.HandleTokenRequest(
      Basic("pimsim", "pimsim"), kJson,
      R"({"grant_type":"password","username":"admin","password":"admin"})", kT0);
  EXPECT_EQ(nlohmann::json::parse(a.body)["access_token"], PasswordGrant()["access_token"]);
}

TEST_F(TokenServiceTest, ResetForgetsTokens) {
  std::string bearer = absl::StrCat("Bearer ", PasswordGrant()["access_token"].get<std::string>());
  tokens_.Reset();
  EXPECT_EQ(tokens_.Authenticate(bearer, kT0).outcome, Outcome::kInvalid);
}

}  // namespace
}  // namespace pimsim::auth
