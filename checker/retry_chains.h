// RetryChains: which attempts are retries of which, from the journal alone,
// told apart from the independent repeats real integrations send (a sync
// reading a product twice, a list page polled, an upsert sent again).
//
// Attempts with the same fingerprint (PIM connection + method + normalized
// path + body hash) are "the same request". For each attempt F the journal
// gives its *successor*: the first same-fingerprint attempt that arrived
// once F's outcome was visible to the client (at or after F's response was
// handed over; for an attempt the client abandoned, epsilon before the mock
// noticed). Nothing that arrived earlier can be a reaction to F. A retry of
// a failed F can only be its successor.
//
// Whether the successor is F's retry or an independent repeat is a matter of
// evidence, measured as the *repeat chance*: how likely an independent
// repeat of F's request would have arrived that soon anyway. It comes from
// what the client does after successes, which it never retries: for every
// success s, the delay from s's response to the next same-fingerprint
// arrival (0 when one arrived while s was in flight). Pooled over the PIM
// connection, over the attempt's kind (connection, method, route) and over
// its own fingerprint, each level shrunk towards the one above:
//
//   G_conn(w) = (m_conn(w) + 1/2) / (n_conn(w) + 1)
//   G_kind(w) = (m_kind(w) + 2 G_conn(w)) / (n_kind(w) + 2)
//   chance(F, w) = (m_fp(w) + 2 G_kind(w)) / (n_fp(w) + 2)
//
// where m(w) counts successes followed by a repeat within w and n(w) the
// successes observed for at least w before the journal ends (or repeated
// within it); token requests count for their kind only. It is exactly 0
// when the connection (or the kind) has at least kQuietSamples successes
// and none was ever followed by a repeat: that client does not repeat such
// requests, so a request of its that comes again after a failure is a
// retry. It is 1 when F overlapped another attempt of its fingerprint (sent
// in parallel with itself: its repeats cannot be told from its retries).
//
// A successor is *linked* as F's retry (retry chains, retry_index, IsRetry)
// when F failed, it came within kRetryChainMaxGapUs and the repeat chance
// at its gap is at most kLinkChanceMax. A chain whose first attempt was the
// unlinked successor of a failure is *tainted* (its retry indexes may be
// shifted). The rules use chance() directly: per-event rules compare the
// events they would flag with what repeats explain (ExcessTest in
// analysis.h); statistical rules score linked retries of untainted chains
// and stay undecided where too many candidates were left out.
//
// The same pass finds duplicates: an attempt that arrives while an earlier
// same-fingerprint attempt is still in flight (its end more than epsilon
// after the arrival).
//
// Thread-safety: immutable after BuildRetryChains.
//
//   RetryChains rc = BuildRetryChains(table, thresholds.epsilon_us);
//   int32_t s = rc.successor[f];
//   if (s >= 0 && rc.RepeatChance(f, gap) == 0) ...  // certainly f's retry
#ifndef PIMSIM_CHECKER_RETRY_CHAINS_H_
#define PIMSIM_CHECKER_RETRY_CHAINS_H_

#include <cstdint>
#include <vector>

#include "checker/attempts.h"

namespace pimsim::checker {

inline constexpr int64_t kRetryChainMaxGapUs = 15 * 60 * 1'000'000LL;
// Successes of a connection or a kind, none ever repeated, that make its
// repeat chance exactly 0.
inline constexpr uint32_t kQuietSamples = 10;
// Highest repeat chance at which a successor is linked as a retry.
inline constexpr double kLinkChanceMax = 0.05;

struct Chain {
  uint32_t first = 0;  // attempt indexes
  uint32_t last = 0;
  uint32_t attempts = 0;
  // The first attempt was a failure's successor that could not be linked.
  bool tainted = false;
};

class RetryChains {
 public:
  // Per attempt: its successor (see above), or -1.
  std::vector<int32_t> successor;
  // Per attempt: the attempt whose successor it is (the one that ended last
  // if several), or -1.
  std::vector<int32_t> follows;
  // Per attempt: its chain (linked retries only).
  std::vector<uint32_t> chain;
  // Per attempt: 0 for a first attempt, k for the k-th linked retry.
  std::vector<uint32_t> retry_index;
  // Per attempt: an earlier same-fingerprint attempt still in flight at its
  // arrival (the one ending last), or -1.
  std::vector<int32_t> duplicate_of;
  // Per attempt: it overlapped another attempt of its fingerprint.
  std::vector<bool> overlapped;
  std::vector<Chain> chains;
  uint64_t retries = 0;

  bool IsRetry(size_t i) const { return retry_index[i] > 0; }
  // follows[i] failed and i came within kRetryChainMaxGapUs: i may be its
  // retry, linked or not.
  bool Candidate(size_t i) const { return candidate_[i]; }

  // How likely an independent repeat of attempt f's request arrives within
  // `within_us` of f's response, in [0, 1] (see above).
  double RepeatChance(size_t f, int64_t within_us) const {
    return RepeatChanceSplit(f, within_us).total();
  }
  // The same, split into what the observed repeats give (a distribution
  // over the delay: `observed` grows with the window) and what the prior
  // pseudo-count adds (which says nothing about the delay).
  struct Chance {
    double observed = 0;
    double prior = 0;
    double total() const { return observed + prior; }
  };
  Chance RepeatChanceSplit(size_t f, int64_t within_us) const;

 private:
  friend RetryChains BuildRetryChains(const AttemptTable& table, int64_t epsilon_us);

  // Repeat delays after successes, of one kind or one fingerprint.
  struct Repeats {
    std::vector<int64_t> delays;  // sorted: successes repeated after that delay
    std::vector<int64_t> spans;   // sorted: successes never repeated, observed that long
    // Successes followed by a repeat within w, and successes observed for w.
    void Count(int64_t w, uint64_t* m, uint64_t* n) const;
    // At least kQuietSamples successes and not one repeated.
    bool Quiet() const;
  };

  // The same for each fingerprint, flat: fingerprint g's delays are
  // fp_delays_[fp_delays_end_[g - 1], fp_delays_end_[g]) (from 0 for g = 0),
  // its spans likewise; one pair of arrays, not two vectors a fingerprint
  // (an import sends a million distinct requests).
  struct FlatRepeats {
    std::vector<int64_t> delays, spans;
    std::vector<uint32_t> delays_end, spans_end;
    void Count(size_t g, int64_t w, uint64_t* m, uint64_t* n) const;
  };

  std::vector<bool> candidate_;
  std::vector<uint32_t> fp_of_;  // attempt -> fingerprint index into fp_repeats_
  FlatRepeats fp_repeats_;
  std::vector<Repeats> kind_repeats_;
  std::vector<uint32_t> kind_of_;
  std::vector<Repeats> connection_repeats_;
  std::vector<uint32_t> connection_of_;
};

RetryChains BuildRetryChains(const AttemptTable& table, int64_t epsilon_us);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_RETRY_CHAINS_H_
