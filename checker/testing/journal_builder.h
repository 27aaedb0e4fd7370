// JournalBuilder: synthetic journals for checker tests that read like
// scenarios. Times are seconds (doubles) since the journal's start; Build()
// orders events by arrival and numbers them from 1, as the mock does.
//
// Thread-safety: not thread-safe; test-only.
//
//   JournalBuilder j;
//   j.Send("GET", "/api/rest/v1/products/a").At(1.0).Latency(0.05).Status(503);
//   j.Chain({.path = "/api/rest/v1/products/b", .start = 2, .delays = {0.5, 1, 2}});
//   pimsim::v1::Report r = j.Check();
#ifndef PIMSIM_CHECKER_TESTING_JOURNAL_BUILDER_H_
#define PIMSIM_CHECKER_TESTING_JOURNAL_BUILDER_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "checker/checker.h"
#include "proto/journal.pb.h"
#include "proto/report.pb.h"

namespace pimsim::checker::testing {

inline constexpr char kConnection[] = "pimsim";
inline constexpr char kInstance[] = "main";

// One request attempt; setters chain.
class EventSpec {
 public:
  EventSpec(std::string method, std::string path);

  EventSpec& At(double seconds);
  // Response written this long after arrival (default 10 ms).
  EventSpec& Latency(double seconds);
  EventSpec& Status(uint32_t status);
  EventSpec& RetryAfter(int64_t seconds);
  // A 429 from the limiter, e.g. REJECTION_RATE_INSTANCE; latency 0.
  EventSpec& Rejected(pimsim::v1::Rejection why = pimsim::v1::REJECTION_RATE_INSTANCE);
  EventSpec& Connection(std::string connection);  // "" for unauthenticated
  EventSpec& Instance(std::string instance);
  EventSpec& Body(const std::string& body);
  // The body never completed.
  EventSpec& BodyIncomplete();
  EventSpec& Fault(std::string fault);
  // The client closed the socket before the response (status becomes 0).
  EventSpec& ClientAborted();
  // No response: the socket closed (status 0).
  EventSpec& Dropped();
  EventSpec& Conditional();
  // A fault cut the response off mid-body (the status is kept).
  EventSpec& Cut();
  EventSpec& IdempotencyKey(std::string key);

  double arrival() const { return arrival_; }
  double response() const { return arrival_ + latency_; }
  pimsim::v1::JournalEvent ToEvent() const;

 private:
  pimsim::v1::JournalEvent e_;
  double arrival_ = 0;
  double latency_ = 0.010;
  bool body_incomplete_ = false;
};

// A request that fails and is retried: attempt 1 at `start`, each retry
// `delays[k]` seconds after the previous attempt's response. Every attempt
// but the last fails with `fail_status` (Retry-After `retry_after` if >= 0);
// the last succeeds (200) unless `last_fails`.
struct ChainSpec {
  std::string method = "GET";
  std::string path = "/api/rest/v1/products/sku-1";
  std::string connection = kConnection;
  double start = 0;
  std::vector<double> delays;
  uint32_t fail_status = 503;
  int64_t retry_after = -1;
  double latency = 0.010;
  bool last_fails = false;
  std::string body;
};

class JournalBuilder {
 public:
  EventSpec& Send(std::string method, std::string path);
  // Adds the attempts of a retry chain; returns the last attempt's response
  // time.
  double Chain(const ChainSpec& spec);
  // Adds `count` successful GETs of distinct categories by `connection`,
  // one a second from `start`: a client that never repeats a request on its
  // own, so that whatever of its requests comes again after a failure is a
  // retry (retry_chains.h).
  void Background(double start = 0, std::string connection = kConnection, int count = 10);

  std::vector<pimsim::v1::JournalEvent> Build() const;

  // Options for Check().
  CheckInput& input() { return input_; }
  pimsim::v1::Thresholds& thresholds() {
    return *input_.expectations.mutable_thresholds();
  }
  // Builds and checks.
  pimsim::v1::Report Check();

 private:
  std::deque<EventSpec> specs_;
  CheckInput input_;
  std::vector<pimsim::v1::JournalEvent> built_;
};

// The route template of a path, as the mock names it.
std::string RouteOf(const std::string& path);

// The result of `rule` in `report` (fails the test if missing).
const pimsim::v1::RuleResult& RuleOf(const pimsim::v1::Report& report, const std::string& rule);
// Violations of `rule` counted in `report`.
uint64_t ViolationsOf(const pimsim::v1::Report& report, const std::string& rule);
// The first listed violation of `rule`, or an empty one.
pimsim::v1::Violation FirstViolation(const pimsim::v1::Report& report, const std::string& rule);
// "rule: message" of every listed violation, for failure messages.
std::string Summary(const pimsim::v1::Report& report);

}  // namespace pimsim::checker::testing

#endif  // PIMSIM_CHECKER_TESTING_JOURNAL_BUILDER_H_
