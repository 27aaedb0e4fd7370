// Importer: an NDJSON file of products (one object a line, as the batch
// endpoint takes them) upserted into a PIM through an AkeneoClient.
//
// Streams the file: lines are read only as batches need them, results are
// written as they arrive, so memory is bounded whatever the file's size.
// A line that is not a JSON object with a string key field is rejected
// here, without a request. Results: applied, rejected by the PIM (written
// with the PIM's message to the rejected stream as NDJSON), or failed (the
// client gave up on transient failures, or could not get a token).
//
// Thread-safety: none; on the scheduler's thread.
#ifndef PIMSIM_CLIENT_IMPORTER_H_
#define PIMSIM_CLIENT_IMPORTER_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "client/akeneo_client.h"
#include "client/batch_upserter.h"
#include "common/scheduler.h"

namespace pimsim::client {

struct ImportOptions {
  std::string collection = "/api/rest/v1/products";
  // The field naming an item: "identifier" for products, "code" otherwise.
  std::string key_field = "identifier";
  int batch_size = 100;
  // POST creates, one a request, instead of upserts.
  bool create = false;
  // Keep the keys of applied lines (for a check afterwards).
  bool keep_applied_keys = false;
};

struct ImportCounts {
  uint64_t lines = 0;  // non-empty lines read
  uint64_t applied = 0;
  uint64_t rejected = 0;  // by the PIM or as invalid lines
  uint64_t failed = 0;
  uint64_t bytes_read = 0;
  uint64_t batches = 0;
  uint64_t lines_retried = 0;
};

class Importer {
 public:
  // `rejected` may be null (rejected lines are then only counted).
  Importer(Scheduler& scheduler, AkeneoClient& client, ImportOptions options, std::istream& in,
           std::ostream* rejected);

  // Starts; `done` runs when every line has its result.
  void Start(std::function<void()> done);
  bool finished() const { return finished_; }
  const ImportCounts& counts() const;
  // With options.keep_applied_keys.
  const std::vector<std::string>& applied_keys() const { return applied_keys_; }
  // Why the first line that could not be applied was not ("" if none).
  const std::string& first_failure() const { return first_failure_; }

 private:
  bool Next(UpsertItem* item);
  void WriteRejected(uint64_t line, const std::string& key, int status, const std::string& message);

  Scheduler& scheduler_;
  AkeneoClient& client_;
  const ImportOptions options_;
  std::istream& in_;
  std::ostream* rejected_;
  BatchUpserter upserter_;
  mutable ImportCounts counts_;
  uint64_t line_no_ = 0;
  bool finished_ = false;
  std::vector<std::string> applied_keys_;
  std::string first_failure_;
};

}  // namespace pimsim::client

#endif  // PIMSIM_CLIENT_IMPORTER_H_
