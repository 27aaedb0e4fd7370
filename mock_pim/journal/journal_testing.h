// Test helpers for the journal's tests: a typical record and a scratch path.
//
// Thread-safety: pure functions.
//
//   Journal j(10, kTestEpoch);
//   j.Append(TestRecord(absl::Milliseconds(5)));
#ifndef PIMSIM_MOCK_PIM_JOURNAL_JOURNAL_TESTING_H_
#define PIMSIM_MOCK_PIM_JOURNAL_JOURNAL_TESTING_H_

#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "mock_pim/journal/journal.h"

namespace pimsim::testing {

inline const absl::Time kTestEpoch = absl::FromUnixSeconds(1700000000);

// A GET answered 200 after 15 ms, arriving `arrival` after kTestEpoch. The
// record views `path`, which must outlive it.
inline JournalRecord TestRecord(absl::Duration arrival,
                                std::string_view path = "/api/rest/v1/products") {
  JournalRecord r;
  r.instance = "main";
  r.connection = "erp";
  r.socket_id = 7;
  r.method = "GET";
  r.route = "/api/rest/v1/products";
  r.normalized_path = path;
  r.arrival = kTestEpoch + arrival;
  r.body_complete = kTestEpoch + arrival;
  r.response = kTestEpoch + arrival + absl::Milliseconds(15);
  r.status = 200;
  r.in_flight_connection = 1;
  r.in_flight_instance = 2;
  r.instance_bucket_available = 99.5;
  return r;
}

// `name` under TEST_TMPDIR (or /tmp).
inline std::string TestTempPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

}  // namespace pimsim::testing

#endif  // PIMSIM_MOCK_PIM_JOURNAL_JOURNAL_TESTING_H_
