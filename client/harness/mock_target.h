// MockTarget: what a run needs of the mock it drives (its phases and limits,
// how many requests arrived, its verdict), whether the mock is embedded in
// `pimsim run` or reached over its control API.
//
// Thread-safety: implementations are safe to call from several threads.
#ifndef PIMSIM_CLIENT_HARNESS_MOCK_TARGET_H_
#define PIMSIM_CLIENT_HARNESS_MOCK_TARGET_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/limits.pb.h"
#include "proto/report.pb.h"

namespace pimsim::harness {

class MockTarget {
 public:
  virtual ~MockTarget() = default;
  // Makes `name` the current phase ("" for none).
  virtual absl::Status StartPhase(const std::string& name) = 0;
  // The limits in force on the instance, every default filled in.
  virtual absl::StatusOr<pimsim::v1::Limits> GetLimits(const std::string& instance) = 0;
  // Replaces the instance's limits (unset fields: the defaults).
  virtual absl::Status SetLimits(const std::string& instance, const pimsim::v1::Limits& limits) = 0;
  // Requests that arrived so far (a counter that only grows).
  virtual uint64_t RequestsArrived() = 0;
  // Now, in journal time: microseconds since the journal's epoch.
  virtual int64_t JournalMicros() = 0;
  // The verdict over the journal so far: a live snapshot, or final.
  virtual absl::StatusOr<pimsim::v1::Report> Report(bool final) = 0;
};

}  // namespace pimsim::harness

#endif  // PIMSIM_CLIENT_HARNESS_MOCK_TARGET_H_
