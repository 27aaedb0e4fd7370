#include "checker/retry_chains.h"

#include "absl/container/flat_hash_map.h"

namespace pimsim::checker {
namespace {

struct FingerprintState {
  int32_t last = -1;
  // The same-fingerprint attempt that ends last so far.
  int32_t longest = -1;
};

}  // namespace

RetryChains BuildRetryChains(const AttemptTable& table, int64_t epsilon_us) {
  const std::vector<Attempt>& at = table.attempts;
  const size_t n = at.size();
  RetryChains rc;
  rc.prev_same.assign(n, -1);
  rc.chain.assign(n, 0);
  rc.retry_index.assign(n, 0);
  rc.duplicate_of.assign(n, -1);
  absl::flat_hash_map<uint64_t, FingerprintState> state;
  state.reserve(n / 4 + 16);
  for (size_t i = 0; i < n; ++i) {
    const Attempt& a = at[i];
    FingerprintState& s = state[a.fingerprint];
    rc.prev_same[i] = s.last;
    bool retry = false;
    if (s.last >= 0) {
      const Attempt& p = at[s.last];
      retry = p.failed && a.arrival_us >= p.end_us - epsilon_us &&
              a.arrival_us - p.response_us <= kRetryChainMaxGapUs;
    }
    if (s.longest >= 0 && at[s.longest].end_us > a.arrival_us + epsilon_us) {
      rc.duplicate_of[i] = s.longest;
    }
    if (retry) {
      const uint32_t c = rc.chain[s.last];
      rc.chain[i] = c;
      rc.retry_index[i] = rc.retry_index[s.last] + 1;
      rc.chains[c].last = static_cast<uint32_t>(i);
      ++rc.chains[c].attempts;
      ++rc.retries;
    } else {
      rc.chain[i] = static_cast<uint32_t>(rc.chains.size());
      rc.chains.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(i), 1});
    }
    s.last = static_cast<int32_t>(i);
    if (s.longest < 0 || at[s.longest].end_us < a.end_us) s.longest = static_cast<int32_t>(i);
  }
  return rc;
}

}  // namespace pimsim::checker
