// UTF-8 validation and repair for text that arrives from the network (header
// values, percent-decoded paths and queries) and goes where only valid UTF-8
// may go: JSON responses and proto3 `string` fields.
//
// Repair is deterministic: each maximal subpart of an ill-formed sequence
// becomes one U+FFFD (the Unicode Standard's recommended practice, ch. 3.9,
// which nlohmann::json's error_handler_t::replace and WHATWG decoders also
// follow), so the same bytes always give the same text, and valid text is
// left untouched. Overlong forms, surrogates (ED A0..BF) and code points
// above U+10FFFF are ill-formed.
//
// Thread-safety: pure functions.
//
//   if (!IsValidUtf8(value)) value = ToValidUtf8(value);  // "a\xff" -> "a\uFFFD"
//   std::string_view head = ValidUtf8Prefix(text, 255);   // never cuts a character
#ifndef PIMSIM_COMMON_UTF8_H_
#define PIMSIM_COMMON_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace pimsim {

// U+FFFD REPLACEMENT CHARACTER, encoded.
inline constexpr std::string_view kUtf8Replacement = "\xEF\xBF\xBD";

// True if `s` is well-formed UTF-8. ASCII is checked eight bytes at a time.
bool IsValidUtf8(std::string_view s);

// Appends `s` to `*out` with every maximal ill-formed subpart replaced by
// U+FFFD.
void AppendValidUtf8(std::string_view s, std::string* out);

// `s` repaired as AppendValidUtf8 does.
std::string ToValidUtf8(std::string_view s);

// The longest prefix of the valid UTF-8 text `s` that is at most `max_bytes`
// long and does not end inside a multi-byte character.
std::string_view ValidUtf8Prefix(std::string_view s, size_t max_bytes);

}  // namespace pimsim

#endif  // PIMSIM_COMMON_UTF8_H_
