// String helpers over std::string_view. Debian 12's Abseil is built with its
// own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0), so absl::StrCat
// and friends do not take std::string_view; the API speaks std::string_view,
// so these small replacements keep conversions out of every call site.
//
// Thread-safety: pure functions.
//
//   std::string s = Cat("Product \"", code, "\" does not exist.");
//   table.find(AV(code));  // lookup in an absl container keyed by std::string
#ifndef PIMSIM_MOCK_PIM_API_STR_UTIL_H_
#define PIMSIM_MOCK_PIM_API_STR_UTIL_H_

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/string_view.h"

namespace pimsim::api {

// std::string_view -> absl::string_view, for absl containers and functions.
inline absl::string_view AV(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// absl::string_view -> std::string_view (e.g. for absl::Status::message()).
inline std::string_view SV(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

namespace str_internal {
inline void AppendPiece(std::string* out, std::string_view s) { out->append(s); }
inline void AppendPiece(std::string* out, const char* s) { out->append(s); }
inline void AppendPiece(std::string* out, const std::string& s) { out->append(s); }
inline void AppendPiece(std::string* out, absl::string_view s) {
  out->append(s.data(), s.size());
}
template <typename T,
          typename = std::enable_if_t<std::is_integral_v<T> &&
                                      !std::is_same_v<T, char> &&
                                      !std::is_same_v<T, bool>>>
void AppendPiece(std::string* out, T v) {
  out->append(std::to_string(v));
}
}  // namespace str_internal

// Appends every argument (strings and integers) to `*out`.
template <typename... Args>
void Append(std::string* out, const Args&... args) {
  (str_internal::AppendPiece(out, args), ...);
}

// Concatenates strings and integers.
template <typename... Args>
std::string Cat(const Args&... args) {
  std::string out;
  Append(&out, args...);
  return out;
}

// `s` without leading and trailing ASCII whitespace.
std::string_view Trim(std::string_view s);
// ASCII lowercase copy.
std::string Lower(std::string_view s);
inline bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
inline bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}
inline bool Contains(std::string_view s, std::string_view part) {
  return s.find(part) != std::string_view::npos;
}

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_STR_UTIL_H_
