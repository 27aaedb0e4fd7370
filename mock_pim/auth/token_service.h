// TokenService: the OAuth2 side of one mock PIM instance.
//
// Serves POST /api/oauth/v1/token (password and refresh_token grants, client
// credentials in an HTTP Basic header, JSON or form-urlencoded body) with the
// status codes and messages of the real PIM, and authenticates the bearer
// token of every other request.
//
// Tokens are credentials, so unlike every other draw of the mock they come
// from a cryptographic generator (OpenSSL's RAND_bytes), not from the
// scenario seed: no token tells anything about another, and a replayed run
// issues different tokens (nothing else depends on their value; the journal
// names connections, never tokens). Each is 48 lowercase hex digits (192
// random bits). If the generator fails, the token request is answered 500
// {"code":500,...} and nothing is issued.
//
// Thread-safety: all methods may be called concurrently. Authenticate() takes
// a reader lock only.
//
//   TokenService tokens(connections, absl::Hours(1), absl::Hours(24 * 14));
//   TokenReply reply = tokens.HandleTokenRequest(auth_header, ctype, body, now);
//   AuthResult who = tokens.Authenticate("Bearer " + token, now);
#ifndef PIMSIM_MOCK_PIM_AUTH_TOKEN_SERVICE_H_
#define PIMSIM_MOCK_PIM_AUTH_TOKEN_SERVICE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "proto/scenario.pb.h"

namespace pimsim::auth {

// The answer to a token request: status and JSON body.
struct TokenReply {
  int status = 200;
  std::string body;
  // The connection the Basic credentials named, if they were valid (so that a
  // token request counts against that connection's limits); empty otherwise.
  std::string connection;
};

struct AuthResult {
  enum class Outcome { kOk, kMissing, kInvalid, kExpired };
  Outcome outcome = Outcome::kMissing;
  // Valid only while the TokenService lives; set when outcome is kOk.
  std::string_view connection;
  std::string_view username;
  // 401 body for the failures (a constant), empty for kOk.
  std::string_view error_body;
};

struct TokenCounters {
  uint64_t issued = 0;     // password grants answered 200
  uint64_t refreshed = 0;  // refresh grants answered 200
  uint64_t rejected = 0;   // token requests answered 4xx
};

class TokenService {
 public:
  // `connections` must have unique, non-empty client ids (validated by the
  // scenario loader).
  TokenService(std::vector<pimsim::v1::Connection> connections,
               absl::Duration access_lifetime, absl::Duration refresh_lifetime);

  // Answers POST /api/oauth/v1/token.
  TokenReply HandleTokenRequest(std::string_view authorization,
                                std::string_view content_type,
                                std::string_view body, absl::Time now);

  // The connection owning the bearer token in `authorization`, or why not.
  AuthResult Authenticate(std::string_view authorization, absl::Time now) const;

  // The client id whose id and secret `authorization` (Basic) carries, or
  // empty when they do not match a connection.
  std::string ClientFromBasic(std::string_view authorization) const;

  // Forgets every issued token.
  void Reset();
  TokenCounters counters() const;

 private:
  struct Token {
    size_t connection;  // index into connections_
    absl::Time expires;
  };
  TokenReply Issue(size_t connection, absl::Time now);
  // Index of the connection with these client credentials, or -1.
  int FindClient(std::string_view authorization) const;

  const std::vector<pimsim::v1::Connection> connections_;
  const absl::Duration access_lifetime_;
  const absl::Duration refresh_lifetime_;

  mutable SharedMutex mu_;
  absl::flat_hash_map<std::string, Token> access_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Token> refresh_ ABSL_GUARDED_BY(mu_);
  TokenCounters counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pimsim::auth

#endif  // PIMSIM_MOCK_PIM_AUTH_TOKEN_SERVICE_H_
