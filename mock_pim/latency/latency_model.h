// LatencyModel: the mock's service time, i.e. how long an admitted request is
// held before its response is sent, drawn per request from a distribution per
// route kind (pimsim.v1.LatencyModel). It is what gives in-flight counts the
// meaning they have on a real PIM.
//
// Unset kinds take the defaults of latency.proto: log-normal with sigma 0.3
// and median token 40 ms, get_item 15 ms, list 40 ms, write_item 30 ms,
// batch 5 ms (+ batch_per_line, default 2 ms, per line); other 0.
// ROUTE_KIND_UNSPECIFIED is treated as OTHER. Draws come from the generator
// passed in; a draw that needs no randomness (fixed, zero median, sigma 0,
// min == max) consumes none, so adding such a kind does not shift the
// sequence of other draws.
//
// Thread-safety: immutable after creation; Draw is const and safe from any
// thread given a generator per thread.
//
//   absl::StatusOr<LatencyModel> model = LatencyModel::Create(scenario.latency());
//   absl::BitGen rng(std::seed_seq{scenario.seed()});
//   clock.Sleep(model->Draw(pimsim::v1::ROUTE_KIND_LIST, 0, rng));
#ifndef PIMSIM_MOCK_PIM_LATENCY_LATENCY_MODEL_H_
#define PIMSIM_MOCK_PIM_LATENCY_LATENCY_MODEL_H_

#include <array>

#include "absl/random/bit_gen_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/latency.pb.h"

namespace pimsim {

class LatencyModel {
 public:
  // The proto defaults (as if from an empty pimsim.v1.LatencyModel).
  LatencyModel();

  // Validates and resolves `config`. Errors name the field, e.g.
  // "list.uniform: max (1ms) must be >= min (5ms)".
  static absl::StatusOr<LatencyModel> Create(const pimsim::v1::LatencyModel& config);

  // Every route kind (OTHER and TOKEN included) takes exactly `d`, and batch
  // lines add nothing: `--latency=DURATION`. A negative `d` counts as zero.
  static LatencyModel Fixed(absl::Duration d);

  // No delay at all (benchmarks, pure-logic tests).
  static LatencyModel Zero() { return Fixed(absl::ZeroDuration()); }

  // One service time for a request of `kind`; `batch_lines` (batch only,
  // negative counts as 0) adds batch_per_line each. Never negative.
  absl::Duration Draw(pimsim::v1::RouteKind kind, int batch_lines, absl::BitGenRef rng) const;

  // The distribution's mean (a log-normal's is median * exp(sigma^2 / 2),
  // ignoring its cap), plus the batch part: for capacity planning.
  absl::Duration Mean(pimsim::v1::RouteKind kind, int batch_lines) const;

 private:
  struct Dist {
    enum class Kind { kFixed, kUniform, kLogNormal } kind = Kind::kFixed;
    absl::Duration a = absl::ZeroDuration();  // fixed value, uniform min, log-normal median
    absl::Duration b = absl::ZeroDuration();  // uniform max, log-normal cap (Infinite if none)
    double sigma = 0;
  };
  static constexpr int kNumKinds = 7;  // indexed by RouteKind

  static absl::Duration DrawFrom(const Dist& dist, absl::BitGenRef rng);
  const Dist& For(pimsim::v1::RouteKind kind) const;

  std::array<Dist, kNumKinds> dists_;
  absl::Duration batch_per_line_;
};

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_LATENCY_LATENCY_MODEL_H_
