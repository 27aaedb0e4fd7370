// HTTP-dates (RFC 9110 section 5.6.7): the IMF-fixdate a server sends in Date
// and Retry-After, and the three forms a recipient must accept.
//
// Used by the mock's HTTP server (Date), its Retry-After header, and the
// reference client, which reads Retry-After and Date from any server.
//
// Thread-safety: pure functions.
//
//   FormatHttpDate(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT"
//   ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT") == absl::FromUnixSeconds(784111777)
#ifndef PIMSIM_COMMON_HTTP_DATE_H_
#define PIMSIM_COMMON_HTTP_DATE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace pimsim {

// The IMF-fixdate of a Unix time in whole seconds.
std::string FormatHttpDate(int64_t unix_seconds);
// The IMF-fixdate of `t`, truncated to the second (a Date header's second).
std::string FormatHttpDate(absl::Time t);

// Exactly an IMF-fixdate, as FormatHttpDate writes it (the weekday must
// match the date; no extra spaces): the form a sender must generate. For
// checking what the mock sends.
std::optional<absl::Time> ParseImfFixdate(absl::string_view text);

// Any of the three forms a recipient must accept: IMF-fixdate, RFC 850
// ("Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year below 70 is 20xx) and
// asctime ("Sun Nov  6 08:49:37 1994"), with runs of spaces and surrounding
// whitespace tolerated and the weekday not checked. nullopt otherwise,
// including impossible dates (31 Feb) and times.
std::optional<absl::Time> ParseHttpDate(absl::string_view text);

}  // namespace pimsim

#endif  // PIMSIM_COMMON_HTTP_DATE_H_
