// rate.instance, rate.attribute_options.
#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "checker/rules/rules.h"
#include "limits/gcra.h"

namespace pimsim::checker {
namespace {

struct State {
  Gcra gcra;
  // Non-conformant episode.
  bool open = false;
  size_t first = 0;
  uint64_t count = 0;
  int64_t last_us = 0;
  std::vector<uint32_t> sample;
  // Sliding 1 s count of arrivals (indexes into the group's arrivals).
  std::vector<int64_t> window;
  size_t window_head = 0;
  uint64_t max_1s = 0;
};

void Check(const Analysis& a, RuleRecorder& rec, bool options) {
  const Thresholds& th = a.thresholds;
  const std::vector<Attempt>& at = a.table.attempts;
  std::vector<State> states;
  states.reserve(a.table.instances.size());
  for (const LimitsInForce& l : a.limits) {
    const double rate = options ? l.option_writes_per_second : l.requests_per_second;
    const uint32_t burst = options ? l.option_write_burst : l.burst;
    states.push_back(State{Gcra(rate > 0 ? rate * th.rate_slack : 1, burst + th.burst_slack)});
  }
  auto close = [&](State& s) {
    s.open = false;
    const size_t i = s.first;
    pimsim::v1::Violation* v = rec.Add(i);
    if (v == nullptr) return;
    const LimitsInForce& l = a.LimitsOf(i);
    const double rate = options ? l.option_writes_per_second : l.requests_per_second;
    const uint32_t burst = options ? l.option_write_burst : l.burst;
    v->set_message(absl::StrFormat(
        "%d %s above %g/s (burst %d, with slack %g/s and %d) on instance %s in %s",
        s.count, options ? "attribute-option writes" : "requests", rate, burst,
        rate * th.rate_slack, burst + th.burst_slack, a.InstanceName(i),
        Seconds(s.last_us - a.at(i).arrival_us)));
    rec.Evidence(v, s.sample);
  };
  uint64_t samples = 0;
  bool any_limit = false;
  for (size_t i = 0; i < at.size(); ++i) {
    const Attempt& t = at[i];
    if (options && !(t.route & kRouteAttributeOptionWrite)) continue;
    ++samples;
    State& s = states[t.instance];
    s.window.push_back(t.arrival_us);
    while (s.window[s.window_head] <= t.arrival_us - 1'000'000) ++s.window_head;
    s.max_1s = std::max<uint64_t>(s.max_1s, s.window.size() - s.window_head);
    if (s.window_head > 4096 && s.window_head * 2 > s.window.size()) {
      s.window.erase(s.window.begin(), s.window.begin() + s.window_head);
      s.window_head = 0;
    }
    const LimitsInForce& l = a.limits[t.instance];
    if ((options ? l.option_writes_per_second : l.requests_per_second) <= 0) continue;
    any_limit = true;
    // The mock's own algorithm (limits/gcra.h), on the journal's clock.
    const int64_t now_ns = t.arrival_us * 1000;
    if (s.gcra.CheckNanos(now_ns).allowed) {
      s.gcra.ConsumeNanos(now_ns);
      continue;
    }
    if (s.open && t.arrival_us - s.last_us > 1'000'000) close(s);
    if (!s.open) {
      s.open = true;
      s.first = i;
      s.count = 0;
      s.sample.clear();
    }
    ++s.count;
    s.last_us = t.arrival_us;
    if (s.sample.size() < kMaxEvidence) s.sample.push_back(static_cast<uint32_t>(i));
  }
  uint64_t max_1s = 0;
  for (State& s : states) {
    if (s.open) close(s);
    max_1s = std::max(max_1s, s.max_1s);
  }
  rec.AddSamples(samples);
  if (samples > 0 && !any_limit) {
    rec.SetDetail("no rate limit in force");
  } else {
    rec.SetDetail(absl::StrCat("max ", max_1s, " ", options ? "attribute-option writes" : "requests",
                               " in 1 s"));
  }
}

}  // namespace

void CheckRateInstance(const Analysis& a, RuleRecorder& rec) { Check(a, rec, false); }
void CheckRateAttributeOptions(const Analysis& a, RuleRecorder& rec) { Check(a, rec, true); }

}  // namespace pimsim::checker
