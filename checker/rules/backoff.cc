// backoff.immediate, backoff.not_growing, backoff.no_jitter: statistical
// rules over the retry delays (gap = retry arrival - failure response) of
// retries whose failure carried no Retry-After (a wake-up driven by
// Retry-After says nothing about the client's own backoff). Never scored on
// fewer than min_chains retry chains.
#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "checker/rules/rules.h"

namespace pimsim::checker {
namespace {

// Delays at or above this are taken to have hit the client's cap and say
// nothing about growth.
constexpr int64_t kBackoffCapUs = 30'000'000;

bool OwnBackoff(const Analysis& a, size_t i) {
  return a.chains.IsRetry(i) && a.at(a.chains.prev_same[i]).retry_after_s < 0;
}

// Running mean and variance (Welford), plus the first retries seen.
struct Stats {
  uint64_t n = 0;
  double mean = 0;
  double m2 = 0;
  std::vector<uint32_t> examples;
  void Add(double x, uint32_t i) {
    ++n;
    const double d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
    if (examples.size() < kMaxEvidence) examples.push_back(i);
  }
  double StdDev() const { return n > 0 ? std::sqrt(m2 / n) : 0; }
};

}  // namespace

// Share of first retries sooner than epsilon, over chains whose first
// failure had no Retry-After. A share, not single events: full jitter may
// legitimately draw a delay near 0.
void CheckBackoffImmediate(const Analysis& a, RuleRecorder& rec) {
  const Thresholds& th = a.thresholds;
  uint64_t samples = 0, immediate = 0;
  std::vector<uint32_t> examples;
  size_t first_immediate = 0;
  for (size_t i = 0; i < a.table.attempts.size(); ++i) {
    if (a.chains.retry_index[i] != 1 || !OwnBackoff(a, i)) continue;
    ++samples;
    if (a.GapUs(i) >= th.epsilon_us) continue;
    if (immediate++ == 0) first_immediate = i;
    if (examples.size() + 2 <= kMaxEvidence) {
      examples.push_back(static_cast<uint32_t>(a.chains.prev_same[i]));
      examples.push_back(static_cast<uint32_t>(i));
    }
  }
  rec.AddSamples(samples);
  if (samples < th.min_chains) {
    rec.SetUndecided(absl::StrCat("only ", samples,
                                  " retry chains whose first failure had no Retry-After (needs ",
                                  th.min_chains, ")"));
    return;
  }
  const double share = static_cast<double>(immediate) / samples;
  rec.SetDetail(absl::StrCat("first-retry immediate share ", Percent(share), " (", immediate, "/",
                             samples, ")"));
  if (immediate == 0 || share < th.immediate_retry_share) return;
  if (pimsim::v1::Violation* v = rec.Add(first_immediate)) {
    v->set_message(absl::StrCat(immediate, " of ", samples, " first retries came sooner than ",
                                Seconds(th.epsilon_us), " (", Percent(share), "; limit ",
                                Percent(th.immediate_retry_share), ")"));
    rec.Evidence(v, examples);
  }
}

// Mean delay of retry k+1 over mean delay of retry k, over chains with at
// least 3 attempts; delays >= 30 s (a cap reached) are skipped. A violation
// when every index with min_chains delays on both sides has a ratio at or
// under backoff_growth_ratio. Means under epsilon count as epsilon, so
// immediate retries compare as equal rather than as 0/0.
void CheckBackoffNotGrowing(const Analysis& a, RuleRecorder& rec) {
  const Thresholds& th = a.thresholds;
  std::vector<Stats> by_index;
  uint64_t chains = 0;
  int64_t example_chain_end = -1;
  for (const Chain& c : a.chains.chains) chains += c.attempts >= 3;
  for (size_t i = 0; i < a.table.attempts.size(); ++i) {
    if (!OwnBackoff(a, i)) continue;
    if (a.chains.chains[a.chains.chain[i]].attempts < 3) continue;
    const int64_t gap = a.GapUs(i);
    if (gap >= kBackoffCapUs) continue;
    const size_t k = a.chains.retry_index[i];
    if (by_index.size() <= k) by_index.resize(k + 1);
    by_index[k].Add(static_cast<double>(gap), static_cast<uint32_t>(i));
    if (k == 2 && example_chain_end < 0) example_chain_end = static_cast<int64_t>(i);
  }
  rec.AddSamples(chains);
  if (chains < th.min_chains) {
    rec.SetUndecided(absl::StrCat("only ", chains, " retry chains with 3 or more attempts (needs ",
                                  th.min_chains, ")"));
    return;
  }
  const double eps = static_cast<double>(std::max<int64_t>(th.epsilon_us, 1));
  std::vector<std::string> ratios;
  std::vector<std::string> means;
  bool grows = false;
  for (size_t k = 1; k + 1 < by_index.size(); ++k) {
    if (by_index[k].n < th.min_chains || by_index[k + 1].n < th.min_chains) continue;
    const double ratio =
        std::max(by_index[k + 1].mean, eps) / std::max(by_index[k].mean, eps);
    if (means.empty()) means.push_back(Seconds(static_cast<int64_t>(by_index[k].mean)));
    means.push_back(Seconds(static_cast<int64_t>(by_index[k + 1].mean)));
    ratios.push_back(absl::StrFormat("%.2f", ratio));
    grows = grows || ratio > th.backoff_growth_ratio;
  }
  if (ratios.empty()) {
    rec.SetUndecided(absl::StrCat("fewer than ", th.min_chains,
                                  " comparable delays at consecutive retries (Retry-After and "
                                  "delays >= 30 s are not scored)"));
    return;
  }
  rec.SetDetail(absl::StrCat("mean retry delays ", absl::StrJoin(means, ", "), "; ratios ",
                             absl::StrJoin(ratios, ", ")));
  if (grows) return;
  const size_t anchor = static_cast<size_t>(example_chain_end >= 0 ? example_chain_end : 0);
  if (pimsim::v1::Violation* v = rec.Add(anchor)) {
    v->set_message(absl::StrCat("retry delays do not grow: mean delays ", absl::StrJoin(means, ", "),
                                " (ratios ", absl::StrJoin(ratios, ", "), "; need > ",
                                absl::StrFormat("%g", th.backoff_growth_ratio), ")"));
    rec.Evidence(v, a.ChainUpTo(anchor));
  }
}

// Per retry index, the coefficient of variation of the delays across
// chains, CV = stddev / max(mean, epsilon) (the floor keeps clock noise on
// near-zero delays from passing for jitter). Judged on the index with the
// highest CV among those with min_chains delays: under jitter_cv_violation
// is lockstep (rule severity), under jitter_cv_weak weak jitter (warning).
void CheckBackoffNoJitter(const Analysis& a, RuleRecorder& rec) {
  const Thresholds& th = a.thresholds;
  std::vector<Stats> by_index;
  uint64_t after_retry_after = 0;
  for (size_t i = 0; i < a.table.attempts.size(); ++i) {
    if (!a.chains.IsRetry(i)) continue;
    if (!OwnBackoff(a, i)) {
      ++after_retry_after;
      continue;
    }
    const size_t k = a.chains.retry_index[i];
    if (by_index.size() <= k) by_index.resize(k + 1);
    by_index[k].Add(static_cast<double>(a.GapUs(i)), static_cast<uint32_t>(i));
  }
  const double eps = static_cast<double>(std::max<int64_t>(th.epsilon_us, 1));
  int best = -1;
  double best_cv = 0;
  uint64_t samples = 0;
  for (size_t k = 1; k < by_index.size(); ++k) {
    samples += by_index[k].n;
    if (by_index[k].n < th.min_chains) continue;
    const double cv = by_index[k].StdDev() / std::max(by_index[k].mean, eps);
    if (best < 0 || cv > best_cv) {
      best = static_cast<int>(k);
      best_cv = cv;
    }
  }
  rec.AddSamples(samples);
  const std::string info =
      after_retry_after > 0
          ? absl::StrCat("; ", after_retry_after, " retries after Retry-After not scored")
          : "";
  if (best < 0) {
    rec.SetUndecided(absl::StrCat("fewer than ", th.min_chains,
                                  " retries without Retry-After at any retry index", info));
    return;
  }
  const Stats& s = by_index[best];
  rec.SetDetail(absl::StrFormat("retry %d delay CV %.3f over %d chains (mean %s)%s", best, best_cv,
                                s.n, Seconds(static_cast<int64_t>(s.mean)), info));
  const bool lockstep = best_cv < th.jitter_cv_violation;
  if (!lockstep && best_cv >= th.jitter_cv_weak) return;
  const pimsim::v1::Severity severity =
      lockstep ? rec.severity() : std::min(rec.severity(), pimsim::v1::SEVERITY_WARNING);
  if (pimsim::v1::Violation* v = rec.Add(s.examples.front(), severity)) {
    v->set_message(absl::StrFormat(
        "%s: delays of retry %d have CV %.3f over %d chains (mean %s; %s under %g)",
        lockstep ? "retries in lockstep" : "weak jitter", best, best_cv, s.n,
        Seconds(static_cast<int64_t>(s.mean)), lockstep ? "violation" : "warning",
        lockstep ? th.jitter_cv_violation : th.jitter_cv_weak));
    rec.Evidence(v, s.examples);
  }
}

}  // namespace pimsim::checker
