#include "mock_pim/auth/token_service.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/hex.h"
#include "common/json_string.h"
#include "common/url.h"
#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/rand.h>

namespace pimsim::auth {
namespace {

absl::string_view A(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// absl::StripAsciiWhitespace, with a quick answer for the usual value that
// has nothing to strip.
absl::string_view StripWhitespace(absl::string_view s) {
  if (!s.empty() && !absl::ascii_isspace(static_cast<unsigned char>(s.front())) &&
      !absl::ascii_isspace(static_cast<unsigned char>(s.back()))) {
    return s;
  }
  return absl::StripAsciiWhitespace(s);
}


// The PIM refuses token requests with bodies over 300 bytes.
constexpr size_t kMaxTokenBody = 300;

constexpr char kBadClient[] =
    R"({"code":422,"message":"Parameter \"client_id\" is missing or does not match any client, or secret is invalid"})";
constexpr char kBadGrantParams[] =
    R"({"code":422,"message":"Parameter \"grant_type\", \"username\" or \"password\" is missing, empty or invalid"})";
constexpr char kBadUser[] =
    R"({"code":422,"message":"No user found for the given username and password"})";
constexpr char kMissingRefresh[] =
    R"({"code":422,"message":"Parameter \"grant_type\" or \"refresh_token\" is missing or empty"})";
constexpr char kBadRefresh[] =
    R"({"code":422,"message":"Refresh token is invalid or has expired"})";
constexpr char kGrantNotAuthorized[] =
    R"({"code":422,"message":"This grant type is not authorized for this client"})";
constexpr char kTooLarge[] =
    R"({"code":413,"message":"Request content exceeded the maximum allowed size of 300 bytes"})";
constexpr char kMissingContentType[] =
    R"({"code":415,"message":"The \"Content-Type\" header is missing. \"application/json\" has to be specified as value."})";
constexpr char kNoAuth[] = R"({"code":401,"message":"Authentication is required"})";
constexpr char kInvalidToken[] =
    R"({"code":401,"message":"The access token provided is invalid."})";
constexpr char kExpiredToken[] =
    R"({"code":401,"message":"The access token provided has expired."})";

constexpr char kNoRandomness[] =
    R"({"code":500,"message":"No token could be generated: the secure random generator failed."})";

// Random bytes per token: 192 bits, written as 48 hex digits.
constexpr size_t kTokenBytes = 24;

// A fresh token from OpenSSL's CSPRNG.
absl::StatusOr<std::string> NewToken() {
  unsigned char bytes[kTokenBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return absl::UnavailableError(
        absl::StrCat("RAND_bytes failed: ", ERR_error_string(ERR_get_error(), nullptr)));
  }
  return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

// A grant type OAuth2 knows (the OAuth2 library's grant-type pattern: the
// RFC 6749 types and extension URIs) other than the two an API connection may
// use, password and refresh_token.
bool IsOtherOAuthGrant(absl::string_view grant) {
  return grant == "authorization_code" || grant == "token" ||
         grant == "client_credentials" ||
         ((absl::StartsWith(grant, "http://") && grant.size() > 7) ||
          (absl::StartsWith(grant, "https://") && grant.size() > 8) ||
          (absl::StartsWith(grant, "urn:") && grant.size() > 4));
}

TokenReply Error(int status, std::string_view body) {
  TokenReply r;
  r.status = status;
  r.body = std::string(body);
  return r;
}

// Grant parameters from a JSON or form-urlencoded body; nullopt when a JSON
// body is not an object.
std::optional<absl::flat_hash_map<std::string, std::string>> ParseGrant(
    absl::string_view media_type, std::string_view body) {
  absl::flat_hash_map<std::string, std::string> params;
  if (media_type == "application/json") {
    nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return std::nullopt;
    for (auto& [key, value] : j.items()) {
      if (value.is_string()) params[key] = value.get<std::string>();
    }
    return params;
  }
  for (const url::QueryParam& p : url::ParseQuery(body)) params[p.key] = p.value;
  return params;
}

}  // namespace

TokenService::TokenService(std::vector<pimsim::v1::Connection> connections,
                           absl::Duration access_lifetime,
                           absl::Duration refresh_lifetime)
    : connections_(std::move(connections)),
      access_lifetime_(access_lifetime),
      refresh_lifetime_(refresh_lifetime) {}

int TokenService::FindClient(std::string_view authorization) const {
  absl::string_view value = absl::StripAsciiWhitespace(A(authorization));
  if (value.size() < 6 || !absl::EqualsIgnoreCase(value.substr(0, 6), "Basic ")) return -1;
  std::string decoded;
  if (!absl::Base64Unescape(absl::StripAsciiWhitespace(value.substr(6)), &decoded)) return -1;
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return -1;
  absl::string_view id = absl::string_view(decoded).substr(0, colon);
  absl::string_view secret = absl::string_view(decoded).substr(colon + 1);
  for (size_t i = 0; i < connections_.size(); ++i) {
    if (connections_[i].client_id() == id && connections_[i].secret() == secret) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

std::string TokenService::ClientFromBasic(std::string_view authorization) const {
  int i = FindClient(authorization);
  return i < 0 ? std::string() : connections_[i].client_id();
}

TokenReply TokenService::Issue(size_t connection, absl::Time now) {
  absl::StatusOr<std::string> access = NewToken();
  absl::StatusOr<std::string> refresh = NewToken();
  if (!access.ok() || !refresh.ok()) return Error(500, kNoRandomness);
  {
    WriterMutexLock lock(&mu_);
    access_[*access] = Token{connection, now + access_lifetime_};
    refresh_[*refresh] = Token{connection, now + refresh_lifetime_};
  }
  nlohmann::ordered_json j;
  j["access_token"] = *access;
  j["expires_in"] = absl::ToInt64Seconds(access_lifetime_);
  j["token_type"] = "bearer";
  j["scope"] = nullptr;
  j["refresh_token"] = *refresh;
  TokenReply r;
  r.body = j.dump();
  r.connection = connections_[connection].client_id();
  return r;
}

TokenReply TokenService::HandleTokenRequest(std::string_view authorization,
                                            std::string_view content_type,
                                            std::string_view body, absl::Time now) {
  TokenReply reply = [&]() -> TokenReply {
    absl::string_view media_type =
        absl::StripAsciiWhitespace(A(content_type.substr(0, content_type.find(';'))));
    std::string media = absl::AsciiStrToLower(media_type);
    if (media != "application/json" && media != "application/x-www-form-urlencoded") {
      if (media_type.empty()) return Error(415, kMissingContentType);
      // The header is echoed: AppendJsonString replaces invalid UTF-8 in it.
      std::string reply = "{\"code\":415,\"message\":";
      AppendJsonString(absl::StrCat("\"", media_type,
                                    "\" in \"Content-Type\" header is not valid. Only "
                                    "\"application/json\" or \"application/x-www-form-urlencoded\" "
                                    "are allowed."),
                       &reply);
      reply.push_back('}');
      return Error(415, reply);
    }
    if (body.size() > kMaxTokenBody) return Error(413, kTooLarge);
    int client = FindClient(authorization);
    if (client < 0) return Error(422, kBadClient);
    std::optional<absl::flat_hash_map<std::string, std::string>> params = ParseGrant(media, body);
    if (!params) return Error(422, kBadGrantParams);
    auto get = [&](const char* key) -> absl::string_view {
      auto it = params->find(key);
      return it == params->end() ? absl::string_view() : absl::string_view(it->second);
    };
    absl::string_view grant = get("grant_type");
    if (grant == "refresh_token") {
      absl::string_view refresh = get("refresh_token");
      if (refresh.empty()) return Error(422, kMissingRefresh);
      {
        WriterMutexLock lock(&mu_);
        auto it = refresh_.find(refresh);
        if (it == refresh_.end() || it->second.expires <= now ||
            static_cast<int>(it->second.connection) != client) {
          return Error(422, kBadRefresh);
        }
        refresh_.erase(it);  // a refresh token is single-use
      }
      TokenReply r = Issue(client, now);
      if (r.status != 200) return r;
      WriterMutexLock lock(&mu_);
      ++counters_.refreshed;
      return r;
    }
    if (IsOtherOAuthGrant(grant)) return Error(422, kGrantNotAuthorized);
    if (grant != "password") return Error(422, kBadGrantParams);
    absl::string_view username = get("username");
    absl::string_view password = get("password");
    if (username.empty() || password.empty()) return Error(422, kBadGrantParams);
    const pimsim::v1::Connection& c = connections_[client];
    if (c.username() != username || c.password() != password) return Error(422, kBadUser);
    TokenReply r = Issue(client, now);
    if (r.status != 200) return r;
    WriterMutexLock lock(&mu_);
    ++counters_.issued;
    return r;
  }();
  if (reply.status != 200) {
    // The credentials may still identify the connection even when the grant
    // is refused, so that the request counts against its limits.
    reply.connection = ClientFromBasic(authorization);
    WriterMutexLock lock(&mu_);
    ++counters_.rejected;
  }
  return reply;
}

AuthResult TokenService::Authenticate(std::string_view authorization, absl::Time now) const {
  AuthResult r;
  absl::string_view value = StripWhitespace(A(authorization));
  if (value.empty()) {
    r.outcome = AuthResult::Outcome::kMissing;
    r.error_body = kNoAuth;
    return r;
  }
  if (value.size() < 7 || (!absl::StartsWith(value, "Bearer ") &&
                           !absl::EqualsIgnoreCase(value.substr(0, 7), "Bearer "))) {
    r.outcome = AuthResult::Outcome::kInvalid;
    r.error_body = kInvalidToken;
    return r;
  }
  absl::string_view token = StripWhitespace(value.substr(7));
  ReaderMutexLock lock(&mu_);
  auto it = access_.find(token);
  if (it == access_.end()) {
    r.outcome = AuthResult::Outcome::kInvalid;
    r.error_body = kInvalidToken;
    return r;
  }
  if (it->second.expires <= now) {
    r.outcome = AuthResult::Outcome::kExpired;
    r.error_body = kExpiredToken;
    return r;
  }
  const pimsim::v1::Connection& c = connections_[it->second.connection];
  r.outcome = AuthResult::Outcome::kOk;
  r.connection = c.client_id();
  r.username = c.username();
  return r;
}

void TokenService::Reset() {
  WriterMutexLock lock(&mu_);
  access_.clear();
  refresh_.clear();
  counters_ = TokenCounters();
}

TokenCounters TokenService::counters() const {
  WriterMutexLock lock(&mu_);
  return counters_;
}

}  // namespace pimsim::auth
