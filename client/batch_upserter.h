// BatchUpserter: streams upserts through an AkeneoClient, in batches.
//
// Items (one JSON object each, as the batch endpoint takes them) are pulled
// from a source only as batches are needed, so memory stays bounded whatever
// the source's size. With batch_size > 1 they go as NDJSON in PATCH
// {collection} (Akeneo's batch upsert, at most 100 lines); each result line
// is read: 201/204 applied, a transient status_code (429, 5xx) sent again in
// a later batch after a backoff, any other status rejected with the PIM's
// message. With batch_size 1 each item is a PATCH {collection}/{key}. A
// whole batch that fails is retried by the client core (a PATCH upsert is
// idempotent); one that gives up leaves its items failed. With `create`
// each item is a POST {collection} instead (a create, which the client
// reads back after an ambiguous failure rather than send blindly again).
//
// Thread-safety: none; on the scheduler's thread like the client.
//
//   BatchUpserter up(scheduler, client, "/api/rest/v1/products", 100);
//   up.Run(next_item, [](const ItemResult& r) { ... }, [] { /* all done */ });
#ifndef PIMSIM_CLIENT_BATCH_UPSERTER_H_
#define PIMSIM_CLIENT_BATCH_UPSERTER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "client/akeneo_client.h"
#include "common/scheduler.h"

namespace pimsim::client {

struct UpsertItem {
  uint64_t line = 0;  // where it came from (a file's line number)
  std::string key;    // identifier or code: the URL of a single upsert
  std::string json;   // the object, on one line
  int attempts = 0;   // batches it was sent in
};

struct ItemResult {
  enum State { kApplied, kRejected, kFailed };
  State state = kFailed;
  UpsertItem item;
  int status = 0;       // the line's status_code (or the single upsert's status)
  std::string message;  // the PIM's result line or answer, or what went wrong
};

// What became of an item written by a whole call: applied (2xx), rejected
// (a 4xx answer, the PIM judged it), or failed (no answer, a 5xx, or the
// client gave up).
ItemResult::State StateOf(const Outcome& o);

// What becomes of one line of a batch answer with `status_code` `status`
// (0: no line for it), sent `attempts` times: applied, sent again (a
// transient status or no line, attempts left), failed (the same, none
// left) or rejected.
enum class LineFate { kApplied, kRetry, kFailed, kRejected };
LineFate FateOf(int status, int attempts, int max_attempts);

// The result lines of a batch PATCH of `items` lines, by line (index 0 for
// line 1): the status_code (0 when the answer had no line for it) and the
// line's text.
struct BatchLine {
  int status = 0;
  std::string text;
};
std::vector<BatchLine> ParseBatchResult(const std::string& body, size_t items);

class BatchUpserter {
 public:
  // At most 100 lines a batch: the endpoint's limit.
  static constexpr int kMaxBatch = 100;

  // `max_outstanding` 0: twice what the client may have in flight.
  BatchUpserter(Scheduler& scheduler, AkeneoClient& client, std::string collection,
                int batch_size, int max_outstanding = 0, bool create = false);

  // `next` fills an item and returns true, or returns false at the end.
  // `on_result` runs once per item; `done` once, when every item has one.
  void Run(std::function<bool(UpsertItem*)> next, std::function<void(const ItemResult&)> on_result,
           std::function<void()> done);

  uint64_t batches_sent() const { return batches_sent_; }
  uint64_t lines_retried() const { return lines_retried_; }

 private:
  void Fill();
  void SendBatch(std::vector<UpsertItem> items);
  void OnBatch(std::vector<UpsertItem> items, const Outcome& o);
  void OnSingle(UpsertItem item, const Outcome& o);
  void RetryLater(UpsertItem item);
  void MaybeDone();

  Scheduler& scheduler_;
  AkeneoClient& client_;
  const std::string collection_;
  const int batch_size_;
  const bool create_;
  int max_outstanding_;
  SplitMix64 rng_{0x5eed};
  std::function<bool(UpsertItem*)> next_;
  std::function<void(const ItemResult&)> on_result_;
  std::function<void()> done_;
  bool source_done_ = false;
  int outstanding_ = 0;    // batches sent, not answered
  int waiting_ = 0;        // items waiting for their retry time
  std::deque<UpsertItem> retry_ready_;
  uint64_t batches_sent_ = 0;
  uint64_t lines_retried_ = 0;
  bool finished_ = false;
  bool filling_ = false;
};

}  // namespace pimsim::client

#endif  // PIMSIM_CLIENT_BATCH_UPSERTER_H_
