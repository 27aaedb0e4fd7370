// retry_after.ignored.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "checker/rules/rules.h"

namespace pimsim::checker {

// Every failure with Retry-After D: its successor (retry_chains.h) must not
// arrive sooner than D - tolerance after the failure's response, with
// tolerance = epsilon for delta-seconds. For the HTTP-date form the journal
// holds the delay rounded up to whole seconds while the client reads a date
// truncated to the second, so a client honouring it exactly may come back up
// to 1 s sooner: tolerance = max(epsilon, 1 s). The form is the instance's
// (Limits.retry_after).
//
// An early successor is a violation when the client never repeats that kind
// of request on its own (repeat chance 0); otherwise early successors count
// only where there are significantly more of them than independent repeats
// explain (ExcessScan), and the rule is undecided when there are some but
// not that many.
void CheckRetryAfterIgnored(const Analysis& a, RuleRecorder& rec) {
  const int64_t eps = a.thresholds.epsilon_us;
  uint64_t samples = 0;
  int64_t tightest_gap = -1, tightest_d = 0;
  ExcessScan excess;
  // An early successor: the failure and the attempt that came back too soon
  // (8 bytes: a hammering client has one for most of its requests).
  struct Early {
    uint32_t failure, successor;
  };
  std::vector<Early> uncertain;
  auto window_of = [&](size_t f) {
    const int64_t d = int64_t{a.at(f).retry_after_s} * 1'000'000;
    const int64_t tolerance =
        a.LimitsOf(f).retry_after_http_date ? std::max<int64_t>(eps, 1'000'000) : eps;
    return d - tolerance;
  };
  auto report = [&](const Early& e, bool certain) {
    if (pimsim::v1::Violation* v = rec.Add(e.successor)) {
      const Attempt& f = a.at(e.failure);
      const int64_t gap = a.at(e.successor).arrival_us - f.response_us;
      v->set_message(absl::StrCat(
          certain ? "retried after " : "came back after ", Seconds(gap), "; Retry-After was ",
          f.retry_after_s, " s (", Describe(a.event(e.successor)), ")",
          certain ? ""
                  : absl::StrCat("; chance of an independent repeat that soon ",
                                 Percent(a.RepeatChance(e.failure, window_of(e.failure))))));
      rec.Evidence(v, {e.failure, e.successor});
    }
  };
  for (size_t f = 0; f < a.table.attempts.size(); ++f) {
    const Attempt& fail = a.at(f);
    if (!fail.failed || fail.retry_after_s < 0) continue;
    ++samples;
    const int64_t d = int64_t{fail.retry_after_s} * 1'000'000;
    const int64_t window = window_of(f);
    const double chance = a.RepeatChance(f, window);
    const int32_t s = a.chains.successor[f];
    const int64_t gap = s >= 0 ? a.at(s).arrival_us - fail.response_us : INT64_MAX;
    if (s >= 0 && gap <= kRetryChainMaxGapUs &&
        (tightest_gap < 0 || gap * std::max<int64_t>(tightest_d, 1) <
                                 tightest_gap * std::max<int64_t>(d, 1))) {
      tightest_gap = std::max<int64_t>(gap, 0);
      tightest_d = d;
    }
    const bool early = s >= 0 && gap < window;
    if (early && chance <= 0) {
      report({static_cast<uint32_t>(f), static_cast<uint32_t>(s)}, true);
      continue;
    }
    excess.Add([&](int64_t w) { return a.RepeatChanceSplit(f, w); }, window, early, gap);
    if (early) uncertain.push_back({static_cast<uint32_t>(f), static_cast<uint32_t>(s)});
  }
  rec.AddSamples(samples);
  const std::vector<bool> significant = excess.Significant();
  for (size_t k = 0; k < uncertain.size(); ++k) {
    if (significant[k]) report(uncertain[k], false);
  }
  std::string detail =
      samples == 0
          ? std::string("no failure with Retry-After")
          : absl::StrCat(samples, " failures with Retry-After",
                         tightest_gap < 0 ? std::string()
                                          : absl::StrCat("; tightest return waited ",
                                                         Seconds(tightest_gap), " of ",
                                                         Seconds(tightest_d)));
  if (excess.flagged() > 0) absl::StrAppend(&detail, "; uncertain: ", excess.Summary());
  if (rec.violations() == 0 && excess.flagged() > 0) {
    rec.SetUndecided(absl::StrCat(detail, ": as many as independent repeats explain"));
    return;
  }
  rec.SetDetail(detail);
}

}  // namespace pimsim::checker
