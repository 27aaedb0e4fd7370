#include "mock_pim/api/json_util.h"

#include "common/utf8.h"

namespace pimsim::api {

std::optional<Json> ParseJson(std::string_view text) {
  Json value = Json::parse(text.begin(), text.end(), /*cb=*/nullptr,
                           /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false,
                    nlohmann::json::error_handler_t::replace);
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t plain_start = 0;
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Bytes from a request need not be UTF-8; JSON text must be.
      const utf8::Utf8Sequence seq = utf8::NextUtf8Sequence(s.substr(i));
      if (!seq.valid) {
        out->append(s.data() + plain_start, i - plain_start);
        out->append(utf8::kReplacement);
        plain_start = i + seq.size;
      }
      i += seq.size;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out->append(s.data() + plain_start, i - plain_start);
    plain_start = ++i;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
  }
  out->append(s.data() + plain_start, s.size() - plain_start);
  out->push_back('"');
}

const char* PhpTypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "NULL";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "double";
    case Json::value_t::string: return "string";
    default: return "array";
  }
}

}  // namespace pimsim::api
