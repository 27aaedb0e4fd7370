// WorkloadDriver: a built-in workload of the reference client
// (pimsim.v1.ReferenceWorkload): a catalogue import by batches, an
// attribute-option sync, catalogue reads page by page, or a mix, in a
// closed model (N operations in flight) or an open one (operations arrive
// at a rate, Poisson, whether or not earlier ones finished).
//
// An operation is one logical request through the AkeneoClient (which does
// the throttling, pacing and retries): a batch PATCH of products (its lines
// with a transient status_code come back as a later batch), one option
// upsert, one product read, or one pass over the catalogue. Products are
// "pimsim-<n>" with no family; options belong to the simple-select
// attribute "pimsim_sync", upserted first.
//
// Pure like the client core: time from the Scheduler, so tests run it in
// simulated time against testing/fake_pim and `pimsim workload` on CurlLoop.
//
// Thread-safety: none; on the scheduler's thread.
#ifndef PIMSIM_CLIENT_WORKLOAD_H_
#define PIMSIM_CLIENT_WORKLOAD_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "client/akeneo_client.h"
#include "common/scheduler.h"
#include "common/random.h"
#include "proto/scenario.pb.h"

namespace pimsim::client {

class WorkloadDriver {
 public:
  struct Counts {
    uint64_t operations = 0;  // planned
    uint64_t started = 0;
    uint64_t finished = 0;
    // Items: products and options written, product reads, catalogue passes.
    uint64_t applied = 0;
    uint64_t rejected = 0;  // by the PIM (4xx)
    uint64_t failed = 0;    // retries given up, or no answer
  };

  WorkloadDriver(Scheduler& scheduler, AkeneoClient& client,
                 const pimsim::v1::ReferenceWorkload& spec, uint64_t seed);

  // Starts; `done` runs once every operation has finished.
  void Start(std::function<void()> done);
  bool finished() const { return finished_; }
  const Counts& counts() const { return counts_; }
  // The first thing that failed or was rejected, for the summary.
  const std::string& first_problem() const { return first_problem_; }
  // The batch size, the kind's name, ... for the summary.
  std::string Describe() const;

 private:
  enum class Op { kBatch, kRead, kOption, kPass };
  struct Batch {
    std::vector<uint64_t> products;
    int attempts = 0;
  };

  void Setup(std::function<void()> then);
  Op KindOf(uint64_t index) const;
  bool HasNext() const;
  void StartNext();
  void Fill();
  void Arrive();
  void Finish();
  void Note(const std::string& problem);
  void RunBatch(Batch batch);
  void RunRead();
  void RunOption();
  void RunPass();
  static std::string ProductJson(uint64_t n);

  Scheduler& scheduler_;
  AkeneoClient& client_;
  const pimsim::v1::ReferenceWorkload spec_;
  SplitMix64 rng_;
  std::function<void()> done_;
  Counts counts_;
  std::string first_problem_;
  bool finished_ = false;
  bool ready_ = false;  // setup done
  int batch_size_;
  uint64_t products_;
  uint64_t batches_;     // batch operations planned (first sends)
  uint64_t options_;
  uint64_t passes_;
  uint64_t next_index_ = 0;  // operations started from the plan
  uint64_t next_product_ = 0;
  uint64_t next_option_ = 0;
  uint64_t applied_products_ = 0;
  std::deque<Batch> retry_batches_;  // lines to send again, ready
  int waiting_retries_ = 0;          // lines' retries not yet ready
  int in_flight_ = 0;
  int workers_ = 0;                  // closed model; 0 in the open model
  uint64_t arrived_ = 0;             // open model: operations released
};

}  // namespace pimsim::client

#endif  // PIMSIM_CLIENT_WORKLOAD_H_
