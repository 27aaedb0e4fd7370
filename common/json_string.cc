#include "common/json_string.h"

#include "common/hex.h"
#include "common/utf8.h"

namespace pimsim {
namespace {

// Escapes the valid UTF-8 text `s` (control characters, quote, backslash).
void AppendEscaped(std::string_view s, std::string* out) {
  size_t plain_start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + plain_start, i - plain_start);
    plain_start = i + 1;
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
        out->push_back(kLowerHexDigits[c >> 4]);
        out->push_back(kLowerHexDigits[c & 0xf]);
    }
  }
  out->append(s.data() + plain_start, s.size() - plain_start);
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  if (IsValidUtf8(s)) {
    AppendEscaped(s, out);
  } else {
    AppendEscaped(ToValidUtf8(s), out);
  }
  out->push_back('"');
}

}  // namespace pimsim
