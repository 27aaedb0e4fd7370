// AkeneoClient: the reference client's policy core.
//
// Takes calls (method, path, body) and delivers one Outcome per call, having
// done everything Akeneo asks of a client on the way: one OAuth token per
// PIM connection, reused and refreshed (before expiry, and once on a 401,
// single-flight); at most 4 requests in flight per connection and 10 per
// instance; pacing under 100 requests/s per instance and 3/s for
// attribute-option writes (less a safety margin); a 429 pauses its whole
// connection until its Retry-After; 408/429/5xx/timeouts/disconnects retried
// with full-jitter exponential backoff, a bounded number of times, within a
// retry budget; an ambiguous failure of a POST create is read back (GET)
// before it is sent again; reference data is cached. Every behaviour is a
// Policy field (policy.h), so presets make it misbehave on purpose.
//
// The core never reads the wall clock, sleeps or touches a socket: time and
// timers come from a Scheduler, requests go through a Transport. With a
// VirtualScheduler and a fake Transport a test runs it in simulated time;
// with CurlLoop (curl_loop.h) it talks to a real PIM.
//
// Thread-safety: none; every call, and every callback, is on the
// scheduler's thread. Destroy it idle(), or its scheduler and transport
// first: the tasks and transport callbacks it scheduled refer to it.
//
//   CurlLoop loop(CurlLoop::Options{});
//   AkeneoClient client(loop, loop, Policy{}, {credentials}, /*seed=*/1);
//   Call call;
//   call.target = "/api/rest/v1/channels";
//   client.Send(call, [](const Outcome& o) { ... });
//   loop.Run([&] { return client.idle(); });
#ifndef PIMSIM_CLIENT_AKENEO_CLIENT_H_
#define PIMSIM_CLIENT_AKENEO_CLIENT_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/policy.h"
#include "client/retry.h"
#include "common/scheduler.h"
#include "client/transport.h"
#include "common/random.h"

namespace pimsim::client {

// One PIM connection (API credential): the fields of PIM_CONNECTIONS_FILE.
struct Credentials {
  std::string base_url;  // e.g. "http://127.0.0.1:8080" (a path prefix is kept)
  std::string client_id;
  std::string secret;
  std::string username;
  std::string password;
};

// PIM_BASE_URL, PIM_CLIENT_ID, PIM_CLIENT_SECRET, PIM_USERNAME, PIM_PASSWORD,
// for each field `given` leaves empty (a flag given on the command line
// wins). InvalidArgument naming the first variable missing.
absl::StatusOr<Credentials> CredentialsFromEnvironment(Credentials given = {});
// The PEM file of the CAs to trust for HTTPS when no flag names one:
// PIM_CA_FILE (what `pimsim run --tls` sets), else CURL_CA_BUNDLE, else
// SSL_CERT_FILE; "" for the system's CAs.
std::string CaFileFromEnvironment();
// A JSON array of {"base_url", "client_id", "secret", "username",
// "password"} objects (the file `pimsim run` writes). Errors name the file
// and what is wrong with it.
absl::StatusOr<std::vector<Credentials>> ReadConnectionsFile(const std::string& path);

struct Call {
  std::string method = "GET";
  // Path and query under the connection's base URL ("/api/rest/v1/channels"),
  // or an absolute URL under it (a `_links.next.href`).
  std::string target;
  std::string body;
  // Default application/json when there is a body.
  std::string content_type;
  // For a POST create: where the created resource is read back after an
  // ambiguous failure. Default: the POST's path + "/" + the body's
  // "identifier" or "code".
  std::string verify_target;
  // The connection to use (index into the credentials), or -1: the least
  // busy one.
  int connection = -1;
};

struct Outcome {
  // The final HTTP status; 0 when the last attempt got no answer.
  int status = 0;
  std::string body;
  TransportError error = TransportError::kNone;
  // Attempts sent for this call (read-backs and token requests not counted).
  int attempts = 0;
  bool from_cache = false;
  // A create whose ambiguous failure turned out, on read-back, to have been
  // applied: status is the read-back's.
  bool recovered = false;
  // Retries stopped (attempts, time or a read-back that could not decide)
  // while the failure was still transient: the call's effect is unknown.
  bool gave_up = false;
  // Why, when gave_up or a token could not be had.
  std::string message;
  int connection = -1;

  bool ok() const { return status >= 200 && status < 300; }
};

struct ClientStats {
  uint64_t calls = 0;             // calls completed
  uint64_t requests = 0;          // HTTP requests sent, all kinds
  uint64_t token_requests = 0;
  uint64_t retries = 0;
  uint64_t throttled = 0;         // 429s received
  uint64_t budget_exhausted = 0;  // retries that waited for the retry budget
  uint64_t gave_up = 0;
  uint64_t read_backs = 0;        // GETs after an ambiguous create failure
  uint64_t recovered_creates = 0;
  uint64_t cache_hits = 0;
  uint64_t timeouts = 0;
  uint64_t disconnects = 0;
  uint64_t server_errors = 0;     // 5xx received
};

class AkeneoClient {
 public:
  using Done = std::function<void(const Outcome&)>;

  AkeneoClient(Scheduler& scheduler, Transport& transport, Policy policy,
               std::vector<Credentials> connections, uint64_t seed);
  ~AkeneoClient();
  AkeneoClient(const AkeneoClient&) = delete;
  AkeneoClient& operator=(const AkeneoClient&) = delete;

  // Queues a call; `done` runs once, later, with its outcome.
  void Send(Call call, Done done);

  // Runs when a call gives up on a transient failure (the platform's
  // guidance: alert when retries are exhausted).
  void OnGaveUp(std::function<void(const Call&, const Outcome&)> callback) {
    on_gave_up_ = std::move(callback);
  }

  // No call is queued, in flight or waiting to be retried.
  bool idle() const { return open_calls_ == 0; }
  uint64_t open_calls() const { return open_calls_; }
  const ClientStats& stats() const { return stats_; }
  const Policy& policy() const { return policy_; }
  int connections() const { return static_cast<int>(connections_.size()); }
  // Requests in flight on connection `i` / on its instance, right now.
  int in_flight(int connection) const;
  int instance_in_flight(int connection) const;
  // Calls queued or in flight on connection `i` (the least busy is used
  // for calls without a connection).
  int load(int connection) const;

 private:
  struct Op;
  struct Connection;
  struct Instance;
  struct CacheEntry;

  void Pump();
  void SchedulePump(absl::Time when);
  bool TryDispatch(Connection& c, absl::Time now, absl::Time* wake);
  void Dispatch(Op* op, Connection& c);
  void OnResponse(Op* op, HttpResponse response);
  void OnTokenResponse(Op* op, const HttpResponse& response,
                       std::optional<absl::Duration> retry_after);
  void RequestToken(Connection& c, Op* waiting_for_own_token);
  void Retry(Op* op, const HttpResponse& response, std::optional<absl::Duration> retry_after,
             bool read_back_done = false);
  void RetryDue(Op* op);
  void ReadBack(Op* op, const HttpResponse& failure);
  void Requeue(Op* op, bool front);
  void Finish(Op* op, Outcome outcome);
  void FailConnection(Connection& c, const Outcome& why);
  std::string Url(const Connection& c, const std::string& target) const;
  std::string CacheKey(const Connection& c, const Call& call) const;
  bool Cacheable(const Call& call) const;
  void InvalidateCache(const Connection& c, const Call& call);
  static bool IsAttributeOptionWrite(const Call& call);

  Scheduler& scheduler_;
  Transport& transport_;
  const Policy policy_;
  SplitMix64 rng_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Instance>> instances_;
  std::map<std::string, CacheEntry> cache_;
  std::function<void(const Call&, const Outcome&)> on_gave_up_;
  ClientStats stats_;
  uint64_t open_calls_ = 0;
  size_t round_robin_ = 0;
  bool pumping_ = false;
  bool pump_again_ = false;
  Scheduler::TaskId pump_task_ = 0;
  absl::Time pump_at_ = absl::InfiniteFuture();
};

}  // namespace pimsim::client

#endif  // PIMSIM_CLIENT_AKENEO_CLIENT_H_
