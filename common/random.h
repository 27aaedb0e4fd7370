// Seeded randomness that replays: a small, fast generator for per-decision
// draws.
//
// A decision that must replay (a latency draw, a fault trigger) seeds its own
// SplitMix64 from the run's seed and the decision's sequence number with
// StreamSeed(), so it does not depend on how threads interleave. SplitMix64
// is a UniformRandomBitGenerator and can be passed as an absl::BitGenRef.
//
// Thread-safety: a SplitMix64 is not; create one per decision or per thread.
//
//   SplitMix64 rng(StreamSeed(scenario_seed, request_id));
//   absl::Duration d = model.Draw(kind, 0, rng);
#ifndef PIMSIM_COMMON_RANDOM_H_
#define PIMSIM_COMMON_RANDOM_H_

#include <cstdint>
#include <limits>

namespace pimsim {

class SplitMix64 {
 public:
  using result_type = uint64_t;
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<uint64_t>::max(); }

  result_type operator()() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// A seed for the `index`th decision of stream `stream` of a run seeded with
// `seed`; distinct inputs give unrelated seeds.
inline uint64_t StreamSeed(uint64_t seed, uint64_t index, uint64_t stream = 0) {
  SplitMix64 a(seed ^ (stream * 0xd1b54a32d192ed03ULL));
  uint64_t base = a();
  SplitMix64 b(base ^ (index * 0xa0761d6478bd642fULL));
  return b();
}

}  // namespace pimsim

#endif  // PIMSIM_COMMON_RANDOM_H_
