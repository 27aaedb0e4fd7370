// FakePim: a small Akeneo PIM in the test's process, as a Transport on a
// VirtualScheduler, for running the client core in simulated time.
//
// It answers the token route (password and refresh_token grants), product
// upserts (single PATCH and NDJSON batch PATCH), creates (POST), reads (GET
// one, GET a list with search_after pages) and GET /channels, after a fixed
// latency; checks bearer tokens (401 for an unknown or expired one); and
// logs every request with its send and answer times. A fault hook can
// answer any request instead (a status, a Retry-After, a dropped
// connection before or after the request was applied, a timeout).
//
//   VirtualScheduler s;
//   FakePim pim(s);
//   pim.SetFault([](const HttpRequest& r, uint64_t n) -> std::optional<FakePim::Fault> {
//     if (n == 2) return FakePim::Fault::Status(503);
//     return std::nullopt;
//   });
#ifndef PIMSIM_CLIENT_TESTING_FAKE_PIM_H_
#define PIMSIM_CLIENT_TESTING_FAKE_PIM_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "common/scheduler.h"
#include "client/transport.h"

namespace pimsim::client::testing {

class FakePim final : public Transport {
 public:
  static constexpr char kBaseUrl[] = "http://pim.test";

  struct Fault {
    int status = 0;                          // answer this status (with `headers`) ...
    std::vector<std::pair<std::string, std::string>> headers;
    TransportError error = TransportError::kNone;  // ... or fail like this
    bool apply = false;                      // process the request first (a lost response)
    absl::Duration latency = absl::ZeroDuration();  // 0: the fake's latency

    static Fault Status(int s) { Fault f; f.status = s; return f; }
    static Fault Throttle(std::string retry_after) {
      Fault f;
      f.status = 429;
      if (!retry_after.empty()) f.headers.emplace_back("retry-after", std::move(retry_after));
      return f;
    }
    static Fault Drop(bool applied) {
      Fault f;
      f.error = TransportError::kDisconnected;
      f.apply = applied;
      return f;
    }
  };
  using FaultHook = std::function<std::optional<Fault>(const HttpRequest&, uint64_t index)>;
  // A batch line's status_code instead of the normal one, or 0.
  using LineHook = std::function<int(const std::string& identifier, uint64_t batch_index)>;

  struct Sent {
    absl::Time sent;
    absl::Time answered;
    std::string method;
    std::string path;  // path and query, under kBaseUrl
    std::string body;
    std::string authorization;
    int status = 0;
    TransportError error = TransportError::kNone;
  };

  explicit FakePim(Scheduler& scheduler, absl::Duration latency = absl::Milliseconds(50));

  void Send(HttpRequest request, std::function<void(HttpResponse)> done) override;

  void SetFault(FaultHook hook) { fault_ = std::move(hook); }
  void SetLineHook(LineHook hook) { line_hook_ = std::move(hook); }
  void set_latency(absl::Duration d) { latency_ = d; }
  void set_token_lifetime(absl::Duration d) { token_lifetime_ = d; }
  // Every access token issued so far is refused from now on (401).
  void RevokeTokens() { valid_tokens_.clear(); }

  const std::vector<Sent>& log() const { return log_; }
  // Requests of the log whose path starts with `prefix`.
  std::vector<Sent> Requests(const std::string& method, const std::string& prefix) const;
  const std::map<std::string, std::string>& products() const { return products_; }
  std::map<std::string, std::string>& mutable_products() { return products_; }
  int max_in_flight() const { return max_in_flight_; }
  int in_flight() const { return in_flight_; }
  int tokens_issued() const { return tokens_issued_; }

 private:
  HttpResponse Answer(const HttpRequest& r, const std::string& path);
  HttpResponse Token(const HttpRequest& r);

  Scheduler& scheduler_;
  absl::Duration latency_;
  absl::Duration token_lifetime_ = absl::Hours(1);
  FaultHook fault_;
  LineHook line_hook_;
  std::vector<Sent> log_;
  std::map<std::string, std::string> products_;
  std::map<std::string, absl::Time> valid_tokens_;  // token -> expiry
  std::set<std::string> refresh_tokens_;
  int tokens_issued_ = 0;
  uint64_t batches_ = 0;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

}  // namespace pimsim::client::testing

#endif  // PIMSIM_CLIENT_TESTING_FAKE_PIM_H_
