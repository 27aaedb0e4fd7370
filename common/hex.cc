#include "common/hex.h"

#include <utility>

namespace pimsim {

namespace {

// 0-15 for [0-9a-f], else -1: what this file writes, upper case refused.
int LowerHexDigitValue(char c) { return c >= 'A' && c <= 'F' ? -1 : HexDigitValue(c); }

}  // namespace

void AppendHex(std::string_view bytes, std::string* out) {
  out->reserve(out->size() + 2 * bytes.size());
  for (char ch : bytes) {
    const unsigned char c = static_cast<unsigned char>(ch);
    out->push_back(kLowerHexDigits[c >> 4]);
    out->push_back(kLowerHexDigits[c & 0xf]);
  }
}

std::string HexEncode(std::string_view bytes) {
  std::string out;
  AppendHex(bytes, &out);
  return out;
}

bool HexDecode(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = LowerHexDigitValue(hex[i]);
    const int lo = LowerHexDigitValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes.push_back(static_cast<char>(hi << 4 | lo));
  }
  *out = std::move(bytes);
  return true;
}

std::string Hex16(uint64_t value) {
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[i] = kLowerHexDigits[value & 0xf];
    value >>= 4;
  }
  return out;
}

bool ParseHex16(std::string_view text, uint64_t* out) {
  if (text.size() != 16) return false;
  uint64_t value = 0;
  for (char c : text) {
    const int digit = LowerHexDigitValue(c);  // Hex16 writes lower case only
    if (digit < 0) return false;
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  *out = value;
  return true;
}

}  // namespace pimsim
