#include "checker/expectations.h"

#include <functional>
#include <string>

#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

TEST(ValidateExpectationsTest, AcceptsDefaultsAndKnownRules) {
  pimsim::v1::Expectations e;
  EXPECT_TRUE(ValidateExpectations(e).ok());
  e.add_rules()->set_rule("backoff.no_jitter");
  e.mutable_thresholds()->set_jitter_cv_weak(0.3);
  EXPECT_TRUE(ValidateExpectations(e).ok());
}

TEST(ValidateExpectationsTest, RejectsBadConfigsNamingTheField) {
  using Edit = std::function<void(pimsim::v1::Expectations&)>;
  const std::pair<Edit, std::string> cases[] = {
      {[](auto& e) { e.add_rules()->set_rule("backoff.nope"); },
       "rules[0].rule: unknown rule id \"backoff.nope\""},
      {[](auto& e) {
         e.add_rules()->set_rule("cache.unused");
         e.add_rules()->set_rule("cache.unused");
       },
       "rules[1].rule: rule \"cache.unused\" is overridden twice"},
      {[](auto& e) {
         auto* r = e.add_rules();
         r->set_rule("cache.unused");
         r->set_severity(static_cast<pimsim::v1::Severity>(17));
       },
       "rules[0].severity: unknown severity 17"},
      {[](auto& e) { e.mutable_thresholds()->mutable_epsilon()->set_seconds(-1); },
       "thresholds.epsilon: must be in [0, 10s], got -1s"},
      {[](auto& e) { e.mutable_thresholds()->mutable_epsilon()->set_seconds(11); },
       "thresholds.epsilon: must be in [0, 10s], got 11s"},
      {[](auto& e) { e.mutable_thresholds()->set_max_attempts(0); },
       "thresholds.max_attempts: must be in [1, inf), got 0"},
      {[](auto& e) { e.mutable_thresholds()->set_min_chains(1); },
       "thresholds.min_chains: must be in [2, 1000000], got 1"},
      {[](auto& e) { e.mutable_thresholds()->set_immediate_retry_share(1.5); },
       "thresholds.immediate_retry_share: must be in [0, 1], got 1.5"},
      {[](auto& e) { e.mutable_thresholds()->set_rate_slack(0.9); },
       "thresholds.rate_slack: must be in [1, 10], got 0.9"},
      {[](auto& e) { e.mutable_thresholds()->mutable_window()->set_seconds(0); },
       "thresholds.window: must be in [1ms, 1h], got 0s"},
      {[](auto& e) { e.mutable_thresholds()->set_jitter_cv_weak(0.01); },
       "thresholds.jitter_cv_weak: must be >= jitter_cv_violation (0.02), got 0.01"},
      {[](auto& e) { e.mutable_thresholds()->set_persistent_windows(0); },
       "thresholds.persistent_windows: must be in [1, 100000], got 0"},
      {[](auto& e) { e.mutable_thresholds()->mutable_hang_tolerance()->set_nanos(-5); },
       "thresholds.hang_tolerance: must be in (0, 24h], got -5e-09s"},
      {[](auto& e) {
         auto* d = e.mutable_thresholds()->mutable_max_retry_span();
         d->set_seconds(1);
         d->set_nanos(-1);
       },
       "thresholds.max_retry_span: malformed duration"},
      {[](auto& e) { e.mutable_thresholds()->set_abandoned_share(-0.1); },
       "thresholds.abandoned_share: must be in [0, 1], got -0.1"},
      {[](auto& e) { e.mutable_thresholds()->mutable_outage_min_duration()->set_nanos(1000); },
       "thresholds.outage_min_duration: must be in [1s, 24h], got 1e-06s"},
  };
  for (const auto& [edit, message] : cases) {
    pimsim::v1::Expectations e;
    edit(e);
    const absl::Status s = ValidateExpectations(e);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << message;
    EXPECT_EQ(s.message(), message);
  }
}

}  // namespace
}  // namespace pimsim::checker
