#include "report/json_report.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace pimsim::report {

absl::StatusOr<std::string> RenderJson(const pimsim::v1::Report& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status =
      google::protobuf::util::MessageToJsonString(report, &json, options);
  if (!status.ok()) {
    // Debian 12's protobuf has its own Status type: translate at the edge.
    return absl::InternalError(absl::StrCat("rendering the report as JSON: ",
                                            std::string(status.message())));
  }
  if (json.empty() || json.back() != '\n') json += '\n';
  return json;
}

}  // namespace pimsim::report
