#include "checker/retry_chains.h"

#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::JournalBuilder;

struct Built {
  std::vector<pimsim::v1::JournalEvent> events;
  AttemptTable table;
  RetryChains chains;
};

std::unique_ptr<Built> Chains(JournalBuilder& j) {
  auto b = std::make_unique<Built>();
  b->events = j.Build();
  b->table = BuildAttemptTable(b->events, {}, 20'000);
  b->chains = BuildRetryChains(b->table, 20'000);
  return b;
}

TEST(RetryChainsTest, RetriesFollowFailuresOfTheSameRequest) {
  JournalBuilder j;
  j.Chain({.start = 1, .delays = {1, 2}});
  j.Send("GET", "/api/rest/v1/products/other").At(1.5);
  const auto b = Chains(j);
  const RetryChains& rc = b->chains;
  ASSERT_EQ(rc.chains.size(), 2u);
  EXPECT_EQ(rc.retry_index[0], 0u);
  EXPECT_EQ(rc.retry_index[2], 1u);  // the other GET sorts in between
  EXPECT_EQ(rc.retry_index[3], 2u);
  EXPECT_EQ(rc.chains[rc.chain[3]].attempts, 3u);
  EXPECT_EQ(rc.retries, 2u);
}

TEST(RetryChainsTest, ARepeatAfterSuccessStartsANewChain) {
  JournalBuilder j;
  j.Send("GET", "/x").At(1);
  j.Send("GET", "/x").At(2);
  const auto b = Chains(j);
  EXPECT_EQ(b->chains.chains.size(), 2u);
  EXPECT_EQ(b->chains.prev_same[1], 0);
  EXPECT_FALSE(b->chains.IsRetry(1));
}

TEST(RetryChainsTest, AResponseCutOffMidBodyIsAFailureEvenWithoutFaultKinds) {
  JournalBuilder j;
  j.Send("GET", "/x").At(1).Fault("renamed-since").Cut();
  j.Send("GET", "/x").At(2);
  EXPECT_TRUE(Chains(j)->chains.IsRetry(1));
}

TEST(RetryChainsTest, MoreThanFifteenMinutesAfterTheFailureIsNotARetry) {
  for (double gap : {900.0, 900.1}) {
    JournalBuilder j;
    j.Send("GET", "/x").At(1).Latency(0).Status(503);
    j.Send("GET", "/x").At(1 + gap);
    EXPECT_EQ(Chains(j)->chains.IsRetry(1), gap <= 900) << gap;
  }
}

TEST(RetryChainsTest, AResendWhileTheFirstIsInFlightIsADuplicateNotARetry) {
  JournalBuilder j;
  j.Send("GET", "/x").At(1).Latency(5).Status(504);
  j.Send("GET", "/x").At(2);
  const auto b = Chains(j);
  EXPECT_FALSE(b->chains.IsRetry(1));
  EXPECT_EQ(b->chains.duplicate_of[1], 0);
}

TEST(RetryChainsTest, ARetryStampedJustBeforeAnAbortWasNoticedIsARetry) {
  // The mock notices a client's close up to one poll (20 ms) late.
  JournalBuilder j;
  j.Send("GET", "/x").At(1).Latency(10).ClientAborted();
  j.Send("GET", "/x").At(10.985);
  const auto b = Chains(j);
  EXPECT_TRUE(b->chains.IsRetry(1));
  EXPECT_EQ(b->chains.duplicate_of[1], -1);
}

}  // namespace
}  // namespace pimsim::checker
