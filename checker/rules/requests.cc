// request.duplicate_in_flight, timeout.none, auth.token_churn, batch.unused,
// cache.unused.
#include <algorithm>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "checker/rules/rules.h"

namespace pimsim::checker {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kCacheWindowUs = 600 * kSecond;

bool Success(const Attempt& t) { return t.status >= 200 && t.status < 300 && !t.failed; }

}  // namespace

// An attempt arriving while an earlier same-fingerprint attempt is still in
// flight (ending more than epsilon later; retry_chains.h). Every write
// (token requests aside) is a violation; GETs only when more than
// duplicate_get_share of them are duplicates, and then at most a warning:
// reading the same resource from two workers, or again while an earlier
// read hangs, is wasteful but changes nothing.
void CheckDuplicateInFlight(const Analysis& a, RuleRecorder& rec) {
  const std::vector<Attempt>& at = a.table.attempts;
  uint64_t gets = 0, dup_gets = 0, writes = 0;
  std::vector<uint32_t> get_examples;
  size_t first_get = 0;
  for (size_t i = 0; i < at.size(); ++i) {
    const Attempt& t = at[i];
    if (t.route & kRouteToken) continue;
    const bool write = (t.route & kRouteWrite) != 0;
    if (write) {
      ++writes;
    } else {
      ++gets;
    }
    const int32_t d = a.chains.duplicate_of[i];
    if (d < 0) continue;
    if (!write) {
      if (dup_gets++ == 0) first_get = i;
      if (get_examples.size() + 2 <= kMaxEvidence) {
        get_examples.push_back(static_cast<uint32_t>(d));
        get_examples.push_back(static_cast<uint32_t>(i));
      }
      continue;
    }
    if (pimsim::v1::Violation* v = rec.Add(i)) {
      v->set_message(absl::StrCat("sent ", Describe(a.event(i)), " again ",
                                  Seconds(t.arrival_us - at[d].arrival_us),
                                  " after the first, which was still in flight (answered ",
                                  Seconds(at[d].response_us - t.arrival_us), " later)"));
      rec.Evidence(v, {static_cast<uint32_t>(d), static_cast<uint32_t>(i)});
    }
  }
  rec.AddSamples(gets + writes);
  const double share = gets > 0 ? static_cast<double>(dup_gets) / gets : 0;
  rec.SetDetail(absl::StrFormat("%d duplicate writes of %d; %d duplicate GETs of %d (%s)",
                                rec.violations(), writes, dup_gets, gets, Percent(share)));
  if (dup_gets == 0 || share <= a.thresholds.duplicate_get_share) return;
  if (pimsim::v1::Violation* v =
          rec.Add(first_get, std::min(rec.severity(), pimsim::v1::SEVERITY_WARNING))) {
    v->set_message(absl::StrFormat("%d of %d GETs sent again while in flight (%s; limit %s)",
                                   dup_gets, gets, Percent(share),
                                   Percent(a.thresholds.duplicate_get_share)));
    rec.Evidence(v, get_examples);
  }
}

// An attempt that got no response (status 0) after more than
// hang_tolerance: the client waited on a hung request instead of timing out.
// Only completed attempts are journaled, so this needs no look-ahead.
void CheckTimeoutNone(const Analysis& a, RuleRecorder& rec) {
  uint64_t samples = 0;
  int64_t longest = 0;
  for (size_t i = 0; i < a.table.attempts.size(); ++i) {
    const Attempt& t = a.at(i);
    if (!t.no_response) continue;
    ++samples;
    const int64_t waited = t.response_us - t.arrival_us;
    longest = std::max(longest, waited);
    if (waited <= a.thresholds.hang_tolerance_us) continue;
    if (pimsim::v1::Violation* v = rec.Add(i)) {
      v->set_message(absl::StrCat(t.client_aborted ? "gave up only after " : "waited ",
                                  Seconds(waited), " for ", Describe(a.event(i)),
                                  t.client_aborted ? "" : " until the server closed",
                                  " (tolerance ", Seconds(a.thresholds.hang_tolerance_us), ")"));
    }
  }
  rec.AddSamples(samples);
  rec.SetDetail(absl::StrCat(samples, " attempts without a response; longest wait ",
                             Seconds(longest)));
}

// Successful token grants per connection: more than 1 + token_grants_per_hour
// within any hour (tokens last 1 h, so earlier ones were still valid) is
// churn; one violation per episode.
void CheckTokenChurn(const Analysis& a, RuleRecorder& rec) {
  const std::vector<Attempt>& at = a.table.attempts;
  const uint32_t allowed = 1 + a.thresholds.token_grants_per_hour;
  std::vector<std::vector<uint32_t>> grants(a.table.connections.size());
  std::vector<size_t> head(a.table.connections.size());
  std::vector<bool> open(a.table.connections.size());
  uint64_t samples = 0;
  size_t peak = 0;
  for (size_t i = 0; i < at.size(); ++i) {
    const Attempt& t = at[i];
    if (!(t.route & kRouteToken) || t.status != 200) continue;
    ++samples;
    std::vector<uint32_t>& g = grants[t.connection];
    size_t& h = head[t.connection];
    g.push_back(static_cast<uint32_t>(i));
    while (at[g[h]].arrival_us <= t.arrival_us - kHour) ++h;
    const size_t in_hour = g.size() - h;
    peak = std::max(peak, in_hour);
    if (in_hour <= allowed) {
      open[t.connection] = false;
      continue;
    }
    if (open[t.connection]) continue;
    open[t.connection] = true;
    if (pimsim::v1::Violation* v = rec.Add(i)) {
      v->set_message(absl::StrCat(in_hour, " token grants within ",
                                  Seconds(t.arrival_us - at[g[h]].arrival_us), " on connection ",
                                  a.ConnectionName(i), " (tokens last 1 h; limit ", allowed,
                                  " per hour)"));
      rec.Evidence(v, absl::MakeConstSpan(g).subspan(h));
    }
  }
  rec.AddSamples(samples);
  rec.SetDetail(absl::StrCat(samples, " token grants; at most ", peak, " per connection in 1 h"));
}

// Per connection and window: first attempts of single-item writes to a
// collection with a batch PATCH (POST on the list, PATCH on an item). At
// least batch_single_writes of them in a window, with fewer batch PATCHes
// than singles, is one violation per run of such windows.
void CheckBatchUnused(const Analysis& a, RuleRecorder& rec) {
  const Thresholds& th = a.thresholds;
  const std::vector<Attempt>& at = a.table.attempts;
  struct State {
    int64_t window = -1;
    uint32_t singles = 0, batches = 0;
    bool in_run = false;
    std::vector<uint32_t> examples;
  };
  std::vector<State> states(a.table.connections.size());
  uint64_t windows = 0;
  auto finish = [&](State& s, int64_t next) {
    if (s.window >= 0 && (s.singles > 0 || s.batches > 0)) {
      ++windows;
      const bool flagged = s.singles >= th.batch_single_writes && s.batches < s.singles;
      if (flagged && !s.in_run) {
        const size_t i = s.examples.front();
        if (pimsim::v1::Violation* v = rec.Add(i)) {
          v->set_message(absl::StrCat(s.singles, " single-item writes in ", Seconds(th.window_us),
                                      " on connection ", a.ConnectionName(i), " (e.g. ",
                                      a.event(i).method(), " ", a.event(i).route(), "), ",
                                      s.batches, " batch PATCHes: use the collection endpoint"));
          rec.Evidence(v, s.examples);
        }
      }
      s.in_run = flagged && next == s.window + 1;
    }
    s.window = next;
    s.singles = s.batches = 0;
    s.examples.clear();
  };
  for (size_t i = 0; i < at.size(); ++i) {
    const Attempt& t = at[i];
    if (!(t.route & (kRouteSingleWrite | kRouteBatchWrite)) || a.chains.IsRetry(i)) continue;
    State& s = states[t.connection];
    const int64_t w = (t.arrival_us - a.table.start_us) / th.window_us;
    if (w != s.window) finish(s, w);
    if (t.route & kRouteBatchWrite) {
      ++s.batches;
    } else {
      ++s.singles;
      if (s.examples.size() < kMaxEvidence) s.examples.push_back(static_cast<uint32_t>(i));
    }
  }
  for (State& s : states) finish(s, -1);
  rec.AddSamples(windows);
  rec.SetDetail(absl::StrCat(windows, " connection windows with batchable writes"));
}

// Per connection and URL of reference data (channels, locales, currencies,
// families, attributes and options, categories): successful GETs without
// If-None-Match / If-Modified-Since. More than 1 + cache_repeats within
// 10 min is one violation per URL and episode. A successful write to the
// same collection on the instance (by anyone) starts the count afresh: the
// data changed.
void CheckCacheUnused(const Analysis& a, RuleRecorder& rec) {
  const std::vector<Attempt>& at = a.table.attempts;
  const uint32_t allowed = 1 + a.thresholds.cache_repeats;
  struct Key {
    std::vector<uint32_t> reads;
    size_t head = 0;
    uint64_t generation = 0;
    bool open = false;
  };
  absl::flat_hash_map<uint64_t, Key> keys;
  std::vector<uint64_t> generation(a.table.instances.size() * kReferenceCollections);
  uint64_t samples = 0;
  size_t peak = 0;
  for (size_t i = 0; i < at.size(); ++i) {
    const Attempt& t = at[i];
    if (t.reference_collection < 0) continue;
    const size_t gen_slot = t.instance * kReferenceCollections + t.reference_collection;
    if ((t.route & kRouteWrite) && Success(t)) {
      ++generation[gen_slot];
      continue;
    }
    if (!(t.route & kRouteReferenceRead) || t.conditional || t.status != 200) continue;
    ++samples;
    Key& k = keys[t.fingerprint];
    if (k.generation != generation[gen_slot]) {
      k.reads.clear();
      k.head = 0;
      k.open = false;
      k.generation = generation[gen_slot];
    }
    k.reads.push_back(static_cast<uint32_t>(i));
    while (at[k.reads[k.head]].arrival_us <= t.arrival_us - kCacheWindowUs) ++k.head;
    if (k.head > 64 && k.head * 2 > k.reads.size()) {
      k.reads.erase(k.reads.begin(), k.reads.begin() + k.head);
      k.head = 0;
    }
    const size_t in_window = k.reads.size() - k.head;
    peak = std::max(peak, in_window);
    if (in_window <= allowed) {
      k.open = false;
      continue;
    }
    if (k.open) continue;
    k.open = true;
    if (pimsim::v1::Violation* v = rec.Add(i)) {
      v->set_message(absl::StrCat(Describe(a.event(i)), " read ", in_window, " times in ",
                                  Seconds(t.arrival_us - at[k.reads[k.head]].arrival_us),
                                  " on connection ", a.ConnectionName(i),
                                  " without If-None-Match (limit ", allowed,
                                  " per 10 min): cache reference data"));
      rec.Evidence(v, absl::MakeConstSpan(k.reads).subspan(k.head));
    }
  }
  rec.AddSamples(samples);
  rec.SetDetail(absl::StrCat(samples, " reference-data reads; at most ", peak,
                             " of one URL in 10 min"));
}

}  // namespace pimsim::checker
