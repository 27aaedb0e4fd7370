// retry_after.ignored.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "checker/rules/rules.h"

namespace pimsim::checker {

// Every retry whose failed predecessor carried Retry-After D: the gap
// (retry arrival - failure response) must be at least D - tolerance, with
// tolerance = epsilon for delta-seconds. For the HTTP-date form the journal
// holds the delay rounded up to whole seconds while the client reads a date
// truncated to the second, so a client honouring it exactly may come back up
// to 1 s sooner: tolerance = max(epsilon, 1 s). The form is the instance's
// (Limits.retry_after).
void CheckRetryAfterIgnored(const Analysis& a, RuleRecorder& rec) {
  const int64_t eps = a.thresholds.epsilon_us;
  uint64_t samples = 0;
  int64_t shortest_ratio_gap = -1, shortest_d = 0;
  for (size_t i = 0; i < a.table.attempts.size(); ++i) {
    if (!a.chains.IsRetry(i)) continue;
    const size_t p = static_cast<size_t>(a.chains.prev_same[i]);
    const Attempt& prev = a.at(p);
    if (prev.retry_after_s < 0) continue;
    ++samples;
    const int64_t d = int64_t{prev.retry_after_s} * 1'000'000;
    const int64_t tolerance =
        a.LimitsOf(p).retry_after_http_date ? std::max<int64_t>(eps, 1'000'000) : eps;
    const int64_t gap = a.GapUs(i);
    if (shortest_ratio_gap < 0 || gap * std::max<int64_t>(shortest_d, 1) <
                                      shortest_ratio_gap * std::max<int64_t>(d, 1)) {
      shortest_ratio_gap = std::max<int64_t>(gap, 0);
      shortest_d = d;
    }
    if (gap >= d - tolerance) continue;
    if (pimsim::v1::Violation* v = rec.Add(i)) {
      v->set_message(absl::StrCat("retried after ", Seconds(gap), "; Retry-After was ",
                                  prev.retry_after_s, " s (", Describe(a.event(i)), ")"));
      rec.Evidence(v, {static_cast<uint32_t>(p), static_cast<uint32_t>(i)});
    }
  }
  rec.AddSamples(samples);
  if (samples == 0) {
    rec.SetDetail("no retry after a Retry-After");
  } else {
    rec.SetDetail(absl::StrCat(samples, " retries after Retry-After; tightest waited ",
                               Seconds(shortest_ratio_gap), " of ", Seconds(shortest_d)));
  }
}

}  // namespace pimsim::checker
