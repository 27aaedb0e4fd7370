#include "report/json_report.h"

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/proto_json.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace pimsim::report {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

// "RuleOutcome" -> "RULE_OUTCOME_".
std::string EnumPrefix(const EnumDescriptor* e) {
  std::string out;
  for (char c : e->name()) {
    if (absl::ascii_isupper(c) && !out.empty()) out += '_';
    out += absl::ascii_toupper(c);
  }
  return out + "_";
}

// Rewrites the enum fields of `doc`, the JSON form of a message of type
// `d`, with `map` (value name -> word, or back).
void MapEnums(const Descriptor* d, nlohmann::ordered_json* doc,
              const std::function<std::string(const EnumDescriptor*, const std::string&)>& map) {
  if (!doc->is_object()) return;
  for (auto& [key, value] : doc->items()) {
    const FieldDescriptor* f = d->FindFieldByName(key);
    if (f == nullptr) continue;
    auto visit = [&](nlohmann::ordered_json* v) {
      if (f->type() == FieldDescriptor::TYPE_ENUM && v->is_string()) {
        *v = map(f->enum_type(), v->get<std::string>());
      } else if (f->type() == FieldDescriptor::TYPE_MESSAGE) {
        if (f->is_map()) {
          const FieldDescriptor* mapped = f->message_type()->map_value();
          if (mapped->type() != FieldDescriptor::TYPE_MESSAGE || !v->is_object()) return;
          for (auto& [k, entry] : v->items()) MapEnums(mapped->message_type(), &entry, map);
        } else {
          MapEnums(f->message_type(), v, map);
        }
      }
    };
    if (f->is_repeated() && !f->is_map() && value.is_array()) {
      for (auto& element : value) visit(&element);
    } else {
      visit(&value);
    }
  }
}

std::string Word(const EnumDescriptor* e, const std::string& name) {
  const std::string prefix = EnumPrefix(e);
  std::string word = absl::StartsWith(name, prefix) ? name.substr(prefix.size()) : name;
  // The verdict is shouted (PASS, FAIL, ERROR); every other enum is a word.
  if (e->name() != "Verdict") absl::AsciiStrToLower(&word);
  return word;
}

}  // namespace

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
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(*json, nullptr, false);
  if (doc.is_discarded()) return absl::InternalError("rendering the report as JSON: bad JSON");
  MapEnums(pimsim::v1::Report::descriptor(), &doc, Word);
  std::string plain = doc.dump(1);
  if (plain.empty() || plain.back() != '\n') plain.push_back('\n');
  return plain;
}

absl::StatusOr<pimsim::v1::Report> ParseJson(const std::string& json) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(json, nullptr, false);
  if (doc.is_discarded()) return absl::InvalidArgumentError("not a pimsim report: not JSON");
  MapEnums(pimsim::v1::Report::descriptor(), &doc,
           [](const EnumDescriptor* e, const std::string& word) {
             for (int k = 0; k < e->value_count(); ++k) {
               if (Word(e, e->value(k)->name()) == word) return e->value(k)->name();
             }
             return word;  // the proto name itself, or an error below
           });
  pimsim::v1::Report report;
  auto status = google::protobuf::util::JsonStringToMessage(doc.dump(), &report);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("not a pimsim report: ", status.ToString()));
  }
  return report;
}

}  // namespace pimsim::report
