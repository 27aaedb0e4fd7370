#include "checker/rules/analysis.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pimsim::checker {

std::vector<uint32_t> Analysis::ChainUpTo(size_t i) const {
  std::vector<uint32_t> out;
  const uint32_t first = chains.chains[chains.chain[i]].first;
  for (int64_t j = static_cast<int64_t>(i);; j = chains.follows[j]) {
    out.push_back(static_cast<uint32_t>(j));
    if (j == first || chains.follows[j] < 0) break;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

double PoissonTail(double expected, uint64_t observed) {
  if (observed == 0) return 1.0;
  if (expected <= 0) return 0.0;
  // 1 - sum_{j < observed} e^-l l^j / j!, the terms summed in log space.
  // Past the mode (j > l) the terms only shrink: once one no longer moves
  // the sum, neither do the rest, so the loop is O(min(observed, l + ...)),
  // not O(observed).
  const double log_expected = std::log(expected);
  double log_term = -expected;
  double below = std::exp(log_term);
  for (uint64_t j = 1; j < observed; ++j) {
    log_term += log_expected - std::log(static_cast<double>(j));
    const double term = std::exp(log_term);
    below += term;
    if (below >= 1.0) return 0.0;
    if (static_cast<double>(j) > expected && term < below * 1e-17) break;
  }
  return std::max(0.0, 1.0 - below);
}

std::vector<bool> ExcessScan::Significant() const {
  // Each part's test once, not once per flagged opportunity.
  bool significant[kExcessParts];
  for (int j = 0; j < kExcessParts; ++j) significant[j] = parts_[j].Significant();
  std::vector<bool> out;
  out.reserve(flagged_parts_.size());
  for (int8_t part : flagged_parts_) out.push_back(significant[0] || significant[part]);
  return out;
}

std::string ExcessScan::Summary() const {
  int best = 0;
  double best_p = PoissonTail(parts_[0].expected, parts_[0].observed);
  for (int j = 1; j < kExcessParts; ++j) {
    const double p = PoissonTail(parts_[j].expected, parts_[j].observed);
    if (parts_[j].observed > 0 && p < best_p) {
      best = j;
      best_p = p;
    }
  }
  std::string where = "within the window";
  if (best == kExcessParts - 1) {
    where = absl::StrCat("within 1/", 1 << kExcessHalvings, " of the window");
  } else if (best > 0) {
    where = absl::StrCat("between 1/", 1 << best, " and 1/", 1 << (best - 1), " of the window");
  }
  return absl::StrFormat("%d of %d came back %s where independent repeats explain %.1f",
                         parts_[best].observed, opportunities_, where, parts_[best].expected);
}

namespace {

// See Analysis::held_by_other_429.
std::vector<bool> HeldByOther429(const AttemptTable& table, const RetryChains& chains) {
  const std::vector<Attempt>& at = table.attempts;
  // The times of 429 responses by connection, sorted (counted first, so
  // each list is allocated once at its size: a hammering client has a
  // million of them).
  std::vector<std::vector<int64_t>> throttled(table.connections.size());
  {
    std::vector<size_t> count(table.connections.size(), 0);
    for (const Attempt& a : at) count[a.connection] += a.status == 429;
    for (size_t c = 0; c < count.size(); ++c) throttled[c].reserve(count[c]);
  }
  for (const Attempt& a : at) {
    if (a.status == 429) throttled[a.connection].push_back(a.response_us);
  }
  for (auto& list : throttled) std::sort(list.begin(), list.end());
  std::vector<bool> held(at.size(), false);
  for (size_t i = 0; i < at.size(); ++i) {
    const int32_t f = chains.follows[i];
    if (f < 0) continue;
    // A 429 answered in [f's response, i's arrival) other than f itself.
    const std::vector<int64_t>& list = throttled[at[i].connection];
    const int64_t from = at[f].response_us, to = at[i].arrival_us;
    if (to <= from) continue;
    const auto first = std::lower_bound(list.begin(), list.end(), from);
    const auto last = std::lower_bound(first, list.end(), to);
    const size_t others = static_cast<size_t>(last - first) -
                          (at[f].status == 429 && at[f].connection == at[i].connection ? 1 : 0);
    held[i] = others > 0;
  }
  return held;
}

}  // namespace

Analysis BuildAnalysis(const journal::EventTable& events,
                       const FaultKinds& fault_kinds, const Thresholds& thresholds,
                       const std::map<std::string, pimsim::v1::Limits>& limits, bool live) {
  Analysis a;
  a.events = &events;
  a.thresholds = thresholds;
  a.live = live;
  a.table = BuildAttemptTable(events, fault_kinds, thresholds.epsilon_us);
  a.chains = BuildRetryChains(a.table, thresholds.epsilon_us);
  a.in_flight = ComputeInFlight(a.table, thresholds.epsilon_us);
  for (const std::string& instance : a.table.instances) {
    a.limits.push_back(ResolveLimits(limits, instance));
  }
  a.held_by_other_429 = HeldByOther429(a.table, a.chains);
  return a;
}

RuleRecorder::RuleRecorder(const Analysis& analysis, const RuleInfo& rule,
                           pimsim::v1::Severity severity)
    : analysis_(analysis), rule_(rule), severity_(severity) {}

pimsim::v1::Violation* RuleRecorder::Add(size_t anchor) { return Add(anchor, severity_); }

pimsim::v1::Violation* RuleRecorder::Add(size_t anchor, pimsim::v1::Severity severity) {
  ++violations_;
  worst_ = std::max(worst_, severity);
  const int64_t time = analysis_.at(anchor).arrival_us;
  times_.push_back(time);
  if (listed_.size() >= kMaxListedViolations) return nullptr;
  pimsim::v1::Violation& v = listed_.emplace_back();
  v.set_rule(rule_.id);
  v.set_severity(severity);
  v.set_time_us(time);
  v.set_connection(analysis_.ConnectionName(anchor));
  v.set_instance(analysis_.InstanceName(anchor));
  v.add_event_ids(analysis_.event(anchor).id());
  AddEvidenceLine(anchor, &v);
  return &v;
}

void RuleRecorder::AddEvidenceLine(size_t i, pimsim::v1::Violation* v) const {
  const journal::EventView e = analysis_.event(i);
  const Attempt& a = analysis_.at(i);
  pimsim::v1::EvidenceLine* line = v->add_evidence();
  line->set_event_id(e.id());
  line->set_since_start_us(a.arrival_us - analysis_.table.start_us);
  line->set_method(std::string(e.method()));
  line->set_path(std::string(e.normalized_path().empty() ? e.route() : e.normalized_path()));
  line->set_status(e.status());
  line->set_retry_after_s(e.retry_after_s());
  line->set_socket_id(e.socket_id());
  line->set_connection(std::string(e.connection()));
  line->set_latency_us(a.response_us - a.arrival_us);
  line->set_fault(std::string(e.fault()));
  line->set_client_aborted(e.client_aborted());
}

void RuleRecorder::Evidence(pimsim::v1::Violation* v, absl::Span<const uint32_t> attempts) const {
  std::vector<uint32_t> sorted(attempts.begin(), attempts.end());
  std::sort(sorted.begin(), sorted.end(), [this](uint32_t x, uint32_t y) {
    const int64_t tx = analysis_.at(x).arrival_us, ty = analysis_.at(y).arrival_us;
    return tx != ty ? tx < ty : x < y;
  });
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  if (sorted.size() > kMaxEvidence) sorted.resize(kMaxEvidence);
  v->clear_event_ids();
  v->clear_evidence();
  for (uint32_t i : sorted) {
    v->add_event_ids(analysis_.event(i).id());
    AddEvidenceLine(i, v);
  }
}

void RuleRecorder::SetUndecided(std::string why) {
  undecided_ = true;
  detail_ = std::move(why);
}

pimsim::v1::RuleResult RuleRecorder::Result() const {
  pimsim::v1::RuleResult r;
  r.set_rule(rule_.id);
  r.set_severity(severity_);
  r.set_description(rule_.description);
  r.set_advice(rule_.advice);
  r.set_violations(violations_);
  r.set_samples(samples_);
  r.set_detail(detail_);
  r.set_violated_severity(worst_);
  if (violations_ > 0) {
    r.set_outcome(pimsim::v1::RULE_OUTCOME_VIOLATED);
  } else if (undecided_) {
    r.set_outcome(pimsim::v1::RULE_OUTCOME_UNDECIDED);
  } else {
    r.set_outcome(pimsim::v1::RULE_OUTCOME_PASSED);
  }
  return r;
}

std::string Seconds(int64_t us) {
  std::string s = absl::StrFormat("%.3f", static_cast<double>(us) / 1e6);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return absl::StrCat(s, " s");
}

std::string Percent(double share) {
  return absl::StrFormat("%.0f%%", std::isfinite(share) ? share * 100 : 100.0);
}

}  // namespace pimsim::checker
