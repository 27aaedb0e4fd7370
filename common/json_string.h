// The one JSON string escaper of the project's hand-built JSON (error bodies,
// seeded resources, page links): what nlohmann::json's
// dump(-1, ' ', /*ensure_ascii=*/false, error_handler_t::replace) writes for
// a string, byte for byte. Invalid UTF-8 is replaced as common/utf8.h says,
// so request text echoed into a response always gives valid JSON.
//
// Thread-safety: pure functions.
//
//   std::string body = "{\"message\":";
//   AppendJsonString("bad \"x\"\xff", &body);  // "bad \"x\"\uFFFD" (raw U+FFFD)
//   body.push_back('}');
#ifndef PIMSIM_COMMON_JSON_STRING_H_
#define PIMSIM_COMMON_JSON_STRING_H_

#include <string>
#include <string_view>

namespace pimsim {

// Appends `s` as a quoted JSON string.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace pimsim

#endif  // PIMSIM_COMMON_JSON_STRING_H_
