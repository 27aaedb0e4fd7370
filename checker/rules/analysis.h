// Analysis and RuleRecorder: what every compliance rule reads (the journal
// in classified form, retry chains, in-flight counts, thresholds, limits)
// and where it writes its result (violations with evidence, samples, a
// detail line, or "undecided").
//
// A rule is a pure function `void Check...(const Analysis&, RuleRecorder&)`
// (see rules.h). The recorder keeps the first kMaxListedViolations
// violations of its rule in full and only counts the rest, so a rule asks
// for a Violation to fill in and builds its message only when it gets one.
//
// Thread-safety: an Analysis is immutable once built; a RuleRecorder belongs
// to one rule run.
//
//   if (pimsim::v1::Violation* v = rec.Add(i)) {
//     v->set_message(absl::StrCat("retried after ", Seconds(gap), "; ..."));
//     rec.Evidence(v, {p, i});
//   }
#ifndef PIMSIM_CHECKER_RULES_ANALYSIS_H_
#define PIMSIM_CHECKER_RULES_ANALYSIS_H_

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "checker/attempts.h"
#include "checker/rule_info.h"
#include "checker/in_flight.h"
#include "checker/limits_in_force.h"
#include "checker/retry_chains.h"
#include "checker/thresholds.h"
#include "journal/event_table.h"
#include "proto/journal.pb.h"
#include "proto/report.pb.h"

namespace pimsim::checker {

inline constexpr size_t kMaxListedViolations = 50;
// Event ids listed as evidence of one violation, at most.
inline constexpr size_t kMaxEvidence = 20;

struct Analysis {
  const journal::EventTable* events = nullptr;
  Thresholds thresholds;
  AttemptTable table;
  RetryChains chains;
  InFlight in_flight;
  // By instance id (AttemptTable::instances).
  std::vector<LimitsInForce> limits;
  // By attempt: a retry whose wait saw another request of its connection
  // answered 429. A client that pauses the whole connection on a 429 (as
  // Akeneo asks) held the retry for that 429, so its delay says nothing
  // about its own backoff.
  std::vector<bool> held_by_other_429;
  // The journal is a live snapshot: rules that need to see what comes after
  // an attempt must not judge attempts too close to its end.
  bool live = false;

  const Attempt& at(size_t i) const { return table.attempts[i]; }
  journal::EventView event(size_t i) const { return events->view(i); }
  const std::string& ConnectionName(size_t i) const {
    return table.connections[table.attempts[i].connection].name;
  }
  const std::string& InstanceName(size_t i) const {
    return table.instances[table.attempts[i].instance];
  }
  const LimitsInForce& LimitsOf(size_t i) const { return limits[table.attempts[i].instance]; }
  // Arrival of attempt i minus the response of the attempt it follows
  // (chains.follows[i], which must exist).
  int64_t GapUs(size_t i) const {
    return at(i).arrival_us - at(static_cast<size_t>(chains.follows[i])).response_us;
  }
  // The repeat chance of failure f over `window_us` after its response, or
  // over what the journal holds of it (retry_chains.h).
  double RepeatChance(size_t f, int64_t window_us) const {
    return RepeatChanceSplit(f, window_us).total();
  }
  RetryChains::Chance RepeatChanceSplit(size_t f, int64_t window_us) const {
    return chains.RepeatChanceSplit(f, std::min(window_us, table.end_us - at(f).response_us));
  }
  // The attempts of attempt i's retry chain up to i, in order.
  std::vector<uint32_t> ChainUpTo(size_t i) const;
};

Analysis BuildAnalysis(const journal::EventTable& events,
                       const FaultKinds& fault_kinds, const Thresholds& thresholds,
                       const std::map<std::string, pimsim::v1::Limits>& limits, bool live);

class RuleRecorder {
 public:
  RuleRecorder(const Analysis& analysis, const RuleInfo& rule, pimsim::v1::Severity severity);

  // Counts a violation anchored at attempt `anchor` (its time, connection
  // and instance) at the rule's severity, or at `severity` if given (e.g. a
  // weak-jitter warning). Returns the Violation to fill in (message,
  // evidence), or nullptr beyond the listing cap.
  pimsim::v1::Violation* Add(size_t anchor);
  pimsim::v1::Violation* Add(size_t anchor, pimsim::v1::Severity severity);
  // Sets the evidence: the event ids of `attempts`, in time order, at most
  // kMaxEvidence (the earliest ones), and their readable lines.
  void Evidence(pimsim::v1::Violation* v, absl::Span<const uint32_t> attempts) const;
  void Evidence(pimsim::v1::Violation* v, std::initializer_list<uint32_t> attempts) const {
    Evidence(v, absl::MakeConstSpan(attempts.begin(), attempts.size()));
  }
  // Appends attempt i to v's readable evidence (Violation.evidence).
  void AddEvidenceLine(size_t i, pimsim::v1::Violation* v) const;

  void AddSamples(uint64_t n) { samples_ += n; }
  void SetDetail(std::string detail) { detail_ = std::move(detail); }
  // Too few samples to decide; `why` becomes the detail.
  void SetUndecided(std::string why);

  pimsim::v1::Severity severity() const { return severity_; }
  const Thresholds& thresholds() const { return analysis_.thresholds; }

  // Results, for Check().
  pimsim::v1::RuleResult Result() const;
  std::vector<pimsim::v1::Violation>& listed() { return listed_; }
  uint64_t violations() const { return violations_; }
  uint64_t dropped() const { return violations_ - listed_.size(); }
  // The highest severity among all counted violations.
  pimsim::v1::Severity worst() const { return worst_; }
  // Times of all counted violations (for the timeline).
  const std::vector<int64_t>& times() const { return times_; }

 private:
  const Analysis& analysis_;
  const RuleInfo& rule_;
  pimsim::v1::Severity severity_;
  std::vector<pimsim::v1::Violation> listed_;
  std::vector<int64_t> times_;
  uint64_t violations_ = 0;
  uint64_t samples_ = 0;
  std::string detail_;
  bool undecided_ = false;
  pimsim::v1::Severity worst_ = pimsim::v1::SEVERITY_UNSPECIFIED;
};

// Per-event rules (an early return after Retry-After, a re-sent 404, a
// blind POST re-send) judge each failure by its successor, which may be an
// independent repeat. Events the evidence makes certain (repeat chance 0)
// are violations one by one. The uncertain ones count only where there are
// significantly more of them than independent repeats explain: every
// opportunity (a failure whose successor, if it came within the rule's
// window W, would be flagged) adds its repeat chance to the expected count
// of the whole window [0, W) and of each of its parts [W/2, W),
// [W/4, W/2), ..., [0, W/64); each flagged successor adds to the whole and
// to the part its gap falls in. A part is significant when
// P(Poisson(expected) >= observed) < kExcessPValue / kExcessParts (a
// Poisson tail over-states the spread of a sum of Bernoulli draws, which
// only makes it stricter). The parts catch a client whose returns cluster
// at one delay (retries after 1 s, or a Retry-After capped at 30 s) among
// repeats spread over the window.
inline constexpr double kExcessPValue = 1e-4;
inline constexpr int kExcessHalvings = 6;
inline constexpr int kExcessParts = kExcessHalvings + 2;

// P(Poisson(expected) >= observed).
double PoissonTail(double expected, uint64_t observed);

class ExcessScan {
 public:
  // One opportunity with window `window_us`; `chance(w)` is its repeat
  // chance within w of the failure's response (RetryChains::Chance: the
  // prior part, which says nothing about the delay, counts in full in every
  // part); `gap_us` the successor's gap when flagged.
  template <typename ChanceFn>
  void Add(ChanceFn chance, int64_t window_us, bool flagged, int64_t gap_us) {
    RetryChains::Chance c[kExcessHalvings + 1];
    for (int j = 0; j <= kExcessHalvings; ++j) c[j] = chance(window_us >> j);
    parts_[0].expected += c[0].total();
    for (int j = 1; j <= kExcessHalvings; ++j) {
      parts_[j].expected += std::max(0.0, c[j - 1].observed - c[j].observed) + c[j - 1].prior;
    }
    parts_[kExcessParts - 1].expected += c[kExcessHalvings].total();
    ++opportunities_;
    if (!flagged) return;
    int part = kExcessParts - 1;
    for (int j = 1; j <= kExcessHalvings; ++j) {
      if (gap_us >= (window_us >> j)) {
        part = j;
        break;
      }
    }
    ++parts_[0].observed;
    ++parts_[part].observed;
    flagged_parts_.push_back(static_cast<int8_t>(part));
  }
  uint64_t opportunities() const { return opportunities_; }
  uint64_t flagged() const { return parts_[0].observed; }
  // Per flagged opportunity, in the order added: does it fall in a
  // significant part (or is the whole window significant)?
  std::vector<bool> Significant() const;
  // "3 of 40 came back early; independent repeats explain 2.1" (of the
  // whole window, or of the most significant part).
  std::string Summary() const;

 private:
  struct Part {
    double expected = 0;
    uint64_t observed = 0;
    bool Significant() const {
      return observed > 0 && PoissonTail(expected, observed) < kExcessPValue / kExcessParts;
    }
  };
  Part parts_[kExcessParts];
  uint64_t opportunities_ = 0;
  std::vector<int8_t> flagged_parts_;
};

// "0.41 s", "2 s", "1.979 s": seconds with up to 3 decimals.
std::string Seconds(int64_t us);
// "12%".
std::string Percent(double share);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_RULES_ANALYSIS_H_
