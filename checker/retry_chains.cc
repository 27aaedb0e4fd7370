#include "checker/retry_chains.h"

#include <algorithm>
#include <numeric>

#include "absl/container/flat_hash_map.h"

namespace pimsim::checker {
namespace {

bool Success(const Attempt& t) { return t.status >= 200 && t.status < 300 && !t.failed; }

// How many observations the estimate of the level above counts for.
constexpr double kPriorWeight = 2.0;

}  // namespace

namespace {

// Over sorted delays and spans: successes repeated within w, and successes
// observed for w.
template <typename It>
void CountRepeats(It delays_begin, It delays_end, It spans_begin, It spans_end, int64_t w,
                  uint64_t* m, uint64_t* n) {
  *m = static_cast<uint64_t>(std::upper_bound(delays_begin, delays_end, w) - delays_begin);
  *n = static_cast<uint64_t>(delays_end - delays_begin) +
       static_cast<uint64_t>(spans_end - std::lower_bound(spans_begin, spans_end, w));
}

}  // namespace

void RetryChains::Repeats::Count(int64_t w, uint64_t* m, uint64_t* n) const {
  CountRepeats(delays.begin(), delays.end(), spans.begin(), spans.end(), w, m, n);
}

void RetryChains::FlatRepeats::Count(size_t g, int64_t w, uint64_t* m, uint64_t* n) const {
  const auto d = delays.begin(), s = spans.begin();
  CountRepeats(d + (g == 0 ? 0 : delays_end[g - 1]), d + delays_end[g],
               s + (g == 0 ? 0 : spans_end[g - 1]), s + spans_end[g], w, m, n);
}

bool RetryChains::Repeats::Quiet() const {
  return delays.empty() && spans.size() >= kQuietSamples;
}

RetryChains::Chance RetryChains::RepeatChanceSplit(size_t f, int64_t within_us) const {
  if (overlapped[f]) return {0.0, 1.0};
  const Repeats& conn = connection_repeats_[connection_of_[f]];
  const Repeats& kind = kind_repeats_[kind_of_[f]];
  if (conn.Quiet() || kind.Quiet()) return {};
  const int64_t w = std::max<int64_t>(within_us, 0);
  uint64_t m_conn = 0, n_conn = 0, m_kind = 0, n_kind = 0, m_fp = 0, n_fp = 0;
  conn.Count(w, &m_conn, &n_conn);
  kind.Count(w, &m_kind, &n_kind);
  fp_repeats_.Count(fp_of_[f], w, &m_fp, &n_fp);
  // Each level's estimate shrinks towards the one above it; the shares of
  // the level above in each estimate carry the prior down.
  const double share_kind = kPriorWeight / (static_cast<double>(n_kind) + kPriorWeight);
  const double share_fp = kPriorWeight / (static_cast<double>(n_fp) + kPriorWeight);
  const double observed_conn = static_cast<double>(m_conn) / (static_cast<double>(n_conn) + 1.0);
  const double prior_conn = 0.5 / (static_cast<double>(n_conn) + 1.0);
  const double observed_kind =
      static_cast<double>(m_kind) / (static_cast<double>(n_kind) + kPriorWeight) +
      share_kind * observed_conn;
  const double observed_fp =
      static_cast<double>(m_fp) / (static_cast<double>(n_fp) + kPriorWeight) +
      share_fp * observed_kind;
  return {observed_fp, share_fp * share_kind * prior_conn};
}

RetryChains BuildRetryChains(const AttemptTable& table, int64_t epsilon_us) {
  const std::vector<Attempt>& at = table.attempts;
  const size_t n = at.size();
  RetryChains rc;
  rc.successor.assign(n, -1);
  rc.follows.assign(n, -1);
  rc.chain.assign(n, 0);
  rc.retry_index.assign(n, 0);
  rc.duplicate_of.assign(n, -1);
  rc.overlapped.assign(n, false);
  rc.candidate_.assign(n, false);
  rc.fp_of_.assign(n, 0);
  rc.kind_of_.resize(n);
  rc.kind_repeats_.resize(table.kinds);
  rc.connection_of_.resize(n);
  rc.connection_repeats_.resize(table.connections.size());

  // Attempts grouped by fingerprint, each group in arrival order.
  absl::flat_hash_map<uint64_t, uint32_t> fp_index;
  fp_index.reserve(n / 4 + 16);
  std::vector<uint32_t> group_size;
  for (size_t i = 0; i < n; ++i) {
    auto [it, inserted] = fp_index.try_emplace(at[i].fingerprint, group_size.size());
    if (inserted) group_size.push_back(0);
    rc.fp_of_[i] = it->second;
    ++group_size[it->second];
    rc.kind_of_[i] = at[i].kind;
    rc.connection_of_[i] = at[i].connection;
  }
  std::vector<uint32_t> offset(group_size.size() + 1, 0);
  std::partial_sum(group_size.begin(), group_size.end(), offset.begin() + 1);
  std::vector<uint32_t> order(n);
  {
    std::vector<uint32_t> fill(offset.begin(), offset.end() - 1);
    for (size_t i = 0; i < n; ++i) order[fill[rc.fp_of_[i]]++] = static_cast<uint32_t>(i);
  }
  rc.fp_repeats_.delays_end.reserve(group_size.size());
  rc.fp_repeats_.spans_end.reserve(group_size.size());
  const auto by_arrival = [&](uint32_t x, uint32_t y) {
    return at[x].arrival_us != at[y].arrival_us ? at[x].arrival_us < at[y].arrival_us : x < y;
  };

  for (size_t g = 0; g < group_size.size(); ++g) {
    const auto begin = order.begin() + offset[g];
    const auto end = order.begin() + offset[g + 1];
    std::sort(begin, end, by_arrival);
    const size_t size = static_cast<size_t>(end - begin);
    // Overlaps and duplicates: the attempt ending last so far, in arrival
    // order.
    int32_t longest = -1;
    for (size_t k = 0; k < size; ++k) {
      const uint32_t i = begin[k];
      if (longest >= 0 && at[longest].end_us > at[i].arrival_us) {
        rc.overlapped[i] = true;
        rc.overlapped[longest] = true;
        if (at[longest].end_us > at[i].arrival_us + epsilon_us) rc.duplicate_of[i] = longest;
      }
      if (longest < 0 || at[longest].end_us < at[i].end_us) longest = static_cast<int32_t>(i);
    }
    for (size_t k = 0; k < size; ++k) {
      const uint32_t f = begin[k];
      // Successor: the first later arrival at or after f's visible end.
      auto s = std::lower_bound(begin + k + 1, end, at[f].end_us,
                                [&](uint32_t j, int64_t t) { return at[j].arrival_us < t; });
      if (s != end) {
        rc.successor[f] = static_cast<int32_t>(*s);
        const int32_t prev = rc.follows[*s];
        if (prev < 0 || at[prev].end_us < at[f].end_us) rc.follows[*s] = static_cast<int32_t>(f);
      }
      if (!Success(at[f])) continue;
      // Background: how soon the client sends this request again after a
      // success (0 when the next one arrived while it was in flight).
      RetryChains::FlatRepeats& fp = rc.fp_repeats_;
      RetryChains::Repeats& kind = rc.kind_repeats_[at[f].kind];
      RetryChains::Repeats& conn = rc.connection_repeats_[at[f].connection];
      // Token requests are the token service's business: how often a client
      // asks for tokens says nothing about how it repeats API calls.
      const bool token = (at[f].route & kRouteToken) != 0;
      if (k + 1 < size) {
        const int64_t delay = std::max<int64_t>(0, at[begin[k + 1]].arrival_us - at[f].response_us);
        fp.delays.push_back(delay);
        kind.delays.push_back(delay);
        if (!token) conn.delays.push_back(delay);
      } else {
        const int64_t span = std::max<int64_t>(0, table.end_us - at[f].response_us);
        fp.spans.push_back(span);
        kind.spans.push_back(span);
        if (!token) conn.spans.push_back(span);
      }
    }
    // Group g's values were appended together: sort them in place.
    const size_t d0 = g == 0 ? 0 : rc.fp_repeats_.delays_end[g - 1];
    const size_t s0 = g == 0 ? 0 : rc.fp_repeats_.spans_end[g - 1];
    std::sort(rc.fp_repeats_.delays.begin() + d0, rc.fp_repeats_.delays.end());
    std::sort(rc.fp_repeats_.spans.begin() + s0, rc.fp_repeats_.spans.end());
    rc.fp_repeats_.delays_end.push_back(static_cast<uint32_t>(rc.fp_repeats_.delays.size()));
    rc.fp_repeats_.spans_end.push_back(static_cast<uint32_t>(rc.fp_repeats_.spans.size()));
  }
  for (std::vector<RetryChains::Repeats>* all : {&rc.kind_repeats_, &rc.connection_repeats_}) {
    for (RetryChains::Repeats& r : *all) {
      std::sort(r.delays.begin(), r.delays.end());
      std::sort(r.spans.begin(), r.spans.end());
    }
  }

  // Chains, in journal order: an attempt's predecessor has a smaller index
  // (it ended before this one arrived). At most one an attempt.
  rc.chains.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const int32_t f = rc.follows[i];
    bool link = false;
    if (f >= 0 && at[f].failed) {
      const int64_t gap = at[i].arrival_us - at[f].response_us;
      if (gap <= kRetryChainMaxGapUs && static_cast<size_t>(f) < i) {
        rc.candidate_[i] = true;
        link = rc.RepeatChance(static_cast<size_t>(f), gap) <= kLinkChanceMax;
      }
    }
    if (link) {
      const uint32_t c = rc.chain[f];
      rc.chain[i] = c;
      rc.retry_index[i] = rc.retry_index[f] + 1;
      rc.chains[c].last = static_cast<uint32_t>(i);
      ++rc.chains[c].attempts;
      ++rc.retries;
    } else {
      rc.chain[i] = static_cast<uint32_t>(rc.chains.size());
      rc.chains.push_back(
          {static_cast<uint32_t>(i), static_cast<uint32_t>(i), 1, rc.candidate_[i]});
    }
  }
  return rc;
}

}  // namespace pimsim::checker
