#include "mock_pim/faults/fault_injector.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "mock_pim/faults/fault_spec.h"

namespace pimsim {
namespace {

using pimsim::v1::FaultRule;
using testing::ElementsAre;
using testing::HasSubstr;
using testing::Pair;

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

FaultRule Spec(const std::string& spec) {
  absl::StatusOr<FaultRule> rule = ParseFaultSpec(spec);
  EXPECT_TRUE(rule.ok()) << spec << ": " << rule.status();
  return rule.ok() ? *rule : FaultRule();
}

std::vector<FaultRule> Specs(const std::vector<std::string>& specs) {
  std::vector<FaultRule> out;
  for (const std::string& s : specs) out.push_back(Spec(s));
  return out;
}

FaultRequest Get(std::string_view path = "/api/rest/v1/products/x",
                 pimsim::v1::RouteKind kind = pimsim::v1::ROUTE_KIND_GET_ITEM) {
  return FaultRequest{"default", "erp", "GET", path, kind};
}

// Which of `count` identical GETs (1-based) made rule `name` fire.
std::vector<int> FiringRequests(FaultInjector& faults, int count,
                                const FaultRequest& request = Get(),
                                absl::Time arrival = kStart) {
  std::vector<int> out;
  for (int i = 1; i <= count; ++i) {
    if (!faults.Select(request, arrival).fired.empty()) out.push_back(i);
  }
  return out;
}

std::vector<std::string> Names(const FaultInjector& faults) {
  std::vector<std::string> out;
  for (const FaultRule& r : faults.Rules()) out.push_back(r.name());
  return out;
}

uint64_t Injected(const FaultInjector& faults, const std::string& kind) {
  for (const auto& [name, count] : faults.InjectedCounts()) {
    if (name == kind) return count;
  }
  ADD_FAILURE() << "no kind " << kind;
  return 0;
}

// ---- Rule management ----

TEST(FaultInjectorTest, NoRulesMeansNoFault) {
  FaultInjector faults(1, kStart);
  const FaultDecision d = faults.Select(Get(), kStart);
  EXPECT_FALSE(d.any());
  EXPECT_FALSE(d.action.has_value());
  EXPECT_EQ(d.extra_latency, absl::ZeroDuration());
  EXPECT_EQ(d.fired, "");
}

TEST(FaultInjectorTest, UnnamedRulesAreNamedByPosition) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503", "hang,name=a", "truncate"})).ok());
  EXPECT_THAT(Names(faults), ElementsAre("fault-1", "a", "fault-3"));
  absl::StatusOr<FaultRule> added = faults.AddRule(Spec("status=500"));
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->name(), "fault-4");
  EXPECT_THAT(Names(faults), ElementsAre("fault-1", "a", "fault-3", "fault-4"));
}

TEST(FaultInjectorTest, DefaultNamesSkipNamesInUse) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,name=fault-2", "hang"})).ok());
  EXPECT_THAT(Names(faults), ElementsAre("fault-2", "fault-3"));
  ASSERT_EQ(faults.ClearRules({"fault-2"}), 1u);
  // Position 2 again, but "fault-3" is still taken... by the rule at position 1.
  absl::StatusOr<FaultRule> added = faults.AddRule(Spec("status=500"));
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->name(), "fault-2");
  added = faults.AddRule(Spec("status=500"));
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(added->name(), "fault-4");
}

TEST(FaultInjectorTest, DuplicateNamesAreRejectedAndChangeNothing) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,name=x"})).ok());
  absl::Status s = faults.SetRules(Specs({"hang,name=y", "truncate,name=y"}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("rules[1] \"y\": name is used by an earlier rule"));
  absl::StatusOr<FaultRule> added = faults.AddRule(Spec("hang,name=x"));
  EXPECT_EQ(added.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(added.status().message()), HasSubstr("rule \"x\": name is already used"));
  EXPECT_THAT(Names(faults), ElementsAre("x"));
}

TEST(FaultInjectorTest, InvalidRulesAreRejectedNamingRuleAndField) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,name=keep"})).ok());
  FaultRule bad = Spec("status=503,name=flaky");
  bad.mutable_trigger()->set_probability(1.5);
  absl::Status s = faults.SetRules({Spec("hang"), bad});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "rules[1] \"flaky\": trigger.probability must be in [0, 1], got 1.5");
  EXPECT_THAT(Names(faults), ElementsAre("keep"));

  absl::StatusOr<FaultRule> added = faults.AddRule(FaultRule());
  EXPECT_EQ(added.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(added.status().message()), HasSubstr("rule: action must be set"));
  EXPECT_THAT(Names(faults), ElementsAre("keep"));
}

TEST(FaultInjectorTest, ClearRulesRemovesNamedOrAll) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,name=a", "hang,name=b", "truncate,name=c"})).ok());
  EXPECT_EQ(faults.ClearRules({"b", "nope"}), 1u);
  EXPECT_THAT(Names(faults), ElementsAre("a", "c"));
  EXPECT_EQ(faults.ClearRules({}), 2u);
  EXPECT_TRUE(faults.Rules().empty());
  EXPECT_FALSE(faults.Select(Get(), kStart).any());
}

TEST(FaultInjectorTest, RulesReturnsStoredRules) {
  FaultInjector faults(1, kStart);
  const FaultRule rule = Spec("status=503,retry_after=2s,p=0.3,method=GET,name=flaky");
  ASSERT_TRUE(faults.SetRules({rule}).ok());
  ASSERT_EQ(faults.Rules().size(), 1u);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(faults.Rules()[0], rule));
}

// ---- Triggers ----

TEST(FaultInjectorTest, EveryNthFiresOnMultiples) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,every=3"})).ok());
  EXPECT_THAT(FiringRequests(faults, 10), ElementsAre(3, 6, 9));
}

TEST(FaultInjectorTest, FirstNFiresOnTheFirstMatchesOnly) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,first=2"})).ok());
  EXPECT_THAT(FiringRequests(faults, 5), ElementsAre(1, 2));
}

TEST(FaultInjectorTest, AfterNFiresOnlyAfterTheFirstMatches) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,after=3"})).ok());
  EXPECT_THAT(FiringRequests(faults, 5), ElementsAre(4, 5));
}

TEST(FaultInjectorTest, TriggerConditionsCombine) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,after=2,first=9,every=2"})).ok());
  EXPECT_THAT(FiringRequests(faults, 12), ElementsAre(4, 6, 8));
}

TEST(FaultInjectorTest, MaxFiresStopsTheRule) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,every=2,max=2"})).ok());
  EXPECT_THAT(FiringRequests(faults, 10), ElementsAre(2, 4));
  EXPECT_EQ(faults.RuleStats()[0].fired, 2u);
  EXPECT_EQ(faults.RuleStats()[0].matched, 10u);
}

TEST(FaultInjectorTest, WindowIsHalfOpenAndRelativeToRunStart) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,from=10s,until=20s"})).ok());
  auto fires_at = [&](absl::Duration since_start) {
    return faults.Select(Get(), kStart + since_start).action.has_value();
  };
  EXPECT_FALSE(fires_at(absl::Seconds(9.999)));
  EXPECT_TRUE(fires_at(absl::Seconds(10)));
  EXPECT_TRUE(fires_at(absl::Seconds(19.999)));
  EXPECT_FALSE(fires_at(absl::Seconds(20)));
  // After a reset the window counts from the new start.
  faults.Reset(kStart + absl::Minutes(1));
  EXPECT_FALSE(fires_at(absl::Seconds(15)));
  EXPECT_TRUE(fires_at(absl::Seconds(75)));
}

TEST(FaultInjectorTest, OpenWindowBounds) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,until=1s,name=early", "hang,from=1s,name=late"}))
                  .ok());
  EXPECT_EQ(faults.Select(Get(), kStart - absl::Hours(1)).fired, "early");
  EXPECT_EQ(faults.Select(Get(), kStart + absl::Milliseconds(999)).fired, "early");
  EXPECT_EQ(faults.Select(Get(), kStart + absl::Seconds(1)).fired, "late");
  EXPECT_EQ(faults.Select(Get(), kStart + absl::Hours(100)).fired, "late");
}

TEST(FaultInjectorTest, PhaseTriggerFiresOnlyInItsPhase) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,phase=spike"})).ok());
  EXPECT_EQ(faults.phase(), "");
  EXPECT_FALSE(faults.Select(Get(), kStart).any());
  EXPECT_EQ(faults.StartPhase("warmup"), "");
  EXPECT_FALSE(faults.Select(Get(), kStart).any());
  EXPECT_EQ(faults.StartPhase("spike"), "warmup");
  EXPECT_EQ(faults.phase(), "spike");
  EXPECT_TRUE(faults.Select(Get(), kStart).any());
  EXPECT_EQ(faults.StartPhase("cooldown"), "spike");
  EXPECT_FALSE(faults.Select(Get(), kStart).any());
  faults.StartPhase("spike");
  faults.Reset(kStart);
  EXPECT_EQ(faults.phase(), "");
  EXPECT_FALSE(faults.Select(Get(), kStart).any());
}

TEST(FaultInjectorTest, ProbabilityZeroNeverFiresAndOneAlwaysFires) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,p=0"})).ok());
  EXPECT_TRUE(FiringRequests(faults, 1000).empty());
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,p=1"})).ok());
  EXPECT_EQ(FiringRequests(faults, 1000).size(), 1000u);
}

TEST(FaultInjectorTest, ProbabilityFiresAtTheRequestedRate) {
  // Binomial(1000, 0.3): mean 300, sd 14.5. The draws are a function of the
  // seed, so this cannot flake; 5 sd catches a biased generator.
  for (uint64_t seed : {1u, 2u, 42u}) {
    FaultInjector faults(seed, kStart);
    ASSERT_TRUE(faults.SetRules(Specs({"status=503,p=0.3"})).ok());
    const double fired = FiringRequests(faults, 1000).size();
    EXPECT_NEAR(fired, 300, 5 * 14.5) << "seed " << seed;
  }
}

// ---- Matches ----

TEST(FaultInjectorTest, MatchesMethodCaseSensitively) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,method=PATCH|POST"})).ok());
  FaultRequest r = Get();
  EXPECT_FALSE(faults.Select(r, kStart).any());
  r.method = "PATCH";
  EXPECT_TRUE(faults.Select(r, kStart).any());
  r.method = "POST";
  EXPECT_TRUE(faults.Select(r, kStart).any());
  r.method = "patch";
  EXPECT_FALSE(faults.Select(r, kStart).any());
}

TEST(FaultInjectorTest, MatchesRouteKind) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,route=list|batch"})).ok());
  EXPECT_FALSE(faults.Select(Get("/x", pimsim::v1::ROUTE_KIND_GET_ITEM), kStart).any());
  EXPECT_TRUE(faults.Select(Get("/x", pimsim::v1::ROUTE_KIND_LIST), kStart).any());
  EXPECT_TRUE(faults.Select(Get("/x", pimsim::v1::ROUTE_KIND_BATCH), kStart).any());
  EXPECT_FALSE(faults.Select(Get("/x", pimsim::v1::ROUTE_KIND_UNSPECIFIED), kStart).any());
  EXPECT_FALSE(faults.Select(Get("/x", static_cast<pimsim::v1::RouteKind>(77)), kStart).any());
}

TEST(FaultInjectorTest, MatchesPathGlob) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,path=/api/rest/v1/products/*"})).ok());
  EXPECT_TRUE(faults.Select(Get("/api/rest/v1/products/x"), kStart).any());
  EXPECT_TRUE(faults.Select(Get("/api/rest/v1/products/x?with_count=true"), kStart).any());
  EXPECT_FALSE(faults.Select(Get("/api/rest/v1/products"), kStart).any());
  EXPECT_FALSE(faults.Select(Get("/api/rest/v1/products/x/y"), kStart).any());
  EXPECT_FALSE(faults.Select(Get("/api/rest/v1/product-models/x"), kStart).any());
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,path=/api/rest/v1/**"})).ok());
  EXPECT_TRUE(faults.Select(Get("/api/rest/v1/products/x/y"), kStart).any());
  EXPECT_FALSE(faults.Select(Get("/api/oauth/v1/token"), kStart).any());
}

TEST(FaultInjectorTest, MatchesConnectionAndInstance) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,connection=erp|dam,instance=eu"})).ok());
  FaultRequest r{"eu", "erp", "GET", "/x", pimsim::v1::ROUTE_KIND_OTHER};
  EXPECT_TRUE(faults.Select(r, kStart).any());
  r.connection = "dam";
  EXPECT_TRUE(faults.Select(r, kStart).any());
  r.connection = "";  // unauthenticated
  EXPECT_FALSE(faults.Select(r, kStart).any());
  r.connection = "shop";
  EXPECT_FALSE(faults.Select(r, kStart).any());
  r.connection = "erp";
  r.instance = "us";
  EXPECT_FALSE(faults.Select(r, kStart).any());
}

TEST(FaultInjectorTest, EmptyMatchMatchesUnauthenticatedRequests) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503"})).ok());
  EXPECT_TRUE(faults.Select(FaultRequest{"", "", "POST", "/api/oauth/v1/token",
                                         pimsim::v1::ROUTE_KIND_TOKEN},
                            kStart)
                  .any());
}

TEST(FaultInjectorTest, CountsOnlyMatchingRequests) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,method=POST,every=2"})).ok());
  FaultRequest post = Get();
  post.method = "POST";
  EXPECT_FALSE(faults.Select(post, kStart).any());  // n = 1
  EXPECT_FALSE(faults.Select(Get(), kStart).any());  // no match, n stays
  EXPECT_FALSE(faults.Select(Get(), kStart).any());
  EXPECT_TRUE(faults.Select(post, kStart).any());  // n = 2
  EXPECT_EQ(faults.RuleStats()[0].matched, 2u);
}

// ---- Actions and composition ----

TEST(FaultInjectorTest, DecisionCarriesTheRulesAction) {
  FaultInjector faults(1, kStart);
  const FaultRule rule = Spec("disconnect=after,close=orderly,name=d");
  ASSERT_TRUE(faults.SetRules({rule}).ok());
  const FaultDecision d = faults.Select(Get(), kStart);
  ASSERT_TRUE(d.action.has_value());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(*d.action, rule.action()));
  EXPECT_EQ(d.fired, "d");
  EXPECT_EQ(d.extra_latency, absl::ZeroDuration());
}

TEST(FaultInjectorTest, LatenciesAddAndFirstOtherActionWins) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults
                  .SetRules(Specs({"latency=10ms,name=lat1", "status=503,name=s503",
                                   "disconnect=before,name=disc", "latency=20ms,name=lat2"}))
                  .ok());
  const FaultDecision d = faults.Select(Get(), kStart);
  EXPECT_EQ(d.extra_latency, absl::Milliseconds(30));
  ASSERT_TRUE(d.action.has_value());
  EXPECT_EQ(d.action->status().code(), 503u);
  EXPECT_EQ(d.fired, "lat1,s503,lat2");
  EXPECT_TRUE(d.any());
  // The loser's counter advanced, but it did not fire.
  const std::vector<FaultRuleStats> stats = faults.RuleStats();
  ASSERT_EQ(stats.size(), 4u);
  EXPECT_EQ(stats[2].name, "disc");
  EXPECT_EQ(stats[2].matched, 1u);
  EXPECT_EQ(stats[2].fired, 0u);
  EXPECT_EQ(Injected(faults, "status_503"), 1u);
  EXPECT_EQ(Injected(faults, "disconnect_before"), 0u);
  EXPECT_EQ(Injected(faults, "latency"), 2u);
}

TEST(FaultInjectorTest, LaterActionFiresWhenEarlierDoesNot) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,every=2,name=a", "hang,name=b"})).ok());
  EXPECT_EQ(faults.Select(Get(), kStart).fired, "b");
  EXPECT_EQ(faults.Select(Get(), kStart).fired, "a");
  EXPECT_EQ(faults.Select(Get(), kStart).fired, "b");
}

TEST(FaultInjectorTest, LosingRuleDoesNotSpendItsMaxFires) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(
      faults.SetRules(Specs({"status=503,first=2,name=a", "hang,max=1,name=b"})).ok());
  EXPECT_EQ(faults.Select(Get(), kStart).fired, "a");
  EXPECT_EQ(faults.Select(Get(), kStart).fired, "a");
  EXPECT_EQ(faults.Select(Get(), kStart).fired, "b");
  EXPECT_EQ(faults.Select(Get(), kStart).fired, "");
}

TEST(FaultInjectorTest, LatencyDrawsFollowTheDistribution) {
  FaultInjector faults(7, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"latency=uniform:1ms:5ms"})).ok());
  absl::Duration lo = absl::InfiniteDuration(), hi = absl::ZeroDuration(), sum;
  for (int i = 0; i < 1000; ++i) {
    const absl::Duration d = faults.Select(Get(), kStart).extra_latency;
    lo = std::min(lo, d);
    hi = std::max(hi, d);
    sum += d;
  }
  EXPECT_GE(lo, absl::Milliseconds(1));
  EXPECT_LE(hi, absl::Milliseconds(5));
  EXPECT_LT(lo, absl::Milliseconds(1.2));
  EXPECT_GT(hi, absl::Milliseconds(4.8));
  EXPECT_NEAR(absl::ToDoubleMilliseconds(sum / 1000), 3.0, 0.2);
}

TEST(FaultInjectorTest, LogNormalLatencyRespectsItsCap) {
  FaultInjector faults(7, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"latency=lognormal:100ms:1:150ms"})).ok());
  int capped = 0;
  for (int i = 0; i < 1000; ++i) {
    const absl::Duration d = faults.Select(Get(), kStart).extra_latency;
    EXPECT_LE(d, absl::Milliseconds(150));
    EXPECT_GT(d, absl::ZeroDuration());
    capped += d == absl::Milliseconds(150);
  }
  EXPECT_GT(capped, 100);  // P(z > ln 1.5) ~ 0.34
}

TEST(FaultInjectorTest, CountsInjectedFaultsByKind) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults
                  .SetRules(Specs({"status=429,first=1", "status=502,first=2",
                                   "disconnect=after,first=3", "truncate,first=4", "hang,first=5",
                                   "disconnect,first=6", "latency=1ms,first=1"}))
                  .ok());
  FiringRequests(faults, 7);
  EXPECT_THAT(faults.InjectedCounts(),
              ElementsAre(Pair("status_500", 0), Pair("status_502", 1), Pair("status_503", 0),
                          Pair("status_504", 0), Pair("status_408", 0), Pair("status_429", 1),
                          Pair("disconnect_before", 1), Pair("disconnect_after", 1),
                          Pair("truncate", 1), Pair("hang", 1), Pair("latency", 1)));
}

// ---- Counters across edits and resets ----

TEST(FaultInjectorTest, CountersCarryOverOnAddAndClear) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,every=3,name=a"})).ok());
  EXPECT_THAT(FiringRequests(faults, 2), ElementsAre());
  ASSERT_TRUE(faults.AddRule(Spec("latency=1ms,name=b")).ok());
  EXPECT_EQ(faults.Select(Get(), kStart).fired, "a,b");  // a's third match
  EXPECT_EQ(faults.ClearRules({"b"}), 1u);
  EXPECT_THAT(FiringRequests(faults, 3), ElementsAre(3));  // a's matches 4, 5, 6
  EXPECT_EQ(faults.RuleStats()[0].matched, 6u);
}

TEST(FaultInjectorTest, SetRulesKeepsCountersOfUnchangedRulesOnly) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,every=3,name=a", "hang,every=3,name=b"})).ok());
  FiringRequests(faults, 2);
  // a unchanged, b changed: a keeps n = 2, b starts over.
  ASSERT_TRUE(faults.SetRules(Specs({"hang,every=3,max=9,name=b", "status=503,every=3,name=a"}))
                  .ok());
  EXPECT_EQ(faults.Select(Get(), kStart).fired, "a");
  const std::vector<FaultRuleStats> stats = faults.RuleStats();
  EXPECT_EQ(stats[0].name, "b");
  EXPECT_EQ(stats[0].matched, 1u);
  EXPECT_EQ(stats[1].name, "a");
  EXPECT_EQ(stats[1].matched, 3u);
}

TEST(FaultInjectorTest, ResetForgetsCountersAndFireBudgets) {
  FaultInjector faults(1, kStart);
  ASSERT_TRUE(faults.SetRules(Specs({"status=503,first=1,name=a", "hang,max=1,name=b"})).ok());
  EXPECT_THAT(FiringRequests(faults, 3), ElementsAre(1, 2));
  faults.Reset(kStart);
  EXPECT_EQ(faults.RuleStats()[0].matched, 0u);
  EXPECT_EQ(faults.RuleStats()[1].fired, 0u);
  EXPECT_EQ(faults.Select(Get(), kStart).fired, "a");
  EXPECT_EQ(faults.Select(Get(), kStart).fired, "b");
  EXPECT_EQ(Names(faults), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Injected(faults, "status_503"), 2u);  // not reset
}

// ---- Determinism ----

struct Outcome {
  std::string fired;
  std::string kind;
  absl::Duration latency;
  bool operator==(const Outcome& o) const {
    return fired == o.fired && kind == o.kind && latency == o.latency;
  }
};

std::vector<Outcome> RunSequence(uint64_t seed) {
  FaultInjector faults(seed, kStart);
  EXPECT_TRUE(faults
                  .SetRules(Specs({
                      "latency=lognormal:20ms:0.5,p=0.5,name=slow",
                      "status=503,retry_after=1s,p=0.3,method=GET,route=list|get_item,name=flaky",
                      "disconnect=after,p=0.1,method=PATCH|POST,name=ambiguous",
                      "status=429,p=0.05,connection=shop,name=limited",
                      "latency=uniform:1ms:9ms,p=0.2,path=/api/rest/v1/**,name=jitter",
                  }))
                  .ok());
  const FaultRequest requests[] = {
      {"default", "erp", "GET", "/api/rest/v1/products/a", pimsim::v1::ROUTE_KIND_GET_ITEM},
      {"default", "shop", "GET", "/api/rest/v1/products", pimsim::v1::ROUTE_KIND_LIST},
      {"default", "erp", "PATCH", "/api/rest/v1/products/b", pimsim::v1::ROUTE_KIND_WRITE_ITEM},
      {"default", "shop", "POST", "/api/oauth/v1/token", pimsim::v1::ROUTE_KIND_TOKEN},
      {"default", "erp", "PATCH", "/api/rest/v1/products", pimsim::v1::ROUTE_KIND_BATCH},
  };
  std::vector<Outcome> out;
  uint64_t x = 12345;  // a fixed, irregular request sequence
  for (int i = 0; i < 10000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const FaultRequest& r = requests[(x >> 33) % 5];
    const FaultDecision d = faults.Select(r, kStart + absl::Milliseconds(i));
    out.push_back(Outcome{d.fired, d.action ? FaultKindName(*d.action) : "", d.extra_latency});
  }
  return out;
}

TEST(FaultInjectorTest, SameSeedAndRequestsGiveSameDecisions) {
  const std::vector<Outcome> a = RunSequence(2024), b = RunSequence(2024);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_TRUE(a == b);
  // And the run is not trivial: every rule fired.
  for (const char* name : {"slow", "flaky", "ambiguous", "limited", "jitter"}) {
    EXPECT_TRUE(std::any_of(a.begin(), a.end(),
                            [&](const Outcome& o) { return o.fired.find(name) != std::string::npos; }))
        << name;
  }
}

TEST(FaultInjectorTest, DifferentSeedsGiveDifferentDecisions) {
  const std::vector<Outcome> a = RunSequence(2024), b = RunSequence(2025);
  int differ = 0;
  for (size_t i = 0; i < a.size(); ++i) differ += !(a[i] == b[i]);
  EXPECT_GT(differ, 1000);
}

TEST(FaultInjectorTest, RuleDrawsDoNotDependOnOtherRules) {
  // The same rule, with or without an unrelated rule ahead of it, fires on
  // the same requests: its stream depends on its name and n only.
  auto fires = [](bool with_other) {
    FaultInjector faults(5, kStart);
    std::vector<FaultRule> rules = Specs({"latency=1ms,p=0.5,name=mine"});
    if (with_other) rules.insert(rules.begin(), Spec("latency=2ms,p=0.5,name=other"));
    EXPECT_TRUE(faults.SetRules(rules).ok());
    std::vector<int> out;
    for (int i = 1; i <= 200; ++i) {
      if (faults.Select(Get(), kStart).fired.find("mine") != std::string::npos) out.push_back(i);
    }
    return out;
  };
  EXPECT_EQ(fires(false), fires(true));
}

// ---- Concurrency ----

TEST(FaultInjectorTest, ConcurrentSelectsAndEditsKeepCountsConsistent) {
  FaultInjector faults(3, kStart);
  ASSERT_TRUE(faults
                  .SetRules(Specs({"latency=1ms,every=2,name=steady",
                                   "status=503,max=100,name=capped"}))
                  .ok());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> steady_fires{0}, capped_fires{0};
  std::thread editor([&] {
    int i = 0;
    while (!stop.load()) {
      const std::string name = "churn-" + std::to_string(i++ % 3);
      EXPECT_TRUE(faults.AddRule(Spec("hang,p=0.5,name=" + name)).ok());
      faults.StartPhase(i % 2 ? "a" : "b");
      faults.Rules();
      EXPECT_EQ(faults.ClearRules({name}), 1u);
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        const FaultDecision d = faults.Select(Get(), kStart);
        if (d.fired.find("steady") != std::string::npos) steady_fires.fetch_add(1);
        if (d.fired.find("capped") != std::string::npos) capped_fires.fetch_add(1);
      }
    });
  }
  for (std::thread& w : workers) w.join();
  stop.store(true);
  editor.join();

  const std::vector<FaultRuleStats> stats = faults.RuleStats();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].matched, uint64_t{kThreads * kPerThread});
  EXPECT_EQ(stats[0].fired, uint64_t{kThreads * kPerThread / 2});
  EXPECT_EQ(steady_fires.load(), uint64_t{kThreads * kPerThread / 2});
  // The churn rules come after "capped", so it wins its first 100 matches.
  EXPECT_EQ(stats[1].fired, 100u);
  EXPECT_EQ(capped_fires.load(), 100u);
  EXPECT_EQ(Injected(faults, "status_503"), 100u);
}

}  // namespace
}  // namespace pimsim
