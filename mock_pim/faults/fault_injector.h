// FaultInjector: decides, for every request the limiter admitted, which fault
// rules (pimsim.v1.FaultRule, proto/faults.proto) fire and what the mock does
// about it. It is the pure core of fault injection: no sockets, no threads,
// no clock (arrival times are arguments); the mock applies the decision.
//
// Matching and triggering. Rules are evaluated in order. Every rule whose
// match accepts the request advances its own match counter n (1, 2, 3, ...),
// whether or not it then fires, and even when an earlier rule has already
// chosen the action: so a rule's sequence of n depends only on the requests
// it matches, not on the other rules. The trigger then decides from n, the
// time since the run started (or the last Reset), the current phase and the
// rule's fire count; the probability draw, and a latency action's delay, come
// from SplitMix64(StreamSeed(seed, n, FNV-1a(rule name))). Hence the same
// seed and the same request sequence give the same faults, and renaming or
// editing one rule does not shift another's draws.
//
// Composition. The delays of all firing latency rules add up. Of the other
// rules, the first that fires wins; later non-latency rules do not fire
// (their trigger is not evaluated and their max_fires budget is not used),
// but their counters advance as said above.
//
// Editing. SetRules replaces every rule; AddRule appends; ClearRules removes.
// A rule that stays (AddRule and ClearRules leave the others alone; SetRules
// keeps a rule whose name and definition are unchanged) keeps its match and
// fire counts. Reset forgets them all.
//
// Thread-safety: all methods are thread-safe. Select takes a shared
// (writer-preferring) lock and touches only atomics; with no rules it is one
// atomic load. Under concurrent Selects, which request gets which n depends
// on the interleaving, so only the per-rule totals are reproducible.
//
//   FaultInjector faults(scenario.seed(), clock.Now());
//   faults.SetRules({rules.begin(), rules.end()}).IgnoreError();
//   FaultDecision d = faults.Select({instance, client_id, "GET", path, kind}, arrival);
//   if (d.any()) journal.fault = d.fired; ...
#ifndef PIMSIM_MOCK_PIM_FAULTS_FAULT_INJECTOR_H_
#define PIMSIM_MOCK_PIM_FAULTS_FAULT_INJECTOR_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "proto/faults.pb.h"
#include "proto/latency.pb.h"

namespace pimsim {

// Fault rules in force at once, at most: every admitted request is matched
// against each of them.
inline constexpr size_t kMaxFaultRules = 1000;

// What the injector may match on.
struct FaultRequest {
  std::string_view instance;
  std::string_view connection;  // client id; empty if unauthenticated
  std::string_view method;      // upper case, as on the wire
  std::string_view path;        // without the instance prefix ("/api/rest/v1/products/x")
  pimsim::v1::RouteKind route_kind = pimsim::v1::ROUTE_KIND_UNSPECIFIED;
};

struct FaultDecision {
  absl::Duration extra_latency = absl::ZeroDuration();  // sum of firing latency rules
  // The winning non-latency action, if any (a copy of the rule's FaultAction,
  // kind != latency). A hang's unset max means kDefaultHangMax (fault_spec.h).
  std::optional<pimsim::v1::FaultAction> action;
  // Names of the rules that fired, in rule order, joined with ',' ("" if
  // none): goes to the journal's `fault` field. A latency rule that drew a
  // zero delay is listed although any() may be false.
  std::string fired;
  bool any() const { return action.has_value() || extra_latency > absl::ZeroDuration(); }
};

// Per-rule counts, for the control API and tests.
struct FaultRuleStats {
  std::string name;
  uint64_t matched = 0;  // requests the rule's match accepted (its n)
  uint64_t fired = 0;
};

class FaultInjector {
 public:
  FaultInjector(uint64_t seed, absl::Time run_start);
  ~FaultInjector();
  FaultInjector(const FaultInjector&) = delete;
  FaultInjector& operator=(const FaultInjector&) = delete;

  // Rule changes validate first (ValidateFaultRule) and change nothing on
  // error: InvalidArgument naming the rule and the field, e.g.
  // `rules[2] "flaky": trigger.probability must be in [0, 1], got 1.5`.
  // Unnamed rules are named "fault-<k>", k their 1-based position (or the
  // next free number if that name is taken); duplicate names are an error.
  // At most kMaxFaultRules rules: more is InvalidArgument.
  absl::Status SetRules(std::vector<pimsim::v1::FaultRule> rules);
  // Appends a rule; returns it as stored (with its name). ResourceExhausted
  // when kMaxFaultRules are in place already.
  absl::StatusOr<pimsim::v1::FaultRule> AddRule(pimsim::v1::FaultRule rule);
  // Removes the named rules (unknown names are ignored); empty: all rules.
  // Returns how many were removed.
  size_t ClearRules(const std::vector<std::string>& names);
  // The rules as stored, in order.
  std::vector<pimsim::v1::FaultRule> Rules() const;

  // Makes `name` the current phase ("" for none); returns the previous one.
  std::string StartPhase(std::string name);
  std::string phase() const;

  // Forgets match counters and fire counts, sets the run start (time windows
  // are relative to it) and clears the phase. Rules and InjectedCounts stay.
  void Reset(absl::Time run_start);

  // The faults for one request arriving at `arrival`.
  FaultDecision Select(const FaultRequest& request, absl::Time arrival);

  // Injected faults by action kind since construction, every kind listed
  // (zeros included) in a fixed order: "status_500", "status_502",
  // "status_503", "status_504", "status_408", "status_429",
  // "disconnect_before", "disconnect_after", "truncate", "hang", "latency".
  std::vector<std::pair<std::string, uint64_t>> InjectedCounts() const;

  // Match and fire counts of every rule, in rule order.
  std::vector<FaultRuleStats> RuleStats() const;

  uint64_t seed() const { return seed_; }

 private:
  struct CompiledRule;
  static constexpr int kNumKinds = 11;

  // Validates and compiles `rule` (already named); `where` prefixes errors.
  static absl::StatusOr<std::unique_ptr<CompiledRule>> Compile(pimsim::v1::FaultRule rule,
                                                               const std::string& where);
  static bool Matches(const CompiledRule& rule, const FaultRequest& request, uint32_t route_bit,
                      uint32_t method_bit);

  const uint64_t seed_;
  // Mirrors !rules_.empty(), so that Select with no rules takes no lock.
  std::atomic<bool> has_rules_{false};
  // Writer-preferring, so that a stream of Selects cannot starve a rule edit.
  mutable SharedMutex mu_;
  std::vector<std::unique_ptr<CompiledRule>> rules_ ABSL_GUARDED_BY(mu_);
  absl::Time run_start_ ABSL_GUARDED_BY(mu_);
  std::string phase_ ABSL_GUARDED_BY(mu_);
  std::array<std::atomic<uint64_t>, kNumKinds> injected_{};
};

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_FAULTS_FAULT_INJECTOR_H_
