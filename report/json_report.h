// The JSON form of a compliance Report: the proto3 JSON mapping of
// pimsim.v1.Report, with the .proto field names (`rule`, `time_us`,
// `event_ids`) and every field present even when zero or empty, so scripts
// can read `verdict` and `violations[].rule` without guarding for absence.
//
// Enums are plain words: the verdict in capitals ("verdict": "PASS", "FAIL",
// "ERROR"), every other enum in lower case without its type's prefix
// ("severity": "error", "outcome": "violated", "undecided"). Durations are
// strings ("119.731s"). 64-bit integers are JSON numbers ("time_us":
// 1717000041203000) up to 2^53 in magnitude and strings beyond, as proto3
// allows (common/proto_json.h). ParseJson reads it back.
//
// Thread-safety: pure function.
//
//   absl::StatusOr<std::string> json = pimsim::report::RenderJson(report);
//   if (!json.ok()) return json.status();
//   std::cout << *json;
#ifndef PIMSIM_REPORT_JSON_REPORT_H_
#define PIMSIM_REPORT_JSON_REPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/report.pb.h"

namespace pimsim::report {

// Indented JSON ending in a newline. Fails only if protobuf cannot print the
// message (e.g. a string field holding invalid UTF-8).
absl::StatusOr<std::string> RenderJson(const pimsim::v1::Report& report);

// The Report a RenderJson output holds; InvalidArgument for anything else.
absl::StatusOr<pimsim::v1::Report> ParseJson(const std::string& json);

}  // namespace pimsim::report

#endif  // PIMSIM_REPORT_JSON_REPORT_H_
