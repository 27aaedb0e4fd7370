#include "mock_pim/limits/retry_after.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace pimsim {
namespace {

constexpr const char* kWeekdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// The first whole second at or after `t`.
absl::Time CeilToSecond(absl::Time t) {
  const absl::Time floor = absl::FromUnixSeconds(absl::ToUnixSeconds(t));  // rounds down
  return floor == t ? t : floor + absl::Seconds(1);
}

int WeekdayIndex(absl::Weekday w) {
  switch (w) {
    case absl::Weekday::monday:
      return 0;
    case absl::Weekday::tuesday:
      return 1;
    case absl::Weekday::wednesday:
      return 2;
    case absl::Weekday::thursday:
      return 3;
    case absl::Weekday::friday:
      return 4;
    case absl::Weekday::saturday:
      return 5;
    case absl::Weekday::sunday:
      return 6;
  }
  return 0;
}

}  // namespace

int64_t RetryAfterSeconds(absl::Duration wait) {
  if (wait <= absl::ZeroDuration()) return 1;
  const int64_t whole = absl::ToInt64Seconds(wait);  // truncates
  const int64_t seconds = absl::Seconds(whole) < wait ? whole + 1 : whole;
  return std::max<int64_t>(1, seconds);
}

std::string HttpDate(absl::Time t) {
  const absl::CivilSecond cs = absl::ToCivilSecond(t, absl::UTCTimeZone());
  return absl::StrFormat("%s, %02d %s %04d %02d:%02d:%02d GMT",
                         kWeekdays[WeekdayIndex(absl::GetWeekday(cs))], cs.day(),
                         kMonths[cs.month() - 1], cs.year(), cs.hour(), cs.minute(),
                         cs.second());
}

std::optional<absl::Time> ParseHttpDate(const std::string& text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", text, absl::UTCTimeZone(), &t, &err)) {
    return std::nullopt;
  }
  return t;
}

std::optional<std::string> RetryAfterHeader(absl::Duration wait,
                                            pimsim::v1::RetryAfterForm form, absl::Time now) {
  switch (form) {
    case pimsim::v1::RETRY_AFTER_FORM_NONE:
      return std::nullopt;
    case pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE:
      return HttpDate(CeilToSecond(now + std::max(wait, absl::ZeroDuration())));
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
