// retry.too_many, retry.non_retryable, retry.non_idempotent,
// retry.abandoned, retry.no_budget.
#include <algorithm>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "checker/rules/rules.h"

namespace pimsim::checker {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kNonRetryableWindowUs = 60 * kSecond;
constexpr int64_t kAbandonHorizonUs = 60 * kSecond;
constexpr int64_t kIsolationWindowUs = 10 * kSecond;
constexpr double kIsolatedFailureRatio = 0.2;
constexpr double kOutageFailureRatio = 0.5;
constexpr int64_t kBudgetCompareUs = 10 * kSecond;

bool NonRetryable4xx(uint32_t s) {
  switch (s) {
    case 400: case 403: case 404: case 405: case 406: case 410: case 415: case 422:
      return true;
    default:
      return false;
  }
}

bool Success(const Attempt& t) { return t.status >= 200 && t.status < 300 && !t.failed; }

// A write whose outcome the client cannot know and that is not safe to
// re-send blindly: a POST (Akeneo's PATCHes are upserts by code, so
// idempotent) without Idempotency-Key, other than a token request.
bool UnsafeToResend(const Attempt& t) {
  return (t.route & kRoutePost) && !(t.route & kRouteToken) && !t.idempotency_key;
}

}  // namespace

// Attempts (first included) and span (first arrival to last) of every retry
// chain: more than max_attempts or longer than max_retry_span.
void CheckRetryTooMany(const Analysis& a, RuleRecorder& rec) {
  const Thresholds& th = a.thresholds;
  uint64_t samples = 0;
  uint32_t longest = 0;
  for (const Chain& c : a.chains.chains) {
    if (c.attempts < 2) continue;
    ++samples;
    longest = std::max(longest, c.attempts);
    const int64_t span = a.at(c.last).arrival_us - a.at(c.first).arrival_us;
    if (c.attempts <= th.max_attempts && span <= th.max_retry_span_us) continue;
    if (pimsim::v1::Violation* v = rec.Add(c.last)) {
      v->set_message(absl::StrCat(c.attempts, " attempts in ", Seconds(span), " of ",
                                  Describe(a.event(c.first)), " (limit ", th.max_attempts,
                                  " attempts, ", Seconds(th.max_retry_span_us), ")"));
      rec.Evidence(v, a.ChainUpTo(c.last));
    }
  }
  rec.AddSamples(samples);
  rec.SetDetail(absl::StrCat(samples, " retry chains; longest ", longest, " attempts"));
}

// The successor (retry_chains.h) within 60 s of a 400/403/404/405/406/410/
// 415/422, of a 413 without Retry-After, or of a 401 with no token request
// on the instance in between. A GET after a 404/410 is not flagged when the
// connection wrote successfully in between (it may have created the item).
// Certain when the client never repeats that kind of request within 60 s
// after a success; otherwise by ExcessScan.
void CheckRetryNonRetryable(const Analysis& a, RuleRecorder& rec) {
  const std::vector<Attempt>& at = a.table.attempts;
  // Per attempt: successful writes by its connection, token requests on its
  // instance, before it (by arrival order).
  std::vector<uint32_t> writes_before(at.size()), tokens_before(at.size());
  std::vector<uint32_t> writes(a.table.connections.size()), tokens(a.table.instances.size());
  for (size_t i = 0; i < at.size(); ++i) {
    writes_before[i] = writes[at[i].connection];
    tokens_before[i] = tokens[at[i].instance];
    if ((at[i].route & kRouteWrite) && !(at[i].route & kRouteToken) && Success(at[i])) {
      ++writes[at[i].connection];
    }
    if (at[i].route & kRouteToken) ++tokens[at[i].instance];
  }
  uint64_t samples = 0, returned = 0;
  ExcessScan excess;
  std::vector<std::pair<uint32_t, uint32_t>> uncertain;  // (failure, successor)
  auto report = [&](uint32_t p, uint32_t i, double chance) {
    if (pimsim::v1::Violation* v = rec.Add(i)) {
      const Attempt& f = at[p];
      v->set_message(absl::StrCat(
          chance <= 0 ? "retried " : "sent again ", Describe(a.event(i)), " ",
          Seconds(at[i].arrival_us - f.response_us), " after a ", f.status,
          f.status == 401 ? " without requesting a new token"
          : f.status == 413 ? " without Retry-After"
                            : "",
          chance <= 0 ? ""
                      : absl::StrCat("; chance of an independent repeat within 60 s ",
                                     Percent(chance))));
      rec.Evidence(v, {p, i});
    }
  };
  for (size_t p = 0; p < at.size(); ++p) {
    const Attempt& f = at[p];
    const bool bad_4xx = NonRetryable4xx(f.status);
    const bool bad_413 = f.status == 413 && f.retry_after_s < 0;
    const bool bad_401 = f.status == 401;
    if (!bad_4xx && !bad_413 && !bad_401) continue;
    ++samples;
    const double chance = a.RepeatChance(p, kNonRetryableWindowUs);
    const int32_t i = a.chains.successor[p];
    bool flagged = i >= 0 && at[i].arrival_us - f.response_us <= kNonRetryableWindowUs;
    if (flagged && bad_401 && tokens_before[i] > tokens_before[p]) flagged = false;
    if (flagged && (f.status == 404 || f.status == 410) && (f.route & kRouteGet) &&
        writes_before[i] > writes_before[p]) {
      flagged = false;
    }
    returned += flagged;
    if (flagged && chance <= 0) {
      report(static_cast<uint32_t>(p), static_cast<uint32_t>(i), chance);
      continue;
    }
    excess.Add([&](int64_t w) { return a.RepeatChanceSplit(p, w); }, kNonRetryableWindowUs, flagged,
               flagged ? at[i].arrival_us - f.response_us : 0);
    if (flagged) uncertain.emplace_back(static_cast<uint32_t>(p), static_cast<uint32_t>(i));
  }
  rec.AddSamples(samples);
  const std::vector<bool> significant = excess.Significant();
  for (size_t k = 0; k < uncertain.size(); ++k) {
    if (!significant[k]) continue;
    const auto [p, i] = uncertain[k];
    report(p, i, a.RepeatChance(p, kNonRetryableWindowUs));
  }
  std::string detail = absl::StrCat(samples, " non-retryable responses; ", returned,
                                    " of their requests came again within 60 s");
  if (excess.flagged() > 0) absl::StrAppend(&detail, " (uncertain: ", excess.Summary(), ")");
  if (rec.violations() == 0 && excess.flagged() > 0) {
    rec.SetUndecided(absl::StrCat(detail, ": as many as independent repeats explain"));
    return;
  }
  rec.SetDetail(detail);
}

// The successor of a POST without Idempotency-Key whose attempt was
// ambiguous: body fully read, then no response (reset, timeout, cut) or a
// 500/502/504. Failures before the body was read, 408, 429 and 503 say the
// request was not processed and are not flagged; nor is a re-send after the
// connection read back, in between, a resource under the POST's path and
// got an answer, 2xx or 404 (it checked whether the first attempt was
// applied). Certain when the client
// never repeats such a POST after a success; otherwise by ExcessScan.
void CheckRetryNonIdempotent(const Analysis& a, RuleRecorder& rec) {
  uint64_t samples = 0;
  const std::vector<Attempt>& at = a.table.attempts;
  // GETs by connection, in journal order, for the read-back excuse: an
  // answer (the resource, or 404: it was not created) tells the client
  // whether the POST was applied.
  std::vector<std::vector<uint32_t>> gets(a.table.connections.size());
  for (size_t i = 0; i < at.size(); ++i) {
    if ((at[i].route & kRouteGet) && (Success(at[i]) || (at[i].status == 404 && !at[i].failed))) {
      gets[at[i].connection].push_back(i);
    }
  }
  auto read_back = [&](size_t p, size_t i) {
    const std::string prefix = absl::StrCat(a.event(p).normalized_path(), "/");
    const std::vector<uint32_t>& list = gets[at[p].connection];
    auto it = std::upper_bound(list.begin(), list.end(), static_cast<uint32_t>(p));
    for (; it != list.end() && *it < i; ++it) {
      if (at[*it].arrival_us >= at[p].end_us &&
          absl::StartsWith(a.event(*it).normalized_path(), prefix)) {
        return true;
      }
    }
    return false;
  };
  ExcessScan excess;
  std::vector<std::pair<uint32_t, uint32_t>> uncertain;
  auto report = [&](uint32_t p, uint32_t i, double chance) {
    if (pimsim::v1::Violation* v = rec.Add(i)) {
      const std::string how =
          at[p].status == 0 ? (at[p].client_aborted ? "a timeout or abort" : "a dropped connection")
                            : absl::StrCat("a ", at[p].status);
      v->set_message(absl::StrCat(
          "re-sent ", Describe(a.event(i)), " without Idempotency-Key ",
          Seconds(at[i].arrival_us - at[p].response_us), " after ", how,
          " once its body had been read",
          chance <= 0 ? ""
                      : absl::StrCat("; chance of an independent repeat ", Percent(chance))));
      rec.Evidence(v, {p, i});
    }
  };
  for (size_t p = 0; p < at.size(); ++p) {
    if (!UnsafeToResend(at[p]) || !at[p].ambiguous) continue;
    ++samples;
    const double chance = a.RepeatChance(p, kRetryChainMaxGapUs);
    const int32_t i = a.chains.successor[p];
    const bool flagged = i >= 0 && at[i].arrival_us - at[p].response_us <= kRetryChainMaxGapUs &&
                         !read_back(p, static_cast<size_t>(i));
    if (flagged && chance <= 0) {
      report(static_cast<uint32_t>(p), static_cast<uint32_t>(i), chance);
      continue;
    }
    excess.Add([&](int64_t w) { return a.RepeatChanceSplit(p, w); }, kRetryChainMaxGapUs, flagged,
               flagged ? at[i].arrival_us - at[p].response_us : 0);
    if (flagged) uncertain.emplace_back(static_cast<uint32_t>(p), static_cast<uint32_t>(i));
  }
  rec.AddSamples(samples);
  const std::vector<bool> significant = excess.Significant();
  for (size_t k = 0; k < uncertain.size(); ++k) {
    if (!significant[k]) continue;
    const auto [p, i] = uncertain[k];
    report(p, i, a.RepeatChance(p, kRetryChainMaxGapUs));
  }
  std::string detail = absl::StrCat(samples, " ambiguous failures of non-idempotent writes",
                                    excess.flagged() == 0 && rec.violations() == 0
                                        ? "; none sent again blindly"
                                        : "");
  if (excess.flagged() > 0) absl::StrAppend(&detail, "; uncertain: ", excess.Summary());
  if (rec.violations() == 0 && excess.flagged() > 0) {
    rec.SetUndecided(absl::StrCat(detail, ": as many as independent repeats explain"));
    return;
  }
  rec.SetDetail(detail);
}

// An isolated transient failure (the instance's failure ratio over the 10 s
// before it under 20%) whose request does not come back within
// max(Retry-After, 60 s). Ambiguous failures of non-idempotent writes are
// left out: not re-sending those is right. A successor within the horizon
// counts as the retry only when linked (retry_chains.h); one that could be
// an independent repeat leaves that failure undecided. Warns when more than
// abandoned_share of the decided isolated failures were abandoned. On a
// live journal, failures whose horizon is not over yet are pending, and the
// rule is undecided rather than passed while they are.
void CheckRetryAbandoned(const Analysis& a, RuleRecorder& rec) {
  const std::vector<Attempt>& at = a.table.attempts;
  const size_t n = at.size();
  // Per instance: arrivals and failures so far, for the isolation test.
  std::vector<std::vector<uint32_t>> by_instance(a.table.instances.size());
  std::vector<std::vector<uint32_t>> failed_prefix(a.table.instances.size());
  for (size_t i = 0; i < n; ++i) {
    auto& fp = failed_prefix[at[i].instance];
    fp.push_back((fp.empty() ? 0 : fp.back()) + (at[i].failed ? 1 : 0));
    by_instance[at[i].instance].push_back(static_cast<uint32_t>(i));
  }
  std::vector<uint32_t> position(n);
  for (const auto& list : by_instance) {
    for (size_t k = 0; k < list.size(); ++k) position[list[k]] = static_cast<uint32_t>(k);
  }
  uint64_t isolated = 0, abandoned = 0, unclear = 0, pending = 0;
  std::vector<uint32_t> examples;
  size_t first_example = 0;
  for (size_t i = 0; i < n; ++i) {
    const Attempt& t = at[i];
    if (!t.failed) continue;
    if (UnsafeToResend(t) && t.ambiguous) continue;
    const int64_t horizon = std::max<int64_t>(int64_t{t.retry_after_s} * kSecond, kAbandonHorizonUs);
    // Failure ratio over [arrival - 10 s, arrival) on the instance.
    const auto& list = by_instance[t.instance];
    const auto& fp = failed_prefix[t.instance];
    const size_t hi = position[i];  // attempts before i: [lo, hi)
    const size_t lo = static_cast<size_t>(
        std::lower_bound(list.begin(), list.begin() + hi, t.arrival_us - kIsolationWindowUs,
                         [&](uint32_t j, int64_t v) { return at[j].arrival_us < v; }) -
        list.begin());
    const size_t total = hi - lo;
    const uint32_t failures = (hi > 0 ? fp[hi - 1] : 0) - (lo > 0 ? fp[lo - 1] : 0);
    if (total > 0 && static_cast<double>(failures) / total >= kIsolatedFailureRatio) continue;
    const int32_t next = a.chains.successor[i];
    const bool returned = next >= 0 && at[next].arrival_us <= t.response_us + horizon;
    if (!returned && a.live && t.response_us + horizon > a.table.end_us) {
      ++pending;
      continue;
    }
    ++isolated;
    if (returned) {
      if (a.chains.follows[next] != static_cast<int32_t>(i) ||
          !a.chains.IsRetry(static_cast<size_t>(next))) {
        ++unclear;
      }
      continue;
    }
    if (abandoned++ == 0) first_example = i;
    if (examples.size() < kMaxEvidence) examples.push_back(static_cast<uint32_t>(i));
  }
  rec.AddSamples(isolated);
  const uint64_t decided = isolated - unclear;
  std::string notes;
  if (unclear > 0) {
    absl::StrAppend(&notes, "; ", unclear, " came back as what could be an independent repeat");
  }
  if (pending > 0) {
    absl::StrAppend(&notes, "; ", pending,
                    " too recent to judge (within max(Retry-After, 60 s) of the journal's end)");
  }
  const double share = decided > 0 ? static_cast<double>(abandoned) / decided : 0;
  const bool violated = abandoned > 0 && share > a.thresholds.abandoned_share;
  if (violated) {
    if (pimsim::v1::Violation* v = rec.Add(first_example)) {
      v->set_message(absl::StrCat(abandoned, " of ", decided,
                                  " isolated transient failures never retried within max("
                                  "Retry-After, 60 s) (",
                                  Percent(share), "; limit ",
                                  Percent(a.thresholds.abandoned_share), "), e.g. ",
                                  a.at(first_example).status, " on ",
                                  Describe(a.event(first_example))));
      rec.Evidence(v, examples);
    }
  }
  if (decided == 0) {
    if (isolated == 0 && pending == 0) {
      rec.SetDetail("no isolated transient failure");
    } else {
      rec.SetUndecided(absl::StrCat("no isolated transient failure could be judged", notes));
    }
    return;
  }
  const std::string detail = absl::StrCat("abandoned ", abandoned, " of ", decided,
                                          " isolated failures (", Percent(share), ")", notes);
  if (!violated && pending > 0) {
    rec.SetUndecided(absl::StrCat(detail, "; so far"));
    return;
  }
  rec.SetDetail(detail);
}

// Outages: runs of 1 s buckets of an instance where at least 50% of
// requests failed (empty buckets do not break a run), at least
// outage_min_duration long. In each, retries per first attempt above
// retry_budget_share, or a retry count in the last 10 s at least that of
// the first 10 s (no decline), means the client has no retry budget.
void CheckRetryNoBudget(const Analysis& a, RuleRecorder& rec) {
  const std::vector<Attempt>& at = a.table.attempts;
  const Thresholds& th = a.thresholds;
  if (at.empty()) {
    rec.SetDetail("no outage");
    return;
  }
  const int64_t start = a.table.start_us;
  const size_t buckets = static_cast<size_t>((a.table.end_us - start) / kSecond + 1);
  uint64_t outages = 0;
  for (uint32_t inst = 0; inst < a.table.instances.size(); ++inst) {
    std::vector<uint32_t> total(buckets), failed(buckets);
    std::vector<uint32_t> members;
    for (size_t i = 0; i < at.size(); ++i) {
      if (at[i].instance != inst) continue;
      const size_t b = static_cast<size_t>((at[i].arrival_us - start) / kSecond);
      ++total[b];
      failed[b] += at[i].failed;
      members.push_back(static_cast<uint32_t>(i));
    }
    auto failing = [&](size_t b) {
      return total[b] > 0 && failed[b] >= kOutageFailureRatio * total[b];
    };
    size_t b = 0;
    size_t cursor = 0;  // into members
    while (b < buckets) {
      if (!failing(b)) {
        ++b;
        continue;
      }
      size_t last = b;
      size_t e = b + 1;
      while (e < buckets && (total[e] == 0 || failing(e))) {
        if (total[e] > 0) last = e;
        ++e;
      }
      const int64_t from = start + static_cast<int64_t>(b) * kSecond;
      const int64_t to = start + static_cast<int64_t>(last + 1) * kSecond;
      b = last + 1;
      if (to - from < th.outage_min_us) continue;
      ++outages;
      uint64_t firsts = 0, retries = 0, early = 0, late = 0;
      size_t anchor = 0;
      std::vector<uint32_t> examples;
      while (cursor < members.size() && at[members[cursor]].arrival_us < from) ++cursor;
      for (size_t m = cursor; m < members.size() && at[members[m]].arrival_us < to; ++m) {
        const uint32_t i = members[m];
        if (!a.chains.IsRetry(i)) {
          ++firsts;
          continue;
        }
        if (retries++ == 0) anchor = i;
        if (examples.size() < kMaxEvidence) examples.push_back(i);
        early += at[i].arrival_us < from + kBudgetCompareUs;
        late += at[i].arrival_us >= to - kBudgetCompareUs;
      }
      if (retries == 0) continue;
      const double share =
          firsts > 0 ? static_cast<double>(retries) / firsts : static_cast<double>(retries);
      const bool over_budget = share > th.retry_budget_share;
      const bool no_decline = late >= early;
      if (!over_budget && !no_decline) continue;
      if (pimsim::v1::Violation* v = rec.Add(anchor)) {
        v->set_message(absl::StrFormat(
            "outage of %s on instance %s: %d retries for %d first attempts (%.2f per first "
            "attempt, budget %g); %d retries in the last 10 s vs %d in the first 10 s",
            Seconds(to - from), a.table.instances[inst], retries, firsts, share,
            th.retry_budget_share, late, early));
        rec.Evidence(v, examples);
      }
    }
  }
  rec.AddSamples(outages);
  rec.SetDetail(outages == 0 ? std::string("no outage")
                             : absl::StrCat(outages, " outages of ", Seconds(th.outage_min_us),
                                            " or more"));
}

}  // namespace pimsim::checker
