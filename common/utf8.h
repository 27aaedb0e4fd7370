// UTF-8 well-formedness, for the JSON the mock writes: bytes that come from
// a request (a percent-decoded path, a header value) may be any bytes, and
// JSON text must be UTF-8.
//
// An ill-formed sequence is replaced by U+FFFD one "maximal subpart" at a
// time (Unicode Standard, 3.9 "U+FFFD Substitution of Maximal Subparts"):
// the longest prefix of a well-formed sequence it starts with, or one byte.
// That is also what nlohmann::json writes with error_handler_t::replace, so
// hand-built JSON and DumpJson agree byte for byte.
//
// Thread-safety: pure functions.
//
//   Utf8Sequence seq = NextUtf8Sequence("\xc3\xa9t\xc3\xa9");  // {2, true}
//   Utf8Sequence bad = NextUtf8Sequence("\xe2\x82x");         // {2, false}
//   std::string out; AppendValidUtf8("a\xffz", &out);          // "a\xef\xbf\xbdz"
#ifndef PIMSIM_COMMON_UTF8_H_
#define PIMSIM_COMMON_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace pimsim::utf8 {

// U+FFFD REPLACEMENT CHARACTER in UTF-8.
inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

struct Utf8Sequence {
  size_t size = 0;     // 1 to 4 bytes
  bool valid = false;  // false: an ill-formed subpart, replaced as a whole
};

// The sequence `s` starts with; `s` must not be empty.
Utf8Sequence NextUtf8Sequence(std::string_view s);

// Appends `s` to *out with each ill-formed subpart replaced by kReplacement.
void AppendValidUtf8(std::string_view s, std::string* out);

}  // namespace pimsim::utf8

#endif  // PIMSIM_COMMON_UTF8_H_
