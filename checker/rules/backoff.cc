// backoff.immediate, backoff.not_growing, backoff.no_jitter: statistical
// rules over the retry delays (gap = retry arrival - failure response) of
// retries whose failure carried no Retry-After (a wake-up driven by
// Retry-After says nothing about the client's own backoff). Only linked
// retries of untainted chains are scored (retry_chains.h). Candidates left
// out because of their delay (too long to be told from a repeat) would bias
// what is scored, so each rule convicts only when the worst case, with them
// counted as retries, convicts too (see LeftOutForTheirDelay). Never scored
// on fewer than min_chains retry chains.
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

// A retry whose delay is the client's own: not dictated by a Retry-After,
// nor held by a 429 another request of its connection got meanwhile.
bool OwnBackoff(const Analysis& a, size_t i) {
  return a.chains.IsRetry(i) && a.at(a.chains.follows[i]).retry_after_s < 0 &&
         !a.held_by_other_429[i];
}

// A linked retry of the client's own backoff whose chain is known from its
// first attempt: its index and delay can be scored.
bool Scored(const Analysis& a, size_t i) {
  return OwnBackoff(a, i) && !a.chains.chains[a.chains.chain[i]].tainted;
}

// A possible retry of the client's own backoff that was left out because
// of its delay: its successor link was too uncertain at its gap, while at
// the median scored delay of its retry index it would have been linked.
// Leaving such candidates out cuts the long delays off that index. Those
// left out whatever their delay (a request sent in parallel with itself, a
// chain whose start is unknown, a request the client repeats as often as it
// retries) bias nothing. Returns the retry index it would have, or -1.
int LeftOutForItsDelay(const Analysis& a, size_t i, const std::vector<int64_t>& median) {
  if (!a.chains.Candidate(i) || Scored(a, i)) return -1;
  const size_t f = static_cast<size_t>(a.chains.follows[i]);
  if (a.at(f).retry_after_s >= 0) return -1;
  if (a.chains.chains[a.chains.chain[f]].tainted) return -1;
  const size_t k = a.chains.retry_index[f] + 1;
  const int64_t typical = k < median.size() && median[k] >= 0 ? median[k] : 0;
  if (a.chains.RepeatChance(f, typical) > kLinkChanceMax) return -1;
  return static_cast<int>(k);
}

// The delays of the candidates left out for their delay, per retry index:
// what the worst case adds to the scored ones.
std::vector<std::vector<double>> LeftOutForTheirDelay(const Analysis& a) {
  std::vector<std::vector<int64_t>> gaps;
  for (size_t i = 0; i < a.table.attempts.size(); ++i) {
    if (!Scored(a, i)) continue;
    const size_t k = a.chains.retry_index[i];
    if (gaps.size() <= k) gaps.resize(k + 1);
    gaps[k].push_back(std::max<int64_t>(a.GapUs(i), 0));
  }
  std::vector<int64_t> median(gaps.size(), -1);
  for (size_t k = 0; k < gaps.size(); ++k) {
    if (gaps[k].empty()) continue;
    std::nth_element(gaps[k].begin(), gaps[k].begin() + gaps[k].size() / 2, gaps[k].end());
    median[k] = gaps[k][gaps[k].size() / 2];
  }
  std::vector<std::vector<double>> out;
  for (size_t i = 0; i < a.table.attempts.size(); ++i) {
    const int k = LeftOutForItsDelay(a, i, median);
    if (k < 0) continue;
    if (out.size() <= static_cast<size_t>(k)) out.resize(k + 1);
    out[k].push_back(static_cast<double>(std::max<int64_t>(a.GapUs(i), 0)));
  }
  return out;
}

const std::vector<double>& At(const std::vector<std::vector<double>>& v, size_t k) {
  static const std::vector<double> kNone;
  return k < v.size() ? v[k] : kNone;
}

// How many standard errors above the measured ratio of mean delays must
// still be at or under backoff_growth_ratio for "not growing" (about 99%
// one-sided).
constexpr double kRatioConfidenceZ = 2.5;

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

// The value at quantile q of sorted `v` (linear interpolation).
double Quantile(const std::vector<double>& v, double q) {
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(pos);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

// A coefficient of variation that a few stray values cannot move: the
// interquartile range scaled to a normal standard deviation (IQR / 1.349)
// over the median, floored at `floor`. A few independent repeats taken for
// retries (retry_chains.h links at up to a 5% chance of that) would
// otherwise make a lockstep client look jittered.
double RobustCv(std::vector<double> v, double floor) {
  std::sort(v.begin(), v.end());
  const double iqr = Quantile(v, 0.75) - Quantile(v, 0.25);
  return iqr / 1.349 / std::max(Quantile(v, 0.5), floor);
}

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
    if (a.chains.retry_index[i] != 1 || !Scored(a, i)) continue;
    ++samples;
    if (a.GapUs(i) >= th.epsilon_us) continue;
    if (immediate++ == 0) first_immediate = i;
    if (examples.size() + 2 <= kMaxEvidence) {
      examples.push_back(static_cast<uint32_t>(a.chains.follows[i]));
      examples.push_back(static_cast<uint32_t>(i));
    }
  }
  rec.AddSamples(samples);
  // The worst case counts the first retries left out for their delay as
  // retries that did wait.
  const uint64_t left_out = At(LeftOutForTheirDelay(a), 1).size();
  if (samples < th.min_chains) {
    rec.SetUndecided(absl::StrCat("only ", samples,
                                  " retry chains whose first failure had no Retry-After (needs ",
                                  th.min_chains, ")"));
    return;
  }
  const double share = static_cast<double>(immediate) / (samples + left_out);
  rec.SetDetail(absl::StrCat("first-retry immediate share ", Percent(share), " (", immediate, "/",
                             samples + left_out, ")",
                             left_out > 0 ? absl::StrCat(", counting ", left_out,
                                                         " possible retries that waited")
                                          : ""));
  if (immediate == 0 || share < th.immediate_retry_share) return;
  if (pimsim::v1::Violation* v = rec.Add(first_immediate)) {
    v->set_message(absl::StrCat(immediate, " of ", samples + left_out, " first retries came sooner than ",
                                Seconds(th.epsilon_us), " (", Percent(share), "; limit ",
                                Percent(th.immediate_retry_share), ")"));
    rec.Evidence(v, examples);
  }
}

// Mean delay of retry k+1 over mean delay of retry k, over chains with at
// least 3 attempts; delays >= 30 s (a cap reached) are skipped. A violation
// when every index with min_chains delays on both sides has a ratio at or
// under backoff_growth_ratio, even 2.5 standard errors up; undecided when
// none grows but the delays are too spread to be sure. Means under epsilon count as epsilon, so
// immediate retries compare as equal rather than as 0/0.
void CheckBackoffNotGrowing(const Analysis& a, RuleRecorder& rec) {
  const Thresholds& th = a.thresholds;
  std::vector<Stats> by_index;
  uint64_t chains = 0;
  int64_t example_chain_end = -1;
  for (const Chain& c : a.chains.chains) chains += c.attempts >= 3 && !c.tainted;
  for (size_t i = 0; i < a.table.attempts.size(); ++i) {
    if (!Scored(a, i)) continue;
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
  const std::vector<std::vector<double>> left_out = LeftOutForTheirDelay(a);
  std::vector<std::string> ratios;
  std::vector<std::string> means;
  bool grows = false;
  // Every judged ratio is at or under the threshold even at the top of its
  // confidence interval: the delays really do not grow (few jittered
  // delays can show a low ratio by chance).
  bool surely_flat = true;
  for (size_t k = 1; k + 1 < by_index.size(); ++k) {
    if (by_index[k].n < th.min_chains || by_index[k + 1].n < th.min_chains) continue;
    const double lo = std::max(by_index[k].mean, eps), hi = std::max(by_index[k + 1].mean, eps);
    const double ratio = hi / lo;
    // The worst case for "flat": the later retries' left-out (long) delays
    // counted, the earlier ones' not.
    Stats later = by_index[k + 1];
    for (double gap : At(left_out, k + 1)) {
      if (gap < kBackoffCapUs) later.Add(gap, 0);
    }
    const double worst_hi = std::max(later.mean, eps);
    const double worst = worst_hi / lo;
    // Delta-method standard error of a ratio of two independent means.
    const double rel_lo = by_index[k].StdDev() / lo, rel_hi = later.StdDev() / worst_hi;
    const double se =
        worst * std::sqrt(rel_lo * rel_lo / by_index[k].n + rel_hi * rel_hi / later.n);
    surely_flat = surely_flat && worst + kRatioConfidenceZ * se <= th.backoff_growth_ratio;
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
  const std::string detail = absl::StrCat("mean retry delays ", absl::StrJoin(means, ", "),
                                          "; ratios ", absl::StrJoin(ratios, ", "));
  if (grows) {
    rec.SetDetail(detail);
    return;
  }
  if (!surely_flat) {
    rec.SetUndecided(absl::StrCat(detail, ": at most ",
                                  absl::StrFormat("%g", th.backoff_growth_ratio),
                                  ", but too few delays to be sure they do not grow"));
    return;
  }
  rec.SetDetail(detail);
  const size_t anchor = static_cast<size_t>(example_chain_end >= 0 ? example_chain_end : 0);
  if (pimsim::v1::Violation* v = rec.Add(anchor)) {
    v->set_message(absl::StrCat("retry delays do not grow: mean delays ", absl::StrJoin(means, ", "),
                                " (ratios ", absl::StrJoin(ratios, ", "), "; need > ",
                                absl::StrFormat("%g", th.backoff_growth_ratio), ")"));
    rec.Evidence(v, a.ChainUpTo(anchor));
  }
}

// Per retry index, the coefficient of variation of the delays across
// chains: the lower of stddev / max(mean, epsilon) and RobustCv, which a few
// stray delays cannot raise. Delays under epsilon count as 0 and the means
// are floored at epsilon, so clock noise on immediate retries never passes
// for jitter: retrying at once is retrying in lockstep. Judged on the index with the
// highest CV among those with min_chains delays: under jitter_cv_violation
// is lockstep (rule severity), under jitter_cv_weak weak jitter (warning).
void CheckBackoffNoJitter(const Analysis& a, RuleRecorder& rec) {
  const Thresholds& th = a.thresholds;
  std::vector<Stats> by_index;
  std::vector<std::vector<double>> delays;
  uint64_t after_retry_after = 0;
  for (size_t i = 0; i < a.table.attempts.size(); ++i) {
    if (!a.chains.IsRetry(i)) continue;
    if (!OwnBackoff(a, i)) {
      ++after_retry_after;
      continue;
    }
    if (!Scored(a, i)) continue;
    const size_t k = a.chains.retry_index[i];
    if (by_index.size() <= k) by_index.resize(k + 1), delays.resize(k + 1);
    // A delay under epsilon is no delay: what spread it has is the loop's
    // and the network's, not the client's jitter.
    const double gap = a.GapUs(i) < th.epsilon_us ? 0.0 : static_cast<double>(a.GapUs(i));
    by_index[k].Add(gap, static_cast<uint32_t>(i));
    delays[k].push_back(gap);
  }
  const double eps = static_cast<double>(std::max<int64_t>(th.epsilon_us, 1));
  const std::vector<std::vector<double>> left_out = LeftOutForTheirDelay(a);
  int best = -1;
  double best_cv = 0;
  uint64_t samples = 0;
  for (size_t k = 1; k < by_index.size(); ++k) {
    samples += by_index[k].n;
    if (by_index[k].n < th.min_chains) continue;
    // The spread is judged at its widest: the lower of the plain and the
    // robust CV of the scored delays, but no lower than the robust CV with
    // the left-out delays counted too.
    double cv = std::min(by_index[k].StdDev() / std::max(by_index[k].mean, eps),
                         RobustCv(delays[k], eps));
    if (!At(left_out, k).empty()) {
      std::vector<double> with_left_out = delays[k];
      for (double gap : At(left_out, k)) with_left_out.push_back(gap < eps ? 0.0 : gap);
      cv = std::max(cv, RobustCv(std::move(with_left_out), eps));
    }
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
