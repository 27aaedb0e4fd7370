// Hexadecimal digits, written once: one digit's value (percent-decoding,
// chunk sizes), the lowercase digits, bytes as two lowercase digits each and
// back (tokens, UUIDs, opaque cursors), and a 64-bit value as exactly 16
// lowercase digits and back (the journal's body hashes).
//
// Thread-safety: pure functions.
//
//   HexDigitValue('B') == 11;  Hex16(1) == "0000000000000001"
//   HexEncode("\x01\xff") == "01ff"; HexDecode("01ff", &bytes) is true
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

// The digits, lowercase: kLowerHexDigits[v] for v in 0-15.
inline constexpr char kLowerHexDigits[] = "0123456789abcdef";

// Each byte of `bytes` as two lowercase digits, high nibble first.
std::string HexEncode(std::string_view bytes);
// Appends the same to *out.
void AppendHex(std::string_view bytes, std::string* out);

// True, with *out set to the bytes, when `hex` is an even number of
// lowercase digits (what HexEncode writes).
bool HexDecode(std::string_view hex, std::string* out);

// `value` as 16 lowercase hex digits.
std::string Hex16(uint64_t value);

// True, with *out set, when `text` is exactly 16 lowercase hex digits (what
// Hex16 writes).
bool ParseHex16(std::string_view text, uint64_t* out);

}  // namespace pimsim

#endif  // PIMSIM_COMMON_HEX_H_
