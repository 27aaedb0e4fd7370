#include "common/random.h"

#include <gtest/gtest.h>

#include <set>

#include "absl/random/bit_gen_ref.h"
#include "absl/random/distributions.h"

namespace pimsim {
namespace {

TEST(SplitMix64Test, SameSeedSameSequence) {
  SplitMix64 a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a();
    EXPECT_EQ(x, b());
    EXPECT_NE(x, c());
  }
}

TEST(SplitMix64Test, StreamSeedsAreDistinct) {
  std::set<uint64_t> seen;
  for (uint64_t stream = 0; stream < 4; ++stream) {
    for (uint64_t i = 0; i < 1000; ++i) seen.insert(StreamSeed(7, i, stream));
  }
  EXPECT_EQ(seen.size(), 4000u);
  EXPECT_EQ(StreamSeed(7, 5), StreamSeed(7, 5));
  EXPECT_NE(StreamSeed(7, 5), StreamSeed(8, 5));
}

TEST(SplitMix64Test, WorksAsBitGenRefWithRoughlyUniformOutput) {
  SplitMix64 rng(1);
  absl::BitGenRef ref(rng);
  int below_half = 0;
  for (int i = 0; i < 10000; ++i) below_half += absl::Uniform(ref, 0.0, 1.0) < 0.5;
  // Binomial(10000, 0.5): 5 standard deviations is 250.
  EXPECT_NEAR(below_half, 5000, 250);
}

}  // namespace
}  // namespace pimsim
