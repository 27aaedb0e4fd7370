// request.duplicate_in_flight, timeout.none, auth.token_churn, batch.unused
// and cache.unused on synthetic journals.
#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::ChainSpec;
using testing::JournalBuilder;
using testing::RuleOf;
using testing::Summary;
using testing::ViolationsOf;

constexpr char kDuplicate[] = "request.duplicate_in_flight";
constexpr char kTimeout[] = "timeout.none";
constexpr char kChurn[] = "auth.token_churn";
constexpr char kBatch[] = "batch.unused";
constexpr char kCache[] = "cache.unused";

TEST(DuplicateInFlightTest, ResendingAWriteInFlightFails) {
  JournalBuilder j;
  j.Send("PATCH", "/api/rest/v1/products/a").Body("x").At(1).Latency(0.5);
  j.Send("PATCH", "/api/rest/v1/products/a").Body("x").At(1.2);
  const auto r = j.Check();
  ASSERT_EQ(ViolationsOf(r, kDuplicate), 1u) << Summary(r);
  EXPECT_EQ(testing::FirstViolation(r, kDuplicate).message(),
            "sent PATCH /api/rest/v1/products/a again 0.2 s after the first, which was still in "
            "flight (answered 0.3 s later)");
}

TEST(DuplicateInFlightTest, AResponseWithinEpsilonOfTheArrivalHadEnded) {
  for (double before : {0.019, 0.021}) {
    JournalBuilder j;
    j.Send("POST", "/api/rest/v1/products").Body("x").At(1).Latency(0.5);
    j.Send("POST", "/api/rest/v1/products").Body("x").At(1.5 - before);
    EXPECT_EQ(ViolationsOf(j.Check(), kDuplicate), before < 0.02 ? 0u : 1u) << before;
  }
}

TEST(DuplicateInFlightTest, DuplicateGetsFailOnlyAboveOnePercent) {
  for (int dups : {2, 3}) {
    JournalBuilder j;
    for (int i = 0; i < 200; ++i) {
      j.Send("GET", "/api/rest/v1/products/g" + std::to_string(i)).At(i * 0.1).Latency(0.05);
    }
    for (int i = 0; i < dups; ++i) {
      j.Send("GET", "/api/rest/v1/products/g" + std::to_string(i)).At(i * 0.1 + 0.01);
    }
    // 2 of 202 GETs (0.99%) pass, 3 of 203 (1.5%) fail.
    EXPECT_EQ(ViolationsOf(j.Check(), kDuplicate), dups == 3 ? 1u : 0u) << dups;
  }
}

TEST(DuplicateInFlightTest, DifferentConnectionsOrBodiesAreDifferentRequests) {
  JournalBuilder j;
  j.Send("PATCH", "/api/rest/v1/products/a").Body("x").At(1).Latency(0.5);
  j.Send("PATCH", "/api/rest/v1/products/a").Body("y").At(1.1);
  j.Send("PATCH", "/api/rest/v1/products/a").Body("x").Connection("other").At(1.2);
  EXPECT_EQ(ViolationsOf(j.Check(), kDuplicate), 0u);
}

TEST(TimeoutNoneTest, WaitingOnAHungResponseWarns) {
  JournalBuilder j;
  j.Send("GET", "/api/rest/v1/products/h").At(1).Latency(300).Dropped().Fault("hang");
  const auto r = j.Check();
  ASSERT_EQ(ViolationsOf(r, kTimeout), 1u);
  EXPECT_EQ(testing::FirstViolation(r, kTimeout).message(),
            "waited 300 s for GET /api/rest/v1/products/h until the server closed (tolerance "
            "120 s)");
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS);
}

TEST(TimeoutNoneTest, GivingUpWithinTheTolerancePasses) {
  for (double waited : {30.0, 120.0, 121.0}) {
    JournalBuilder j;
    j.Send("GET", "/api/rest/v1/products/h").At(1).Latency(waited).ClientAborted();
    EXPECT_EQ(ViolationsOf(j.Check(), kTimeout), waited > 120 ? 1u : 0u) << waited;
  }
}

TEST(TimeoutNoneTest, SlowAnswersAreNotHangs) {
  JournalBuilder j;
  j.Send("GET", "/api/rest/v1/products").At(1).Latency(200);
  EXPECT_EQ(ViolationsOf(j.Check(), kTimeout), 0u);
}

// `n` token grants `every` seconds apart.
pimsim::v1::Report Tokens(int n, double every) {
  JournalBuilder j;
  for (int i = 0; i < n; ++i) {
    j.Send("POST", "/api/oauth/v1/token").Body("password grant").At(1 + i * every);
  }
  return j.Check();
}

TEST(TokenChurnTest, SixGrantsAnHourPassSevenWarn) {
  EXPECT_EQ(ViolationsOf(Tokens(6, 60), kChurn), 0u);
  const auto r = Tokens(7, 60);
  ASSERT_EQ(ViolationsOf(r, kChurn), 1u);
  EXPECT_EQ(testing::FirstViolation(r, kChurn).message(),
            "7 token grants within 360 s on connection pimsim (tokens last 1 h; limit 6 per "
            "hour)");
  EXPECT_EQ(testing::FirstViolation(r, kChurn).event_ids_size(), 7);
}

TEST(TokenChurnTest, RefreshingOncePerHourPasses) {
  EXPECT_EQ(ViolationsOf(Tokens(24, 3500), kChurn), 0u);
}

TEST(TokenChurnTest, AFreshTokenPerRequestWarnsOncePerEpisode) {
  EXPECT_EQ(ViolationsOf(Tokens(100, 1), kChurn), 1u);
}

// `n` single-product PATCHes within one 10 s window.
pimsim::v1::Report SingleWrites(int n, int batches = 0) {
  JournalBuilder j;
  for (int i = 0; i < n; ++i) {
    j.Send("PATCH", "/api/rest/v1/products/s" + std::to_string(i)).Body("v").At(0.1 + i * 0.2);
  }
  for (int i = 0; i < batches; ++i) {
    j.Send("PATCH", "/api/rest/v1/products").Body("lines" + std::to_string(i)).At(0.15 + i * 0.2);
  }
  return j.Check();
}

TEST(BatchUnusedTest, TwentySingleWritesInAWindowIsAdvice) {
  EXPECT_EQ(ViolationsOf(SingleWrites(19), kBatch), 0u);
  const auto r = SingleWrites(20);
  ASSERT_EQ(ViolationsOf(r, kBatch), 1u);
  EXPECT_EQ(testing::FirstViolation(r, kBatch).severity(), pimsim::v1::SEVERITY_ADVICE);
  EXPECT_EQ(testing::FirstViolation(r, kBatch).message(),
            "20 single-item writes in 10 s on connection pimsim (e.g. PATCH "
            "/api/rest/v1/products/{code}), 0 batch PATCHes: use the collection endpoint");
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS);
}

TEST(BatchUnusedTest, MostlyBatchedPasses) {
  EXPECT_EQ(ViolationsOf(SingleWrites(20, 20), kBatch), 0u);
}

TEST(BatchUnusedTest, AttributeOptionCreatesCount) {
  JournalBuilder j;
  for (int i = 0; i < 25; ++i) {
    j.Send("POST", "/api/rest/v1/attributes/color/options").Body(std::to_string(i)).At(i * 0.39);
  }
  EXPECT_EQ(ViolationsOf(j.Check(), kBatch), 1u);
}

TEST(BatchUnusedTest, RetriesAreNotExtraWrites) {
  JournalBuilder j;
  for (int i = 0; i < 10; ++i) {
    j.Chain({.method = "PATCH", .path = "/api/rest/v1/products/r" + std::to_string(i),
             .start = i * 0.9, .delays = {0.1, 0.2}, .body = "v"});
  }
  EXPECT_EQ(ViolationsOf(j.Check(), kBatch), 0u);
}

// `n` unconditional GETs of /channels, `every` seconds apart.
pimsim::v1::Report ChannelReads(int n, double every, bool conditional = false) {
  JournalBuilder j;
  for (int i = 0; i < n; ++i) {
    auto& e = j.Send("GET", "/api/rest/v1/channels?limit=100").At(1 + i * every);
    if (conditional) e.Conditional();
  }
  return j.Check();
}

TEST(CacheUnusedTest, FourReadsInTenMinutesPassFiveAreAdvice) {
  EXPECT_EQ(ViolationsOf(ChannelReads(4, 60), kCache), 0u);
  const auto r = ChannelReads(5, 60);
  ASSERT_EQ(ViolationsOf(r, kCache), 1u);
  EXPECT_EQ(testing::FirstViolation(r, kCache).message(),
            "GET /api/rest/v1/channels?limit=100 read 5 times in 240 s on connection pimsim "
            "without If-None-Match (limit 4 per 10 min): cache reference data");
  EXPECT_EQ(testing::FirstViolation(r, kCache).severity(), pimsim::v1::SEVERITY_ADVICE);
}

TEST(CacheUnusedTest, SpreadOutOrConditionalReadsPass) {
  EXPECT_EQ(ViolationsOf(ChannelReads(10, 151), kCache), 0u);
  EXPECT_EQ(ViolationsOf(ChannelReads(10, 1, /*conditional=*/true), kCache), 0u);
}

TEST(CacheUnusedTest, AWriteToTheCollectionJustifiesARead) {
  JournalBuilder j;
  for (int i = 0; i < 6; ++i) {
    j.Send("GET", "/api/rest/v1/families/shoes").At(1 + i * 10);
    j.Send("PATCH", "/api/rest/v1/families/shoes").Body(std::to_string(i)).At(5 + i * 10);
  }
  EXPECT_EQ(ViolationsOf(j.Check(), kCache), 0u);
}

TEST(CacheUnusedTest, ProductsAreNotReferenceData) {
  JournalBuilder j;
  for (int i = 0; i < 10; ++i) j.Send("GET", "/api/rest/v1/products/a").At(1 + i);
  const auto r = j.Check();
  EXPECT_EQ(ViolationsOf(r, kCache), 0u);
  EXPECT_EQ(RuleOf(r, kCache).samples(), 0u);
}

}  // namespace
}  // namespace pimsim::checker
