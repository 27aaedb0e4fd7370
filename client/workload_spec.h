// The reference workload of a scenario (pimsim.v1.ReferenceWorkload) checked
// and turned into the client's Policy. Pure; used by scenario validation,
// `pimsim run` and `pimsim workload`.
#ifndef PIMSIM_CLIENT_WORKLOAD_SPEC_H_
#define PIMSIM_CLIENT_WORKLOAD_SPEC_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/policy.h"
#include "proto/scenario.pb.h"

namespace pimsim::client {

// InvalidArgument "workload.reference.FIELD: reason" for the first field out
// of range; `connections` is how many the first instance has.
absl::Status ValidateReferenceWorkload(const pimsim::v1::ReferenceWorkload& w, int connections);

// The preset, then the overrides. InvalidArgument as above.
absl::StatusOr<Policy> PolicyFromProto(const pimsim::v1::ClientPolicy& p);

}  // namespace pimsim::client

#endif  // PIMSIM_CLIENT_WORKLOAD_SPEC_H_
