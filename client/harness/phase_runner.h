// PhaseRunner: a scenario's phases applied on time to a mock.
//
// Phases follow one another from Begin(): each becomes the mock's current
// phase (so fault rules with its name fire), applies its limit overrides,
// and ends once its duration has passed or its request count has arrived;
// the limits it changed are then put back as they were. After the last
// phase the mock is in no phase. The runner reads time only from what it is
// given, so a test drives it on simulated time.
//
// Thread-safety: not thread-safe; one thread calls it.
//
//   PhaseRunner phases(scenario.phases(), &target);
//   phases.Begin(clock.Now());
//   while (running) { phases.Tick(clock.Now()); ... }
//   phases.Finish();
//   *report.mutable_phases() = phases.spans();
#ifndef PIMSIM_CLIENT_HARNESS_PHASE_RUNNER_H_
#define PIMSIM_CLIENT_HARNESS_PHASE_RUNNER_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "client/harness/mock_target.h"
#include "google/protobuf/repeated_field.h"
#include "proto/report.pb.h"
#include "proto/scenario.pb.h"

namespace pimsim::harness {

class PhaseRunner {
 public:
  // `target` must outlive the runner.
  PhaseRunner(google::protobuf::RepeatedPtrField<pimsim::v1::Phase> phases, MockTarget* target);

  // Starts the first phase (if any) at `now`.
  absl::Status Begin(absl::Time now);
  // Ends every phase whose end has come by `now` and starts the next.
  absl::Status Tick(absl::Time now);
  // Ends the current phase (the run is over); the later ones never start.
  absl::Status Finish();

  // The phase in force ("" for none), its index and the number of phases.
  const std::string& current() const;
  int current_index() const { return index_; }
  int size() const { return phases_.size(); }
  // When the current phase ends on time: its end; otherwise InfiniteFuture.
  absl::Time current_deadline() const;
  // The phases started so far, the current one open (end_us 0).
  const google::protobuf::RepeatedPtrField<pimsim::v1::PhaseSpan>& spans() const { return spans_; }

 private:
  absl::Status StartAt(int index, absl::Time now);
  absl::Status EndCurrent();

  const google::protobuf::RepeatedPtrField<pimsim::v1::Phase> phases_;
  MockTarget* const target_;
  int index_ = -1;  // the current phase; -1 before, size() after
  absl::Time started_ = absl::InfinitePast();
  uint64_t requests_at_start_ = 0;
  // The limits the current phase replaced, by instance.
  std::map<std::string, pimsim::v1::Limits> saved_limits_;
  google::protobuf::RepeatedPtrField<pimsim::v1::PhaseSpan> spans_;
};

}  // namespace pimsim::harness

#endif  // PIMSIM_CLIENT_HARNESS_PHASE_RUNNER_H_
