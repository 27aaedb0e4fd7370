// Proto3 JSON with 64-bit integers written as JSON numbers.
//
// The proto3 JSON mapping writes int64, uint64, sint64, fixed64 and sfixed64
// as strings ("id": "17"), so that a reader whose numbers are doubles
// (JavaScript) loses no digit. The values pimsim writes (event ids, socket
// ids, microsecond times, counts) are far below 2^53, and strings make every
// consumer (jq, Python, dashboards) convert them. This prints a message with
// protobuf's MessageToJsonString and the caller's options (field names,
// whitespace, defaults), then writes every 64-bit integer whose magnitude is
// at most 2^53 (a double holds it exactly) as a number, and larger ones as
// strings, as proto3 allows. JsonStringToMessage accepts both forms, so the
// output reads back as the same message.
//
// The 64-bit fields are found by walking the message's Descriptor alongside
// the JSON: singular, repeated and map values, in nested messages, in the
// Int64Value/UInt64Value wrappers and in an Any whose type is in the
// message's descriptor pool. Map keys stay strings (JSON object keys).
//
// Two ways through, same result for compact output:
//   - a flat message (no message or map field, e.g. pimsim.v1.JournalEvent)
//     printed without whitespace is rewritten in one pass over the text;
//   - anything else is parsed into an nlohmann::ordered_json (field order
//     kept), rewritten and dumped again, in protobuf's layout (one-space
//     indent with add_whitespace). Strings are then escaped as JSON requires
//     and no more: "<" stays "<" where protobuf writes "\u003c".
// For a journal event the first adds ~15% to protobuf's own printing, the
// second doubles it (proto_json_benchmark.cc), which matters for a journal's
// million lines.
//
// Thread-safety: MessageToJson is a pure function; a ProtoJsonPrinter is
// immutable after construction and may be shared between threads.
//
//   google::protobuf::util::JsonPrintOptions options;
//   options.preserve_proto_field_names = true;
//   absl::StatusOr<std::string> json = MessageToJson(event, options);
//   // {"id":17,"instance":"main","socket_id":3,...}
#ifndef PIMSIM_COMMON_PROTO_JSON_H_
#define PIMSIM_COMMON_PROTO_JSON_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"

namespace pimsim {

// The largest magnitude written as a JSON number: 2^53.
inline constexpr uint64_t kMaxJsonSafeInteger = uint64_t{1} << 53;

// Prints messages of one type. Construct once, print many.
class ProtoJsonPrinter {
 public:
  ProtoJsonPrinter(const google::protobuf::Descriptor* descriptor,
                   const google::protobuf::util::JsonPrintOptions& options);

  // Appends the JSON of `message` (of the constructor's type) to `out`.
  // Fails only if protobuf cannot print it (e.g. a string field holding
  // invalid UTF-8), leaving `out` as it was.
  absl::Status Print(const google::protobuf::Message& message,
                     std::string* out) const;

 private:
  // Rewrites (*out)[start, end) in place. False if the text is not what a
  // flat message's compact JSON looks like; what it rewrote before noticing
  // is still valid JSON, and the caller falls back to the general path.
  bool RewriteFlat(std::string* out, size_t start) const;
  bool IsWideKey(const char* key, size_t size) const;

  const google::protobuf::Descriptor* descriptor_;
  google::protobuf::util::JsonPrintOptions options_;
  bool flat_;
  // JSON keys of the 64-bit integer fields, for the flat path.
  std::vector<std::string> wide_keys_;
};

// ProtoJsonPrinter(message.GetDescriptor(), options).Print(message, &json).
absl::StatusOr<std::string> MessageToJson(
    const google::protobuf::Message& message,
    const google::protobuf::util::JsonPrintOptions& options);

}  // namespace pimsim

#endif  // PIMSIM_COMMON_PROTO_JSON_H_
