// ASCII helpers over std::string_view for the HTTP code. (Debian's Abseil
// has its own absl::string_view, which std::string_view does not convert to.)
//
// Thread-safety: pure functions.
//
//   if (EqualsIgnoreCase(name, "Content-Length")) ...
#ifndef PIMSIM_MOCK_PIM_HTTP_ASCII_UTIL_H_
#define PIMSIM_MOCK_PIM_HTTP_ASCII_UTIL_H_

#include <string_view>

namespace pimsim::http {

inline char AsciiToLower(char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; }

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiToLower(a[i]) != AsciiToLower(b[i])) return false;
  }
  return true;
}

inline bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace pimsim::http

#endif  // PIMSIM_MOCK_PIM_HTTP_ASCII_UTIL_H_
