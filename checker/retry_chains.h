// RetryChains: which attempts are retries of which, from the journal alone.
//
// Attempts with the same fingerprint (PIM connection + method + normalized
// path + body hash) are "the same request". An attempt is a retry when the
// previous same-fingerprint attempt failed (408, 429, 5xx, no response,
// client abort, cut response), had ended by the time it arrived (within
// epsilon), and it arrived at most 15 minutes after that failure. A retry
// chain is a first attempt and its retries; a same-fingerprint attempt after
// a success, or after a longer pause, starts a new chain (a "repeat").
//
// The same pass finds duplicates: an attempt that arrives while an earlier
// same-fingerprint attempt is still in flight (its end more than epsilon
// after the arrival).
//
// Thread-safety: immutable after BuildRetryChains.
//
//   RetryChains rc = BuildRetryChains(table, thresholds.epsilon_us);
//   if (rc.retry_index[i] == 1) gap = a.arrival_us - attempts[rc.prev_same[i]].response_us;
#ifndef PIMSIM_CHECKER_RETRY_CHAINS_H_
#define PIMSIM_CHECKER_RETRY_CHAINS_H_

#include <cstdint>
#include <vector>

#include "checker/attempts.h"

namespace pimsim::checker {

inline constexpr int64_t kRetryChainMaxGapUs = 15 * 60 * 1'000'000LL;

struct Chain {
  uint32_t first = 0;  // attempt indexes
  uint32_t last = 0;
  uint32_t attempts = 0;
};

struct RetryChains {
  // Per attempt: the previous attempt with the same fingerprint, or -1.
  std::vector<int32_t> prev_same;
  // Per attempt: its chain.
  std::vector<uint32_t> chain;
  // Per attempt: 0 for a first attempt, k for the k-th retry.
  std::vector<uint32_t> retry_index;
  // Per attempt: an earlier same-fingerprint attempt still in flight at its
  // arrival (the one ending last), or -1.
  std::vector<int32_t> duplicate_of;
  std::vector<Chain> chains;
  uint64_t retries = 0;

  bool IsRetry(size_t i) const { return retry_index[i] > 0; }
};

RetryChains BuildRetryChains(const AttemptTable& table, int64_t epsilon_us);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_RETRY_CHAINS_H_
