#include "mock_pim/auth/token_service.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

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
  TokenServiceTest() : tokens_(Connections(), absl::Hours(1), absl::Hours(24 * 14)) {}

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
      {Basic("pimsim", "pimsim"), kJson, R"({"grant_type":"client_credentials"})", 422, "not authorized for this client"},
      {Basic("pimsim", "pimsim"), kJson, R"({"grant_type":"bogus"})", 422, "\"grant_type\", \"username\" or \"password\""},
      {Basic("pimsim", "pimsim"), kJson, R"({"grant_type":"password","username":"admin","password":"nope"})", 422, "No user found"},
      {Basic("pimsim", "pimsim"), kJson, R"({"grant_type":"refresh_token"})", 422, "\"refresh_token\" is missing"},
      {Basic("pimsim", "pimsim"), kJson, R"({"grant_type":"refresh_token","refresh_token":"bogus"})", 422, "invalid or has expired"},
      {Basic("pimsim", "pimsim"), kJson, "not json", 422, "missing, empty or invalid"},
      {Basic("pimsim", "pimsim"), "text/plain", "x", 415, "not valid"},
      {Basic("pimsim", "pimsim"), "", "x", 415, "missing"},
      {Basic("pimsim", "pimsim"), kJson, std::string(301, ' '), 413, "exceeded the maximum allowed size"},
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

// The token route's documented errors, byte for byte (§1 and §9 of
// /work/shared/reference/akeneo-api.md; TokenController and
// GetAccessTokenIntegration / RefreshTokenIntegration of the Akeneo server).
TEST_F(TokenServiceTest, ErrorBodiesByteForByte) {
  const std::string password_grant =
      R"({"grant_type":"password","username":"admin","password":"admin"})";
  struct Row {
    const char* source;
    std::string auth, ctype, body;
    int status;
    const char* expected;
  } rows[] = {
      {"§1 bad client secret", Basic("pimsim", "wrong"), kJson, password_grant, 422,
       R"({"code":422,"message":"Parameter \"client_id\" is missing or does not match any client, or secret is invalid"})"},
      {"§1 no Basic header", "", kJson, password_grant, 422,
       R"({"code":422,"message":"Parameter \"client_id\" is missing or does not match any client, or secret is invalid"})"},
      {"§1 unknown client id", Basic("nobody", "pimsim"), kJson, password_grant, 422,
       R"({"code":422,"message":"Parameter \"client_id\" is missing or does not match any client, or secret is invalid"})"},
      {"§1 password missing", Basic("pimsim", "pimsim"), kJson,
       R"({"grant_type":"password","username":"admin"})", 422,
       R"({"code":422,"message":"Parameter \"grant_type\", \"username\" or \"password\" is missing, empty or invalid"})"},
      {"§1 grant_type missing", Basic("pimsim", "pimsim"), kJson,
       R"({"username":"admin","password":"admin"})", 422,
       R"({"code":422,"message":"Parameter \"grant_type\", \"username\" or \"password\" is missing, empty or invalid"})"},
      {"§1 body not JSON", Basic("pimsim", "pimsim"), kJson, "not json", 422,
       R"({"code":422,"message":"Parameter \"grant_type\", \"username\" or \"password\" is missing, empty or invalid"})"},
      {"§9 grant type token", Basic("pimsim", "pimsim"), kJson, R"({"grant_type":"token"})", 422,
       R"({"code":422,"message":"This grant type is not authorized for this client"})"},
      {"§1 grant type client_credentials", Basic("pimsim", "pimsim"),
       "application/x-www-form-urlencoded", "grant_type=client_credentials", 422,
       R"({"code":422,"message":"This grant type is not authorized for this client"})"},
      {"§1 wrong password", Basic("pimsim", "pimsim"), kJson,
       R"({"grant_type":"password","username":"admin","password":"nope"})", 422,
       R"({"code":422,"message":"No user found for the given username and password"})"},
      {"§1 refresh token missing", Basic("pimsim", "pimsim"), kJson,
       R"({"grant_type":"refresh_token"})", 422,
       R"({"code":422,"message":"Parameter \"grant_type\" or \"refresh_token\" is missing or empty"})"},
      {"§1 refresh token unknown", Basic("pimsim", "pimsim"), kJson,
       R"({"grant_type":"refresh_token","refresh_token":"bogus"})", 422,
       R"({"code":422,"message":"Refresh token is invalid or has expired"})"},
      {"§9 body over 300 bytes", Basic("pimsim", "pimsim"), kJson, std::string(301, ' '), 413,
       R"({"code":413,"message":"Request content exceeded the maximum allowed size of 300 bytes"})"},
      {"§9 Content-Type missing (the server text)", Basic("pimsim", "pimsim"), "",
       password_grant, 415,
       R"({"code":415,"message":"The \"Content-Type\" header is missing. \"application/json\" has to be specified as value."})"},
      {"§1 other Content-Type (415; the text is the mock's, GAT gives none)",
       Basic("pimsim", "pimsim"), "text/plain", password_grant, 415,
       R"({"code":415,"message":"\"text/plain\" in \"Content-Type\" header is not valid. Only \"application/json\" or \"application/x-www-form-urlencoded\" are allowed."})"},
  };
  for (const Row& row : rows) {
    TokenReply r = tokens_.HandleTokenRequest(row.auth, row.ctype, row.body, kT0);
    EXPECT_EQ(r.status, row.status) << row.source;
    EXPECT_EQ(r.body, row.expected) << row.source;
  }
  EXPECT_EQ(tokens_.counters().rejected, std::size(rows));
  EXPECT_EQ(tokens_.counters().issued, 0u);

  // The 401s of resource calls (§1).
  EXPECT_EQ(tokens_.Authenticate("", kT0).error_body,
            R"({"code":401,"message":"Authentication is required"})");
  EXPECT_EQ(tokens_.Authenticate("Bearer nope", kT0).error_body,
            R"({"code":401,"message":"The access token provided is invalid."})");
  const std::string token = PasswordGrant()["access_token"];
  EXPECT_EQ(tokens_.Authenticate("Bearer " + token, kT0 + absl::Hours(1)).error_body,
            R"({"code":401,"message":"The access token provided has expired."})");
}

// Regression: an invalid UTF-8 Content-Type made the 415's serialisation
// throw (nlohmann type_error.316) and the process abort.
TEST_F(TokenServiceTest, EchoesAnInvalidUtf8ContentTypeAsValidJson) {
  TokenReply r = tokens_.HandleTokenRequest(Basic("pimsim", "pimsim"), "\xff", "", kT0);
  EXPECT_EQ(r.status, 415);
  nlohmann::json j = nlohmann::json::parse(r.body);  // throws on invalid UTF-8
  EXPECT_EQ(j["code"], 415);
  EXPECT_EQ(j["message"],
            "\"\xef\xbf\xbd\" in \"Content-Type\" header is not valid. Only "
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

TEST_F(TokenServiceTest, TokensAre48HexDigitsAndNeverRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 500; ++i) {
    nlohmann::json j = PasswordGrant();
    for (const char* field : {"access_token", "refresh_token"}) {
      const std::string token = j[field].get<std::string>();
      EXPECT_EQ(token.size(), 48u);
      EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos) << token;
      EXPECT_TRUE(seen.insert(token).second) << token;
    }
  }
}

// Tokens used to be SplitMix64(seed, counter): two services built alike
// issued the same tokens, and since SplitMix64 inverts, one token gave away
// the seed and so every other connection's tokens.
TEST_F(TokenServiceTest, ServicesBuiltAlikeIssueDifferentTokens) {
  TokenService other(Connections(), absl::Hours(1), absl::Hours(24 * 14));
  TokenReply a = other.HandleTokenRequest(
      Basic("pimsim", "pimsim"), kJson,
      R"({"grant_type":"password","username":"admin","password":"admin"})", kT0);
  ASSERT_EQ(a.status, 200);
  EXPECT_NE(nlohmann::json::parse(a.body)["access_token"], PasswordGrant()["access_token"]);
}

// The old scheme and the attack on it: invert SplitMix64 on a token's first
// word to recover the seed, then derive the tokens issued after it.
uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
uint64_t UndoXorShift(uint64_t y, int shift) {
  uint64_t x = y;
  for (int i = 0; i < 64 / shift + 1; ++i) x = y ^ (x >> shift);
  return x;
}
uint64_t InverseOf(uint64_t odd) {
  uint64_t inverse = odd;  // Newton's iteration doubles the correct bits
  for (int i = 0; i < 6; ++i) inverse *= 2 - odd * inverse;
  return inverse;
}
uint64_t InverseSplitMix64(uint64_t y) {
  uint64_t x = UndoXorShift(y, 31) * InverseOf(0x94d049bb133111ebULL);
  x = UndoXorShift(x, 27) * InverseOf(0xbf58476d1ce4e5b9ULL);
  return UndoXorShift(x, 30) - 0x9e3779b97f4a7c15ULL;
}
std::string OldSchemeToken(uint64_t seed, uint64_t n) {
  const uint64_t a = SplitMix64(seed ^ SplitMix64(n));
  const uint64_t b = SplitMix64(a ^ n);
  const uint64_t c = SplitMix64(b);
  return absl::StrFormat("%016x%016x%016x", a, b, c);
}
uint64_t SeedFromFirstToken(const std::string& token) {
  return InverseSplitMix64(std::stoull(token.substr(0, 16), nullptr, 16)) ^ SplitMix64(1);
}

TEST_F(TokenServiceTest, ATokenRevealsNothingThatForgesAnother) {
  // The attack works on the old scheme...
  ASSERT_EQ(SeedFromFirstToken(OldSchemeToken(7, 1)), 7u);
  // ...and yields nothing valid now: the first token issued "reveals" a seed
  // whose derived tokens (this and the other connection's) are all refused.
  const std::string first = PasswordGrant()["access_token"].get<std::string>();
  TokenReply other = tokens_.HandleTokenRequest(
      Basic("pimsim-2", "pimsim-2"), kJson,
      R"({"grant_type":"password","username":"admin","password":"admin"})", kT0);
  ASSERT_EQ(other.status, 200);
  const uint64_t seed = SeedFromFirstToken(first);
  for (uint64_t n = 1; n <= 8; ++n) {
    EXPECT_EQ(tokens_.Authenticate(absl::StrCat("Bearer ", OldSchemeToken(seed, n)), kT0).outcome,
              Outcome::kInvalid)
        << n;
  }
  EXPECT_EQ(tokens_.Authenticate(absl::StrCat("Bearer ", OldSchemeToken(7, 3)), kT0).outcome,
            Outcome::kInvalid);
}

TEST_F(TokenServiceTest, ResetForgetsTokens) {
  std::string bearer = absl::StrCat("Bearer ", PasswordGrant()["access_token"].get<std::string>());
  tokens_.Reset();
  EXPECT_EQ(tokens_.Authenticate(bearer, kT0).outcome, Outcome::kInvalid);
}

}  // namespace
}  // namespace pimsim::auth
