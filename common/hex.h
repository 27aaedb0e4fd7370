// Hexadecimal digits: one digit's value (percent-decoding, chunk sizes) and
// a 64-bit value as exactly 16 lowercase digits and back (the journal's body
// hashes).
//
// Thread-safety: pure functions.
//
//   HexDigitValue('B') == 11;  Hex16(1) == "0000000000000001"
#ifndef PIMSIM_COMMON_HEX_H_
#define PIMSIM_COMMON_HEX_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace pimsim {

// 0-15 for [0-9a-fA-F], else -1.
inline int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `value` as 16 lowercase hex digits.
std::string Hex16(uint64_t value);

// True, with *out set, when `text` is exactly 16 lowercase hex digits (what
// Hex16 writes).
bool ParseHex16(std::string_view text, uint64_t* out);

}  // namespace pimsim

#endif  // PIMSIM_COMMON_HEX_H_
