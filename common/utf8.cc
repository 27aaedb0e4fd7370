#include "common/utf8.h"

#include <cstdint>
#include <cstring>

namespace pimsim {
namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// Length of the well-formed sequence at s[i], or 0 if the bytes there are
// ill-formed; then `*subpart` is the length of the maximal subpart to replace
// (at least 1). Table 3-7 of the Unicode Standard.
size_t SequenceAt(std::string_view s, size_t i, size_t* subpart) {
  const unsigned char lead = static_cast<unsigned char>(s[i]);
  size_t length;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead < 0x80) return 1;
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
    *subpart = 1;  // C0, C1, F5..FF or a stray continuation byte
    return 0;
  }
  size_t k = 1;
  for (; k < length && i + k < s.size(); ++k) {
    const unsigned char c = static_cast<unsigned char>(s[i + k]);
    const bool ok = k == 1 ? (c >= low && c <= high) : (c >= 0x80 && c <= 0xBF);
    if (!ok) break;
  }
  if (k == length) return length;
  *subpart = k;
  return 0;
}

// Index of the first byte at or after `i` that is not ASCII.
size_t SkipAscii(std::string_view s, size_t i) {
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, sizeof(w));
    if (w & kHighBits) break;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while ((i = SkipAscii(s, i)) < s.size()) {
    size_t subpart;
    const size_t n = SequenceAt(s, i, &subpart);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void AppendValidUtf8(std::string_view s, std::string* out) {
  size_t plain_start = 0;
  size_t i = 0;
  while ((i = SkipAscii(s, i)) < s.size()) {
    size_t subpart;
    const size_t n = SequenceAt(s, i, &subpart);
    if (n > 0) {
      i += n;
      continue;
    }
    out->append(s.data() + plain_start, i - plain_start);
    out->append(kUtf8Replacement);
    i += subpart;
    plain_start = i;
  }
  out->append(s.data() + plain_start, s.size() - plain_start);
}

std::string ToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  AppendValidUtf8(s, &out);
  return out;
}

std::string_view ValidUtf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  // Back off continuation bytes: the cut then falls before a lead byte.
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

}  // namespace pimsim
