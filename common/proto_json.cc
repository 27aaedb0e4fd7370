#include "common/proto_json.h"

#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace pimsim {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using Json = nlohmann::ordered_json;

bool IsWide(const FieldDescriptor* field) {
  return field->cpp_type() == FieldDescriptor::CPPTYPE_INT64 ||
         field->cpp_type() == FieldDescriptor::CPPTYPE_UINT64;
}

// The value of a 64-bit integer as protobuf prints it (an optional '-', then
// digits without a leading zero) when its magnitude is at most 2^53; nullopt
// for any other text. 2^53 has 16 digits, so the sum below cannot overflow.
std::optional<int64_t> SafeInteger(absl::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > 16 || (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > kMaxJsonSafeInteger) return std::nullopt;
  const int64_t magnitude = static_cast<int64_t>(value);
  return negative ? -magnitude : magnitude;
}

void RewriteMessage(const Descriptor* descriptor, bool proto_names,
                    Json* value);

void RewriteSingle(const FieldDescriptor* field, bool proto_names,
                   Json* value) {
  if (IsWide(field)) {
    if (!value->is_string()) return;
    if (const std::optional<int64_t> number =
            SafeInteger(value->get_ref<const std::string&>())) {
      *value = *number;
    }
  } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    RewriteMessage(field->message_type(), proto_names, value);
  }
}

// An Any prints as {"@type": "type.googleapis.com/pkg.Msg", <Msg's fields>},
// or with {"value": <special JSON>} for a well-known type.
void RewriteAny(const Descriptor* any, bool proto_names, Json* value) {
  if (!value->is_object()) return;
  const auto type = value->find("@type");
  if (type == value->end() || !type->is_string()) return;
  const std::string& url = type->get_ref<const std::string&>();
  const Descriptor* inner = any->file()->pool()->FindMessageTypeByName(
      url.substr(url.rfind('/') + 1));
  if (inner == nullptr) return;
  if (inner->well_known_type() == Descriptor::WELLKNOWNTYPE_UNSPECIFIED) {
    RewriteMessage(inner, proto_names, value);
    return;
  }
  const auto wrapped = value->find("value");
  if (wrapped != value->end()) RewriteMessage(inner, proto_names, &*wrapped);
}

void RewriteMessage(const Descriptor* descriptor, bool proto_names,
                    Json* value) {
  switch (descriptor->well_known_type()) {
    case Descriptor::WELLKNOWNTYPE_UNSPECIFIED:
      break;
    case Descriptor::WELLKNOWNTYPE_INT64VALUE:
    case Descriptor::WELLKNOWNTYPE_UINT64VALUE:
      // A wrapper prints as its bare value.
      RewriteSingle(descriptor->field(0), proto_names, value);
      return;
    case Descriptor::WELLKNOWNTYPE_ANY:
      RewriteAny(descriptor, proto_names, value);
      return;
    default:
      // Duration, Timestamp, FieldMask, Struct, Value, ListValue and the
      // other wrappers print as strings, numbers or free JSON: nothing here
      // is a 64-bit field.
      return;
  }
  if (!value->is_object()) return;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const auto found =
        value->find(proto_names ? field->name() : field->json_name());
    if (found == value->end()) continue;
    if (field->is_map()) {
      if (!found->is_object()) continue;
      const FieldDescriptor* map_value = field->message_type()->map_value();
      for (auto entry = found->begin(); entry != found->end(); ++entry) {
        RewriteSingle(map_value, proto_names, &entry.value());
      }
    } else if (field->is_repeated()) {
      if (!found->is_array()) continue;
      for (Json& element : *found) {
        RewriteSingle(field, proto_names, &element);
      }
    } else {
      RewriteSingle(field, proto_names, &*found);
    }
  }
}

}  // namespace

ProtoJsonPrinter::ProtoJsonPrinter(
    const Descriptor* descriptor,
    const google::protobuf::util::JsonPrintOptions& options)
    : descriptor_(descriptor),
      options_(options),
      flat_(!options.add_whitespace) {
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) flat_ = false;
    if (IsWide(field)) {
      wide_keys_.push_back(options.preserve_proto_field_names
                               ? field->name()
                               : field->json_name());
    }
  }
}

absl::Status ProtoJsonPrinter::Print(const google::protobuf::Message& message,
                                     std::string* out) const {
  if (message.GetDescriptor() != descriptor_) {
    return absl::InvalidArgumentError(
        absl::StrCat("a printer of ", descriptor_->full_name(),
                     " cannot print a ", message.GetTypeName()));
  }
  const size_t start = out->size();
  const auto status =
      google::protobuf::util::MessageToJsonString(message, out, options_);
  if (!status.ok()) {
    out->resize(start);
    // Debian 12's protobuf has its own Status type: translate at the edge.
    return absl::InternalError(absl::StrCat(
        message.GetTypeName(), " to JSON: ", std::string(status.message())));
  }
  if (flat_ && RewriteFlat(out, start)) return absl::OkStatus();

  Json doc = Json::parse(out->begin() + static_cast<std::ptrdiff_t>(start),
                         out->end(), /*cb=*/nullptr,
                         /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    out->resize(start);
    return absl::InternalError(absl::StrCat(
        message.GetTypeName(), " to JSON: protobuf printed malformed JSON"));
  }
  RewriteMessage(descriptor_, options_.preserve_proto_field_names, &doc);
  out->resize(start);
  // Protobuf's layout: one-space indent, and a final newline.
  out->append(doc.dump(options_.add_whitespace ? 1 : -1, ' ',
                       /*ensure_ascii=*/false, Json::error_handler_t::replace));
  if (options_.add_whitespace) out->push_back('\n');
  return absl::OkStatus();
}

bool ProtoJsonPrinter::IsWideKey(const char* key, size_t size) const {
  for (const std::string& wide : wide_keys_) {
    if (wide.size() == size && std::memcmp(wide.data(), key, size) == 0) {
      return true;
    }
  }
  return false;
}

// Compact JSON of a flat message is {"key":value,...} where a value is a
// string, a bare literal (number, true, false) or an array of those. The text
// is compacted in place: `r` reads, `w` writes, and a rewritten value only
// loses its two quotes, so w never passes r.
bool ProtoJsonPrinter::RewriteFlat(std::string* out, size_t start) const {
  char* s = out->data();
  const size_t end = out->size();
  size_t r = start, w = start;
  // s[end] is the string's terminating NUL, which matches no delimiter.
  const auto put = [&](size_t n) {
    if (w != r) std::memmove(s + w, s + r, n);
    w += n;
    r += n;
  };
  const auto finish = [&](bool ok) {
    put(end - r);
    out->resize(w);
    return ok;
  };
  // One past the closing quote of the string opening at s[i], or 0.
  const auto string_end = [&](size_t i) -> size_t {
    for (++i; i < end; ++i) {
      if (s[i] == '\\') {
        ++i;
      } else if (s[i] == '"') {
        return i + 1;
      }
    }
    return 0;
  };

  if (s[r] != '{') return finish(false);
  put(1);
  if (s[r] == '}') {
    put(1);
    return finish(r == end);
  }
  while (true) {
    if (s[r] != '"') return finish(false);
    const size_t key_end = string_end(r);
    if (key_end == 0 || s[key_end] != ':') return finish(false);
    const bool wide = IsWideKey(s + r + 1, key_end - r - 2);
    put(key_end + 1 - r);
    const bool array = s[r] == '[';
    if (array) put(1);
    if (!array || s[r] != ']') {
      while (true) {
        if (s[r] == '"') {
          const size_t value_end = string_end(r);
          if (value_end == 0) return finish(false);
          if (wide &&
              SafeInteger(absl::string_view(s + r + 1, value_end - r - 2))) {
            ++r;  // drop the quotes
            put(value_end - 1 - r);
            ++r;
          } else {
            put(value_end - r);
          }
        } else {
          size_t literal_end = r;
          while (literal_end < end && s[literal_end] != ',' &&
                 s[literal_end] != ']' && s[literal_end] != '}') {
            ++literal_end;
          }
          if (literal_end == r) return finish(false);
          put(literal_end - r);
        }
        if (!array) break;
        if (s[r] == ',') {
          put(1);
          continue;
        }
        break;
      }
    }
    if (array) {
      if (s[r] != ']') return finish(false);
      put(1);
    }
    if (s[r] == ',') {
      put(1);
      continue;
    }
    if (s[r] != '}') return finish(false);
    put(1);
    return finish(r == end);
  }
}

absl::StatusOr<std::string> MessageToJson(
    const google::protobuf::Message& message,
    const google::protobuf::util::JsonPrintOptions& options) {
  std::string json;
  const absl::Status status =
      ProtoJsonPrinter(message.GetDescriptor(), options).Print(message, &json);
  if (!status.ok()) return status;
  return json;
}

}  // namespace pimsim
