#include "checker/attempts.h"

#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::JournalBuilder;

AttemptTable Table(JournalBuilder& j, const FaultKinds& kinds = {}) {
  static std::vector<pimsim::v1::JournalEvent>* events = nullptr;
  delete events;
  events = new std::vector<pimsim::v1::JournalEvent>(j.Build());
  return BuildAttemptTable(*events, kinds, 20'000);
}

TEST(AttemptsTest, ClassifiesFailures) {
  JournalBuilder j;
  j.Send("GET", "/a").At(1);
  j.Send("GET", "/b").At(2).Status(503);
  j.Send("GET", "/c").At(3).Rejected();
  j.Send("GET", "/d").At(4).Status(429).Fault("forced");
  j.Send("GET", "/e").At(5).Dropped();
  j.Send("GET", "/f").At(6).Status(404);
  j.Send("GET", "/g").At(7).Status(408);
  const AttemptTable t = Table(j);
  const bool failed[] = {false, true, true, true, true, false, true};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(t.attempts[i].failed, failed[i]) << i;
  EXPECT_TRUE(t.attempts[2].rejected);
  EXPECT_FALSE(t.attempts[3].rejected);  // an injected 429
  EXPECT_TRUE(t.attempts[4].no_response);
}

TEST(AttemptsTest, AmbiguousMeansTheBodyWasReadAndNoClearAnswerCame) {
  JournalBuilder j;
  j.Send("POST", "/api/rest/v1/products").Body("x").At(1).Dropped();
  j.Send("POST", "/api/rest/v1/products").Body("x").At(2).Dropped().BodyIncomplete();
  j.Send("POST", "/api/rest/v1/products").Body("x").At(3).Status(502);
  j.Send("POST", "/api/rest/v1/products").Body("x").At(4).Status(503);
  j.Send("POST", "/api/rest/v1/products").Body("x").At(5).Status(201).Fault("cut");
  const AttemptTable t = Table(j, {{"cut", pimsim::v1::FaultAction::kTruncate}});
  const bool ambiguous[] = {true, false, true, false, true};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(t.attempts[i].ambiguous, ambiguous[i]) << i;
  EXPECT_TRUE(t.attempts[4].failed);
}

TEST(AttemptsTest, ClassifiesRoutes) {
  JournalBuilder j;
  j.Send("POST", "/api/oauth/v1/token").At(1);
  j.Send("PATCH", "/api/rest/v1/attributes/color/options/red").At(2);
  j.Send("GET", "/api/rest/v1/channels").At(3);
  j.Send("PATCH", "/api/rest/v1/products").At(4);
  j.Send("POST", "/api/rest/v1/products").At(5);
  j.Send("PATCH", "/api/rest/v1/products/a").At(6);
  j.Send("GET", "/api/rest/v1/products/a").At(7);
  j.Send("PATCH", "/api/rest/v1/locales/en_US").At(8);
  const AttemptTable t = Table(j);
  EXPECT_TRUE(t.attempts[0].route & kRouteToken);
  EXPECT_TRUE(t.attempts[1].route & kRouteAttributeOptionWrite);
  EXPECT_TRUE(t.attempts[1].route & kRouteSingleWrite);
  EXPECT_TRUE(t.attempts[2].route & kRouteReferenceRead);
  EXPECT_TRUE(t.attempts[3].route & kRouteBatchWrite);
  EXPECT_TRUE(t.attempts[4].route & kRouteSingleWrite);
  EXPECT_TRUE(t.attempts[5].route & kRouteSingleWrite);
  EXPECT_TRUE(t.attempts[6].route & kRouteGet);
  EXPECT_EQ(t.attempts[6].reference_collection, -1);
  EXPECT_FALSE(t.attempts[7].route & kRouteSingleWrite);  // locales have no batch PATCH
}

TEST(AttemptsTest, FingerprintIsConnectionMethodPathAndBody) {
  JournalBuilder j;
  j.Send("PATCH", "/p").Body("x").At(1);
  j.Send("PATCH", "/p").Body("x").At(2);
  j.Send("PATCH", "/p").Body("y").At(3);
  j.Send("PUT", "/p").Body("x").At(4);
  j.Send("PATCH", "/p").Body("x").Connection("other").At(5);
  j.Send("PATCH", "/p").Body("x").Instance("other").At(6);
  const AttemptTable t = Table(j);
  EXPECT_EQ(t.attempts[0].fingerprint, t.attempts[1].fingerprint);
  for (int i = 2; i < 6; ++i) EXPECT_NE(t.attempts[0].fingerprint, t.attempts[i].fingerprint) << i;
  EXPECT_EQ(t.connections.size(), 3u);
  EXPECT_EQ(t.instances.size(), 2u);
}

TEST(AttemptsTest, AClientAbortEndsEpsilonBeforeTheMockNoticed) {
  JournalBuilder j;
  j.Send("GET", "/h").At(1).Latency(30).ClientAborted();
  const AttemptTable t = Table(j);
  EXPECT_EQ(t.attempts[0].response_us, 31'000'000);
  EXPECT_EQ(t.attempts[0].end_us, 31'000'000 - 20'000);
  EXPECT_EQ(t.start_us, 1'000'000);
  EXPECT_EQ(t.end_us, 31'000'000);
}

TEST(AttemptsTest, FaultKindsFromRulesUsesTheInjectorsDefaultNames) {
  google::protobuf::RepeatedPtrField<pimsim::v1::FaultRule> rules;
  rules.Add()->mutable_action()->mutable_truncate();
  auto* named = rules.Add();
  named->set_name("slow");
  named->mutable_action()->mutable_latency();
  const FaultKinds kinds = FaultKindsFromRules(rules);
  EXPECT_EQ(kinds.at("fault-1"), pimsim::v1::FaultAction::kTruncate);
  EXPECT_EQ(kinds.at("slow"), pimsim::v1::FaultAction::kLatency);
}

}  // namespace
}  // namespace pimsim::checker
