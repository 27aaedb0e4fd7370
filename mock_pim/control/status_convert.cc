#include "mock_pim/control/status_convert.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace pimsim::control {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const int code = static_cast<int>(status.code());
  // absl::StatusCode and grpc::StatusCode both number the canonical codes
  // OK = 0 ... UNAUTHENTICATED = 16.
  const grpc::StatusCode grpc_code = code > 0 && code <= grpc::StatusCode::UNAUTHENTICATED
                                         ? static_cast<grpc::StatusCode>(code)
                                         : grpc::StatusCode::UNKNOWN;
  return BoundedStatus(grpc_code, std::string(status.message()));
}

grpc::Status BoundedStatus(grpc::StatusCode code, std::string message) {
  if (message.size() > kMaxStatusMessageBytes) {
    const size_t full = message.size();
    message.resize(kMaxStatusMessageBytes);
    absl::StrAppend(&message, "... (", full, " bytes)");
  }
  return grpc::Status(code, std::move(message));
}

}  // namespace pimsim::control
