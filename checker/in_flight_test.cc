#include "checker/in_flight.h"

#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::JournalBuilder;

TEST(InFlightTest, CountsOverlappingIntervalsPerGroup) {
  JournalBuilder j;
  j.Send("GET", "/a").At(1).Latency(1);                      // [1, 2)
  j.Send("GET", "/b").At(1.5).Latency(1);                    // [1.5, 2.5)
  j.Send("GET", "/c").At(1.9).Latency(0.05).Connection("x"); // other connection
  j.Send("GET", "/d").At(2.2).Latency(1);                    // /a has ended
  j.Send("GET", "/e").At(2.3).Latency(1).Connection("");     // unauthenticated
  const auto events = j.Build();
  const AttemptTable t = BuildAttemptTable(events, {}, 20'000);
  const InFlight f = ComputeInFlight(t, 20'000);
  EXPECT_EQ(f.connection, (std::vector<uint32_t>{1, 2, 1, 2, 0}));
  EXPECT_EQ(f.instance, (std::vector<uint32_t>{1, 2, 3, 2, 3}));
  EXPECT_EQ(InFlightSet(t, 20'000, 3, false, 2), (std::vector<uint32_t>{1, 3}));
  EXPECT_EQ(InFlightSet(t, 20'000, 4, true, 3), (std::vector<uint32_t>{1, 3, 4}));
}

TEST(InFlightTest, AResponseWithinEpsilonOfAnArrivalHasEnded) {
  for (double at : {1.98, 1.979}) {
    JournalBuilder j;
    j.Send("GET", "/a").At(1).Latency(1);
    j.Send("GET", "/b").At(at);
    const auto events = j.Build();
    const AttemptTable t = BuildAttemptTable(events, {}, 20'000);
    EXPECT_EQ(ComputeInFlight(t, 20'000).connection[1], at >= 1.98 ? 1u : 2u) << at;
  }
}

}  // namespace
}  // namespace pimsim::checker
