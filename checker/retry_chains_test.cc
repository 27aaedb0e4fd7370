#include "checker/retry_chains.h"

#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::EventSpec;
using testing::JournalBuilder;

struct Built {
  std::vector<pimsim::v1::JournalEvent> events;
  AttemptTable table;
  RetryChains chains;
};

// Index of the n-th attempt (from 0) on `path`.
size_t Nth(const Built& b, const std::string& path, int n) {
  for (size_t i = 0; i < b.events.size(); ++i) {
    if (b.events[i].normalized_path() == path && n-- == 0) return i;
  }
  ADD_FAILURE() << "no attempt " << n << " on " << path;
  return 0;
}

std::unique_ptr<Built> Chains(JournalBuilder& j) {
  auto b = std::make_unique<Built>();
  b->events = j.Build();
  b->table = BuildAttemptTable(b->events, {}, 20'000);
  b->chains = BuildRetryChains(b->table, 20'000);
  return b;
}

TEST(RetryChainsTest, RetriesFollowFailuresOfTheSameRequest) {
  JournalBuilder j;
  j.Background();
  j.Chain({.start = 1, .delays = {1, 2}});
  j.Send("GET", "/api/rest/v1/products/other").At(1.5);
  const auto b = Chains(j);
  const RetryChains& rc = b->chains;
  ASSERT_EQ(rc.chains.size(), 2u + 10);
  const std::string sku = "/api/rest/v1/products/sku-1";
  const size_t a0 = Nth(*b, sku, 0), a1 = Nth(*b, sku, 1), a2 = Nth(*b, sku, 2);
  EXPECT_EQ(rc.retry_index[a0], 0u);
  EXPECT_EQ(rc.retry_index[a1], 1u);
  EXPECT_EQ(rc.retry_index[a2], 2u);
  EXPECT_EQ(rc.chains[rc.chain[a2]].attempts, 3u);
  EXPECT_EQ(rc.retries, 2u);
  EXPECT_EQ(rc.successor[a0], static_cast<int32_t>(a1));
  EXPECT_EQ(rc.follows[a2], static_cast<int32_t>(a1));
  EXPECT_EQ(rc.RepeatChance(a0, 1'000'000), 0.0);
}

TEST(RetryChainsTest, ARepeatAfterSuccessStartsANewChain) {
  JournalBuilder j;
  j.Send("GET", "/x").At(1);
  j.Send("GET", "/x").At(2);
  const auto b = Chains(j);
  EXPECT_EQ(b->chains.chains.size(), 2u);
  EXPECT_EQ(b->chains.follows[1], 0);
  EXPECT_FALSE(b->chains.IsRetry(1));
}

TEST(RetryChainsTest, AResponseCutOffMidBodyIsAFailureEvenWithoutFaultKinds) {
  JournalBuilder j;
  j.Background();
  j.Send("GET", "/x").At(1).Fault("renamed-since").Cut();
  j.Send("GET", "/x").At(2);
  const auto b = Chains(j);
  EXPECT_TRUE(b->chains.IsRetry(Nth(*b, "/x", 1)));
}

TEST(RetryChainsTest, MoreThanFifteenMinutesAfterTheFailureIsNotARetry) {
  for (double gap : {900.0, 900.1}) {
    JournalBuilder j;
    j.Background();
    j.Send("GET", "/x").At(1).Latency(0).Status(503);
    j.Send("GET", "/x").At(1 + gap);
    const auto b = Chains(j);
    EXPECT_EQ(b->chains.IsRetry(Nth(*b, "/x", 1)), gap <= 900) << gap;
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
  // The journal may stamp a client's close up to epsilon (20 ms) late: the
  // mock's event loop, or the poll of mocks before the close was a notice.
  JournalBuilder j;
  j.Background();
  j.Send("GET", "/x").At(1).Latency(10).ClientAborted();
  j.Send("GET", "/x").At(10.985);
  const auto b = Chains(j);
  EXPECT_TRUE(b->chains.IsRetry(Nth(*b, "/x", 1)));
  EXPECT_EQ(b->chains.duplicate_of[Nth(*b, "/x", 1)], -1);
}

TEST(RetryChainsTest, ARequestArrivingBeforeTheFailureWasAnsweredIsNotItsRetry) {
  // Sent 13 ms before the 404 went out: the client could not have seen it.
  JournalBuilder j;
  j.Background();
  j.Send("GET", "/x").At(1).Latency(0.1).Status(503);
  j.Send("GET", "/x").At(1.087);
  j.Send("GET", "/x").At(3);
  const auto b = Chains(j);
  const size_t first = Nth(*b, "/x", 0), early = Nth(*b, "/x", 1), late = Nth(*b, "/x", 2);
  EXPECT_FALSE(b->chains.IsRetry(early));
  EXPECT_EQ(b->chains.successor[first], static_cast<int32_t>(late));
  // The client sends this request in parallel with itself, so what came
  // after the failure may be another copy: a candidate, never linked.
  EXPECT_TRUE(b->chains.overlapped[first]);
  EXPECT_TRUE(b->chains.Candidate(late));
  EXPECT_FALSE(b->chains.IsRetry(late));
}

TEST(RetryChainsTest, ParallelCopiesOfARequestAreNeverRetriesOfEachOther) {
  // 16 identical token requests at once: 12 get a concurrency 429 while
  // others of the burst are still arriving.
  JournalBuilder j;
  j.Background();
  for (int k = 0; k < 16; ++k) {
    EventSpec& e = j.Send("POST", "/api/oauth/v1/token").At(1 + k * 0.00007).Body("grant");
    if (k >= 4) e.Rejected(pimsim::v1::REJECTION_CONCURRENCY_CONNECTION).RetryAfter(1);
  }
  const auto b = Chains(j);
  EXPECT_EQ(b->chains.retries, 0u);
  for (size_t i = 0; i < b->events.size(); ++i) {
    if (b->events[i].route() != "/api/oauth/v1/token") continue;
    EXPECT_TRUE(b->chains.overlapped[i]) << i;
    EXPECT_EQ(b->chains.RepeatChance(i, 1'000'000), 1.0);
  }
}

TEST(RetryChainsTest, RepeatChanceComesFromHowOftenTheClientRepeatsAfterSuccess) {
  // A list page polled every 2 s, all successes: an arrival 0.3 s after a
  // failure of it is likely enough to be the next poll.
  JournalBuilder j;
  for (int k = 0; k < 30; ++k) j.Send("GET", "/api/rest/v1/products?page=1").At(1 + 2 * k);
  j.Send("GET", "/api/rest/v1/products?page=1").At(62).Status(503);
  j.Send("GET", "/api/rest/v1/products?page=1").At(62.31);
  const auto b = Chains(j);
  const size_t failure = Nth(*b, "/api/rest/v1/products?page=1", 30);
  ASSERT_EQ(b->table.attempts[failure].status, 503u);
  EXPECT_GT(b->chains.RepeatChance(failure, 2'000'000), 0.5);
  EXPECT_LT(b->chains.RepeatChance(failure, 100'000), 0.1);
  EXPECT_GT(b->chains.RepeatChance(failure, 100'000), 0.0);
}

}  // namespace
}  // namespace pimsim::checker
