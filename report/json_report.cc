#include "report/json_report.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/proto_json.h"
#include "google/protobuf/util/json_util.h"

namespace pimsim::report {

absl::StatusOr<std::string> RenderJson(const pimsim::v1::Report& report) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  absl::StatusOr<std::string> json = MessageToJson(report, options);
  if (!json.ok()) {
    return absl::Status(json.status().code(),
                        absl::StrCat("rendering the report as JSON: ",
                                     json.status().message()));
  }
  if (json->empty() || json->back() != '\n') json->push_back('\n');
  return json;
}

}  // namespace pimsim::report
