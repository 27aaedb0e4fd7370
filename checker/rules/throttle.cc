// throttle.persistent, throttle.ignored.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "checker/rules/rules.h"

namespace pimsim::checker {
namespace {

constexpr int64_t kSecond = 1'000'000;
// throttle.ignored judges a 429 only if the client sent at least this many
// requests in the second before it: below that its "rate" is noise.
constexpr uint32_t kMinRateBefore = 5;
// Shortest window after a 429 that is judged (a journal ending sooner).
constexpr int64_t kMinWindowAfterUs = 100'000;

std::string ConnectionLabel(const Analysis& a, size_t i) {
  const std::string& name = a.ConnectionName(i);
  return name.empty() ? absl::StrCat("unauthenticated requests on instance ", a.InstanceName(i))
                      : absl::StrCat("connection ", name);
}

}  // namespace

// Per connection, windows of `window` from the journal's start: the share
// of the limiter's 429s (injected 429 faults are not over-usage). Above
// persistent_429_share in persistent_windows consecutive non-empty windows
// is one violation per run.
void CheckThrottlePersistent(const Analysis& a, RuleRecorder& rec) {
  const Thresholds& th = a.thresholds;
  const std::vector<Attempt>& at = a.table.attempts;
  struct State {
    int64_t window = -1;
    uint32_t arrivals = 0, rejected = 0;
    // Current run of windows over the share.
    uint32_t run = 0;
    double peak = 0;
    bool reported = false;
    std::vector<uint32_t> examples;
    size_t anchor = 0;
  };
  std::vector<State> states(a.table.connections.size());
  uint64_t windows = 0;
  auto finish_window = [&](State& s, int64_t next_window) {
    if (s.window < 0) {
      s.window = next_window;
      return;
    }
    ++windows;
    const double share = s.arrivals > 0 ? static_cast<double>(s.rejected) / s.arrivals : 0;
    if (share > th.persistent_429_share) {
      if (s.run++ == 0) s.peak = 0;
      s.peak = std::max(s.peak, share);
    } else {
      s.run = 0;
    }
    if (s.run >= th.persistent_windows && !s.reported) {
      s.reported = true;
      if (pimsim::v1::Violation* v = rec.Add(s.anchor)) {
        v->set_message(absl::StrFormat(
            "429 share above %s for %d consecutive %s windows on %s (peak %s so far)",
            Percent(th.persistent_429_share), s.run, Seconds(th.window_us),
            ConnectionLabel(a, s.anchor), Percent(s.peak)));
        rec.Evidence(v, s.examples);
      }
    }
    // An empty window ends the run.
    if (next_window > s.window + 1 || next_window < 0) s.run = 0;
    if (s.run == 0) {
      s.reported = false;
      s.examples.clear();
    }
    s.window = next_window;
    s.arrivals = 0;
    s.rejected = 0;
  };
  for (size_t i = 0; i < at.size(); ++i) {
    const Attempt& t = at[i];
    State& s = states[t.connection];
    const int64_t w = (t.arrival_us - a.table.start_us) / th.window_us;
    if (w != s.window) finish_window(s, w);
    ++s.arrivals;
    if (t.rejected) {
      ++s.rejected;
      if (s.examples.empty()) s.anchor = i;
      if (s.examples.size() < kMaxEvidence) s.examples.push_back(static_cast<uint32_t>(i));
    }
  }
  for (State& s : states) finish_window(s, -1);
  rec.AddSamples(windows);
  rec.SetDetail(absl::StrCat(windows, " connection windows of ", Seconds(th.window_us)));
}

// After a 429 answered at t with Retry-After D (1 s if none), the
// connection's arrival rate over [t + epsilon, t + D] (retries of the 429'd
// request left to retry_after.ignored) against its rate over [t - 1 s, t).
// At or above throttle_ignored_ratio the 429 was ignored. Judged only when
// the connection sent at least 5 requests in that second; 429s inside the
// window of a judged one belong to it.
void CheckThrottleIgnored(const Analysis& a, RuleRecorder& rec) {
  const Thresholds& th = a.thresholds;
  const std::vector<Attempt>& at = a.table.attempts;
  std::vector<std::vector<uint32_t>> by_connection(a.table.connections.size());
  for (size_t i = 0; i < at.size(); ++i) {
    by_connection[at[i].connection].push_back(static_cast<uint32_t>(i));
  }
  uint64_t judged = 0;
  for (const std::vector<uint32_t>& list : by_connection) {
    int64_t busy_until = INT64_MIN;
    auto first_at_or_after = [&](int64_t t) {
      return static_cast<size_t>(
          std::lower_bound(list.begin(), list.end(), t,
                           [&](uint32_t j, int64_t v) { return at[j].arrival_us < v; }) -
          list.begin());
    };
    for (uint32_t q : list) {
      const Attempt& t = at[q];
      if (t.status != 429 || t.response_us < busy_until) continue;
      const int64_t tr = t.response_us;
      const int64_t d = std::max<int64_t>(int64_t{t.retry_after_s} * kSecond, kSecond);
      const size_t before = first_at_or_after(tr) - first_at_or_after(tr - kSecond);
      if (before < kMinRateBefore) continue;
      // A run younger than a second has less than a second before the 429,
      // and a journal may end before the window after it does.
      const int64_t span_before = std::clamp<int64_t>(tr - a.table.start_us, 1000, kSecond);
      const int64_t span_after =
          std::min(tr + d, std::max(a.table.end_us, tr + th.epsilon_us)) - (tr + th.epsilon_us);
      if (span_after < kMinWindowAfterUs) continue;
      busy_until = tr + d;
      ++judged;
      size_t after = 0;
      std::vector<uint32_t> examples = {q};
      for (size_t k = first_at_or_after(tr + th.epsilon_us);
           k < list.size() && at[list[k]].arrival_us <= tr + d; ++k) {
        if (at[list[k]].fingerprint == t.fingerprint) continue;
        ++after;
        if (examples.size() < kMaxEvidence) examples.push_back(list[k]);
      }
      const double rate_before = before / (static_cast<double>(span_before) / kSecond);
      const double rate_after = after / (static_cast<double>(span_after) / kSecond);
      if (rate_after < th.throttle_ignored_ratio * rate_before) continue;
      if (pimsim::v1::Violation* v = rec.Add(q)) {
        v->set_message(absl::StrFormat(
            "kept %.1f req/s for %s after a 429 on %s (%.1f req/s in the %s before)",
            rate_after, Seconds(span_after), ConnectionLabel(a, q), rate_before,
            span_before == kSecond ? std::string("second") : Seconds(span_before)));
        rec.Evidence(v, examples);
      }
    }
  }
  rec.AddSamples(judged);
  rec.SetDetail(absl::StrCat(judged, " 429s judged (", kMinRateBefore,
                             "+ requests in the second before)"));
}

}  // namespace pimsim::checker
