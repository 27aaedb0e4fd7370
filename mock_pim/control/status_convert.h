// ToGrpcStatus: the one place an absl::Status becomes a grpc::Status, at the
// boundary of the control service. The two code spaces are the same canonical
// codes (0..16), so the code is kept and the message copied, cut to
// kMaxStatusMessageBytes: a message quotes what the request held, and a
// status travels in a trailer of bounded size.
//
// Thread-safety: a pure function.
//
//   absl::StatusOr<Limits> limits = pim.GetLimits(name);
//   if (!limits.ok()) return ToGrpcStatus(limits.status());
#ifndef PIMSIM_MOCK_PIM_CONTROL_STATUS_CONVERT_H_
#define PIMSIM_MOCK_PIM_CONTROL_STATUS_CONVERT_H_

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace pimsim::control {

inline constexpr size_t kMaxStatusMessageBytes = 1024;

// OK stays OK; any code outside the canonical range becomes UNKNOWN.
grpc::Status ToGrpcStatus(const absl::Status& status);

// A grpc::Status with `message` cut to kMaxStatusMessageBytes.
grpc::Status BoundedStatus(grpc::StatusCode code, std::string message);

}  // namespace pimsim::control

#endif  // PIMSIM_MOCK_PIM_CONTROL_STATUS_CONVERT_H_
