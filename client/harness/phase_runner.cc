#include "client/harness/phase_runner.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace pimsim::harness {
namespace {

const std::string& NoPhase() {
  static const std::string* const none = new std::string();
  return *none;
}

}  // namespace

PhaseRunner::PhaseRunner(google::protobuf::RepeatedPtrField<pimsim::v1::Phase> phases,
                         MockTarget* target)
    : phases_(std::move(phases)), target_(target) {}

const std::string& PhaseRunner::current() const {
  if (index_ < 0 || index_ >= phases_.size()) return NoPhase();
  return phases_.Get(index_).name();
}

absl::Time PhaseRunner::current_deadline() const {
  if (index_ < 0 || index_ >= phases_.size()) return absl::InfiniteFuture();
  const pimsim::v1::Phase& phase = phases_.Get(index_);
  if (phase.end_case() != pimsim::v1::Phase::kDuration) return absl::InfiniteFuture();
  return started_ + absl::Nanoseconds(
                        google::protobuf::util::TimeUtil::DurationToNanoseconds(phase.duration()));
}

absl::Status PhaseRunner::Begin(absl::Time now) {
  if (phases_.empty()) {
    index_ = 0;
    return absl::OkStatus();
  }
  return StartAt(0, now);
}

absl::Status PhaseRunner::StartAt(int index, absl::Time now) {
  index_ = index;
  if (index >= phases_.size()) return target_->StartPhase("");
  const pimsim::v1::Phase& phase = phases_.Get(index);
  started_ = now;
  requests_at_start_ = target_->RequestsArrived();
  for (const auto& [instance, limits] : phase.limits()) {
    absl::StatusOr<pimsim::v1::Limits> before = target_->GetLimits(instance);
    if (!before.ok()) return before.status();
    saved_limits_[instance] = *before;
    if (absl::Status s = target_->SetLimits(instance, limits); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("phase \"", phase.name(), "\": limits of \"",
                                                 instance, "\": ", s.message()));
    }
  }
  pimsim::v1::PhaseSpan* span = spans_.Add();
  span->set_name(phase.name());
  span->set_start_us(target_->JournalMicros());
  return target_->StartPhase(phase.name());
}

absl::Status PhaseRunner::EndCurrent() {
  if (index_ < 0 || index_ >= phases_.size()) return absl::OkStatus();
  if (!spans_.empty() && spans_.rbegin()->end_us() == 0) {
    spans_.rbegin()->set_end_us(target_->JournalMicros());
  }
  absl::Status status;
  for (const auto& [instance, limits] : saved_limits_) {
    if (absl::Status s = target_->SetLimits(instance, limits); !s.ok() && status.ok()) status = s;
  }
  saved_limits_.clear();
  return status;
}

absl::Status PhaseRunner::Tick(absl::Time now) {
  while (index_ >= 0 && index_ < phases_.size()) {
    const pimsim::v1::Phase& phase = phases_.Get(index_);
    bool over = false;
    if (phase.end_case() == pimsim::v1::Phase::kDuration) {
      over = now >= current_deadline();
    } else {
      over = target_->RequestsArrived() - requests_at_start_ >= phase.requests();
    }
    if (!over) return absl::OkStatus();
    // The next phase starts where this one was due to end, so that a late
    // tick does not stretch the timeline.
    const absl::Time next_start =
        phase.end_case() == pimsim::v1::Phase::kDuration ? current_deadline() : now;
    if (absl::Status s = EndCurrent(); !s.ok()) return s;
    if (absl::Status s = StartAt(index_ + 1, next_start); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status PhaseRunner::Finish() {
  if (index_ < 0 || index_ >= phases_.size()) return absl::OkStatus();
  absl::Status status = EndCurrent();
  index_ = phases_.size();
  absl::Status cleared = target_->StartPhase("");
  return status.ok() ? cleared : status;
}

}  // namespace pimsim::harness
