#include "mock_pim/limits/retry_after.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/http_date.h"

namespace pimsim {
namespace {

// The first whole second at or after `t`.
absl::Time CeilToSecond(absl::Time t) {
  const absl::Time floor = absl::FromUnixSeconds(absl::ToUnixSeconds(t));  // rounds down
  return floor == t ? t : floor + absl::Seconds(1);
}

}  // namespace

int64_t RetryAfterSeconds(absl::Duration wait) {
  if (wait <= absl::ZeroDuration()) return 1;
  const int64_t whole = absl::ToInt64Seconds(wait);  // truncates
  const int64_t seconds = absl::Seconds(whole) < wait ? whole + 1 : whole;
  return std::max<int64_t>(1, seconds);
}

std::optional<std::string> RetryAfterHeader(absl::Duration wait,
                                            pimsim::v1::RetryAfterForm form, absl::Time now) {
  switch (form) {
    case pimsim::v1::RETRY_AFTER_FORM_NONE:
      return std::nullopt;
    case pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE:
      return FormatHttpDate(CeilToSecond(now + std::max(wait, absl::ZeroDuration())));
    default:
      return absl::StrCat(RetryAfterSeconds(wait));
  }
}

int64_t JournalRetryAfterSeconds(absl::Duration wait, pimsim::v1::RetryAfterForm form,
                                 absl::Time now) {
  switch (form) {
    case pimsim::v1::RETRY_AFTER_FORM_NONE:
      return -1;
    case pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE: {
      const absl::Duration given =
          CeilToSecond(now + std::max(wait, absl::ZeroDuration())) - now;
      const int64_t whole = absl::ToInt64Seconds(given);
      return absl::Seconds(whole) < given ? whole + 1 : whole;
    }
    default:
      return RetryAfterSeconds(wait);
  }
}

}  // namespace pimsim
