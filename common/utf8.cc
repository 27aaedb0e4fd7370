#include "common/utf8.h"

namespace pimsim::utf8 {

Utf8Sequence NextUtf8Sequence(std::string_view s) {
  const unsigned char lead = static_cast<unsigned char>(s[0]);
  if (lead < 0x80) return {1, true};
  // Unicode Table 3-7: the length of each well-formed sequence and the range
  // of its second byte (later bytes are 80..BF); overlong forms, surrogates
  // and code points above U+10FFFF have none.
  size_t length;
  unsigned char low = 0x80, high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return {1, false};
  }
  for (size_t i = 1; i < length; ++i) {
    if (i >= s.size()) return {i, false};
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < low || c > high) return {i, false};
    low = 0x80;
    high = 0xBF;
  }
  return {length, true};
}

void AppendValidUtf8(std::string_view s, std::string* out) {
  size_t plain_start = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const Utf8Sequence seq = NextUtf8Sequence(s.substr(i));
    if (!seq.valid) {
      out->append(s.data() + plain_start, i - plain_start);
      out->append(kReplacement);
      plain_start = i + seq.size;
    }
    i += seq.size;
  }
  out->append(s.data() + plain_start, s.size() - plain_start);
}

}  // namespace pimsim::utf8
