// Retry-After: how a 429 (or 503) tells the client when to come back, in the
// form the scenario chose: delta-seconds, an HTTP-date, or no header at all.
//
// Both forms round the wait UP to whole seconds, so a client that honours the
// header exactly (or truncates a date to seconds, as curl does) never comes
// back before the limiter would let it in.
//
// Thread-safety: pure functions; safe from any thread.
//
//   std::optional<std::string> value =
//       RetryAfterHeader(decision.retry_after, limits.retry_after, clock.Now());
//   if (value) response.SetHeader("Retry-After", *value);
#ifndef PIMSIM_MOCK_PIM_LIMITS_RETRY_AFTER_H_
#define PIMSIM_MOCK_PIM_LIMITS_RETRY_AFTER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "proto/limits.pb.h"

namespace pimsim {

// The header value for a wait of `wait` from `now`, or nullopt for
// RETRY_AFTER_FORM_NONE. SECONDS (and UNSPECIFIED): RetryAfterSeconds(wait).
// HTTP_DATE: the IMF-fixdate (common/http_date.h) of now + wait rounded up to the next whole
// second (an instant already on a whole second is kept).
std::optional<std::string> RetryAfterHeader(absl::Duration wait,
                                            pimsim::v1::RetryAfterForm form, absl::Time now);

// `wait` rounded up to whole seconds, at least 1 (a 429 never says "0").
int64_t RetryAfterSeconds(absl::Duration wait);

// What the journal records as `retry_after_s` for the header above: -1 when
// none is sent; for an HTTP-date, the whole seconds from `now` to the date,
// rounded up (so the journal states the wait the client was actually given).
int64_t JournalRetryAfterSeconds(absl::Duration wait, pimsim::v1::RetryAfterForm form,
                                 absl::Time now);

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_LIMITS_RETRY_AFTER_H_
