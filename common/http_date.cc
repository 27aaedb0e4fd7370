#include "common/http_date.h"

#include <ctime>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace pimsim {
namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// 1-12, or 0 for anything but a month's three letters.
int MonthIndex(absl::string_view m) {
  for (int i = 0; i < 12; ++i) {
    if (m == kMonths[i]) return i + 1;
  }
  return 0;
}

// "HH:MM:SS" (a leap second's 60 allowed).
bool ParseClock(absl::string_view s, int* h, int* m, int* sec) {
  if (s.size() != 8 || s[2] != ':' || s[5] != ':') return false;
  for (int i : {0, 1, 3, 4, 6, 7}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  *h = (s[0] - '0') * 10 + (s[1] - '0');
  *m = (s[3] - '0') * 10 + (s[4] - '0');
  *sec = (s[6] - '0') * 10 + (s[7] - '0');
  return *h < 24 && *m < 60 && *sec <= 60;
}

// One to four digits, nothing else.
bool ParseDigits(absl::string_view s, int* out) {
  if (s.empty() || s.size() > 4) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(s, out);
}

std::optional<absl::Time> Make(int year, int month, int day, int h, int m, int s) {
  if (month < 1 || day < 1 || day > 31) return std::nullopt;
  const absl::CivilSecond cs(year, month, day, h, m, s);
  if (cs.day() != day) return std::nullopt;  // 31 Feb and the like
  return absl::FromCivil(cs, absl::UTCTimeZone());
}

}  // namespace

std::string FormatHttpDate(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  return absl::StrFormat("%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                         kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                         tm.tm_sec);
}

std::string FormatHttpDate(absl::Time t) { return FormatHttpDate(absl::ToUnixSeconds(t)); }

std::optional<absl::Time> ParseImfFixdate(absl::string_view text) {
  if (text.size() != 29) return std::nullopt;
  std::optional<absl::Time> t = ParseHttpDate(text);
  // Written back exactly: the weekday, the zero padding and the single
  // spaces all as a sender must put them (a leap second never is).
  if (!t.has_value() || FormatHttpDate(*t) != text) return std::nullopt;
  return t;
}

std::optional<absl::Time> ParseHttpDate(absl::string_view text) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  std::vector<absl::string_view> f;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) f.push_back(s.substr(i, j - i));
    i = j;
    if (f.size() > 6) return std::nullopt;
  }
  int day, year, h, m, sec;
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (f.size() == 6 && f[0].size() == 4 && f[0].back() == ',' && f[5] == "GMT") {
    const int month = MonthIndex(f[2]);
    if (!ParseDigits(f[1], &day) || f[1].size() != 2 || !month || !ParseDigits(f[3], &year) ||
        f[3].size() != 4 || !ParseClock(f[4], &h, &m, &sec)) {
      return std::nullopt;
    }
    return Make(year, month, day, h, m, sec);
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
  if (f.size() == 4 && f[0].size() > 1 && f[0].back() == ',' && f[3] == "GMT" &&
      f[1].size() == 9 && f[1][2] == '-' && f[1][6] == '-') {
    const int month = MonthIndex(f[1].substr(3, 3));
    if (!ParseDigits(f[1].substr(0, 2), &day) || !month ||
        !ParseDigits(f[1].substr(7, 2), &year) || !ParseClock(f[2], &h, &m, &sec)) {
      return std::nullopt;
    }
    // Two-digit years: RFC 9110 says one more than 50 years ahead is the past.
    year += year < 70 ? 2000 : 1900;
    return Make(year, month, day, h, m, sec);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (f.size() == 5 && f[0].size() == 3) {
    const int month = MonthIndex(f[1]);
    if (!month || !ParseDigits(f[2], &day) || f[2].size() > 2 ||
        !ParseClock(f[3], &h, &m, &sec) || !ParseDigits(f[4], &year) || f[4].size() != 4) {
      return std::nullopt;
    }
    return Make(year, month, day, h, m, sec);
  }
  return std::nullopt;
}

}  // namespace pimsim
