#include "mock_pim/journal/journal.h"

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "mock_pim/journal/journal_testing.h"
#include "mock_pim/journal/fingerprint.h"

namespace pimsim {
namespace {

const absl::Time kEpoch = testing::kTestEpoch;

JournalRecord Record(absl::Duration arrival, std::string_view path = "/api/rest/v1/products") {
  return testing::TestRecord(arrival, path);
}


TEST(JournalTest, EmptyJournalHoldsNoMemory) {
  Journal j(1000000, kEpoch);
  EXPECT_EQ(j.size(), 0u);
  EXPECT_LT(j.MemoryBytes(), 4096u);
  EXPECT_EQ(j.ApproxBytesPerEvent(), 0u);
  EXPECT_TRUE(j.Read(0, 10).empty());
  EXPECT_EQ(j.CompleteThrough(), 0u);
}

TEST(JournalTest, StoresEveryFieldAndConvertsTimes) {
  Journal j(10, kEpoch);
  JournalRecord r = Record(absl::Milliseconds(1500));
  r.method = "PATCH";
  r.route = "/api/rest/v1/attributes/{code}/options/{code}";
  r.normalized_path = "/api/rest/v1/attributes/color/options/red";
  const std::string hash = BodyHash("{\"code\":\"red\"}");
  r.body_hash = hash;
  r.body_bytes = 14;
  r.idempotency_key = "key-1";
  r.body_complete = kEpoch + absl::Microseconds(1500100);
  r.status = 429;
  r.retry_after_s = 2;
  r.rejection = pimsim::v1::REJECTION_RATE_ATTRIBUTE_OPTIONS;
  r.fault = "slow-options";
  r.conditional = true;
  r.client_aborted = true;
  EXPECT_EQ(j.Append(r), 1u);

  const std::vector<pimsim::v1::JournalEvent> events = j.Read(0, 10);
  ASSERT_EQ(events.size(), 1u);
  const pimsim::v1::JournalEvent& e = events[0];
  EXPECT_EQ(e.id(), 1u);
  EXPECT_EQ(e.instance(), "main");
  EXPECT_EQ(e.connection(), "erp");
  EXPECT_EQ(e.socket_id(), 7u);
  EXPECT_EQ(e.method(), "PATCH");
  EXPECT_EQ(e.route(), "/api/rest/v1/attributes/{code}/options/{code}");
  EXPECT_EQ(e.normalized_path(), "/api/rest/v1/attributes/color/options/red");
  EXPECT_EQ(e.body_hash(), BodyHash("{\"code\":\"red\"}"));
  EXPECT_EQ(e.body_bytes(), 14u);
  EXPECT_EQ(e.idempotency_key(), "key-1");
  EXPECT_EQ(e.arrival_us(), 1500000);
  EXPECT_EQ(e.body_complete_us(), 1500100);
  EXPECT_EQ(e.response_us(), 1515000);
  EXPECT_EQ(e.status(), 429u);
  EXPECT_EQ(e.retry_after_s(), 2);
  EXPECT_EQ(e.rejection(), pimsim::v1::REJECTION_RATE_ATTRIBUTE_OPTIONS);
  EXPECT_EQ(e.fault(), "slow-options");
  EXPECT_EQ(e.in_flight_connection(), 1u);
  EXPECT_EQ(e.in_flight_instance(), 2u);
  EXPECT_DOUBLE_EQ(e.instance_bucket_available(), 99.5);
  EXPECT_TRUE(e.conditional());
  EXPECT_TRUE(e.client_aborted());
}

TEST(JournalTest, DefaultsMeanNothingHappened) {
  Journal j(10, kEpoch);
  JournalRecord r;  // a socket that went away before anything
  j.Append(r);
  const pimsim::v1::JournalEvent e = j.Read(0, 1).at(0);
  EXPECT_EQ(e.arrival_us(), -1);
  EXPECT_EQ(e.body_complete_us(), -1);
  EXPECT_EQ(e.response_us(), -1);
  EXPECT_EQ(e.retry_after_s(), -1);
  EXPECT_EQ(e.body_hash(), "");
  EXPECT_EQ(e.status(), 0u);
  EXPECT_EQ(e.connection(), "");
}

TEST(JournalTest, CopiesStringsSoCallerBuffersMayDie) {
  Journal j(10, kEpoch);
  {
    std::string path = "/api/rest/v1/products/a-rather-long-product-identifier-beyond-sso";
    std::string conn = "connection-with-a-long-name-0123456789";
    JournalRecord r = Record(absl::ZeroDuration(), path);
    r.connection = conn;
    j.Append(r);
    path.assign(path.size(), 'x');
    conn.assign(conn.size(), 'y');
  }
  const pimsim::v1::JournalEvent e = j.Read(0, 1).at(0);
  EXPECT_EQ(e.normalized_path(), "/api/rest/v1/products/a-rather-long-product-identifier-beyond-sso");
  EXPECT_EQ(e.connection(), "connection-with-a-long-name-0123456789");
}

TEST(JournalTest, NonHexBodyHashIsKeptAsText) {
  Journal j(10, kEpoch);
  JournalRecord r = Record(absl::ZeroDuration());
  r.body_hash = "sha256:abc";
  j.Append(r);
  r.body_hash = "ABCDEF0123456789";  // upper case is not what Hex16 writes
  j.Append(r);
  const auto events = j.Read(0, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].body_hash(), "sha256:abc");
  EXPECT_EQ(events[1].body_hash(), "ABCDEF0123456789");
}

TEST(JournalTest, RecordIdReservedAtArrivalIsUsedByAppend) {
  Journal j(10, kEpoch);
  JournalRecord first = Record(absl::ZeroDuration(), "/first");
  first.id = j.NextId();
  JournalRecord second = Record(absl::Milliseconds(1), "/second");
  second.id = j.NextId();
  EXPECT_EQ(j.Append(std::move(second)), 2u);
  EXPECT_EQ(j.Append(std::move(first)), 1u);
  const auto events = j.Read(0, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].normalized_path(), "/first");
}

TEST(JournalTest, IdsFollowArrivalEvenWhenCompletionsAreOutOfOrder) {
  Journal j(100, kEpoch);
  const uint64_t slow = j.NextId();
  const uint64_t fast = j.NextId();
  EXPECT_EQ(slow, 1u);
  EXPECT_EQ(fast, 2u);
  EXPECT_EQ(j.Append(fast, Record(absl::Milliseconds(1), "/fast")), 2u);
  EXPECT_EQ(j.CompleteThrough(), 0u);  // id 1 is still in flight
  std::vector<pimsim::v1::JournalEvent> events = j.Read(0, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id(), 2u);

  EXPECT_EQ(j.Append(slow, Record(absl::ZeroDuration(), "/slow")), 1u);
  EXPECT_EQ(j.CompleteThrough(), 2u);
  events = j.Read(0, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].normalized_path(), "/slow");
  EXPECT_EQ(events[1].normalized_path(), "/fast");
}

TEST(JournalTest, ReadPagesFromACursor) {
  Journal j(10000, kEpoch);
  for (int i = 0; i < 2500; ++i) j.Append(Record(absl::Milliseconds(i), "/p" + std::to_string(i)));
  std::vector<uint64_t> ids;
  uint64_t cursor = 0;
  while (true) {
    const auto page = j.Read(cursor, 1000);
    if (page.empty()) break;
    EXPECT_LE(page.size(), 1000u);
    for (const auto& e : page) {
      ids.push_back(e.id());
      EXPECT_EQ(e.normalized_path(), "/p" + std::to_string(e.id() - 1));
    }
    cursor = page.back().id();
  }
  ASSERT_EQ(ids.size(), 2500u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], i + 1);
  EXPECT_TRUE(j.Read(2500, 10).empty());
  EXPECT_EQ(j.Read(2498, 10).size(), 2u);
  EXPECT_EQ(j.Read(0, 0).size(), 0u);
}

TEST(JournalTest, ReadSkipsGapsOfUnappendedIds) {
  Journal j(100000, kEpoch);
  const uint64_t first = j.NextId();
  for (int i = 0; i < 5000; ++i) j.NextId();  // in flight forever (or lost)
  const uint64_t last = j.Append(Record(absl::ZeroDuration()));
  j.Append(first, Record(absl::ZeroDuration()));
  const auto events = j.Read(0, 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id(), first);
  EXPECT_EQ(events[1].id(), last);
  EXPECT_EQ(j.CompleteThrough(), first);
}

TEST(JournalTest, OverflowIsCountedNeverSilent) {
  Journal j(3, kEpoch);
  for (int i = 0; i < 3; ++i) EXPECT_NE(j.Append(Record(absl::ZeroDuration())), 0u);
  EXPECT_EQ(j.Append(Record(absl::ZeroDuration())), 0u);
  EXPECT_EQ(j.Append(Record(absl::ZeroDuration())), 0u);
  EXPECT_EQ(j.size(), 3u);
  EXPECT_EQ(j.overflowed(), 2u);
  const pimsim::v1::JournalSummary s = j.Summary();
  EXPECT_EQ(s.events(), 3u);
  EXPECT_EQ(s.overflowed(), 2u);
}

TEST(JournalTest, MisusedIdsAreCountedAsOverflow) {
  Journal j(10, kEpoch);
  const uint64_t id = j.NextId();
  EXPECT_EQ(j.Append(id, Record(absl::ZeroDuration())), id);
  EXPECT_EQ(j.Append(id, Record(absl::ZeroDuration())), 0u);   // twice
  EXPECT_EQ(j.Append(0, Record(absl::ZeroDuration())), 0u);    // never reserved
  EXPECT_EQ(j.Append(999, Record(absl::ZeroDuration())), 0u);  // never reserved
  EXPECT_EQ(j.size(), 1u);
  EXPECT_EQ(j.overflowed(), 3u);
}

TEST(JournalTest, ClearKeepsIdsIncreasingAndDropsStaleAppends) {
  Journal j(10, kEpoch);
  j.Append(Record(absl::ZeroDuration()));
  const uint64_t in_flight = j.NextId();
  for (int i = 0; i < 20; ++i) j.Append(Record(absl::ZeroDuration()));
  EXPECT_GT(j.overflowed(), 0u);
  j.Clear(kEpoch + absl::Seconds(100));
  EXPECT_EQ(j.size(), 0u);
  EXPECT_EQ(j.overflowed(), 0u);
  EXPECT_EQ(j.epoch(), kEpoch + absl::Seconds(100));
  EXPECT_EQ(j.Append(in_flight, Record(absl::ZeroDuration())), 0u);
  EXPECT_EQ(j.stale(), 1u);
  EXPECT_EQ(j.overflowed(), 0u);
  const uint64_t next = j.Append(Record(absl::Seconds(101)));
  EXPECT_EQ(next, 23u);
  const auto events = j.Read(0, 10);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].arrival_us(), 1000000);
  EXPECT_EQ(j.CompleteThrough(), 23u);
  // The capacity counts from the clear.
  for (int i = 0; i < 9; ++i) EXPECT_NE(j.Append(Record(absl::ZeroDuration())), 0u);
  EXPECT_EQ(j.Append(Record(absl::ZeroDuration())), 0u);
}

TEST(JournalTest, RepairsInvalidUtf8SoEventsStayValidProtos) {
  const std::string fffd = "\xef\xbf\xbd";
  Journal j(10, kEpoch);
  JournalRecord r = Record(absl::ZeroDuration(), "/api/rest/v1/products/\xc3(");
  r.idempotency_key = "key-\xff\xfe";
  r.method = "G\x80T";
  r.connection = "erp\xe2\x82";
  r.instance = "\xf0\x9f\x98\x80";  // valid: kept as is
  r.body_hash = "not-hex-\xc0";
  ASSERT_NE(j.Append(r), 0u);
  ASSERT_NE(j.Append(r), 0u);  // the interned repairs are found again
  const std::vector<pimsim::v1::JournalEvent> events = j.Read(0, 10);
  ASSERT_EQ(events.size(), 2u);
  for (const pimsim::v1::JournalEvent& e : events) {
    EXPECT_EQ(e.idempotency_key(), "key-" + fffd + fffd);
    EXPECT_EQ(e.normalized_path(), "/api/rest/v1/products/" + fffd + "(");
    EXPECT_EQ(e.method(), "G" + fffd + "T");
    EXPECT_EQ(e.connection(), "erp" + fffd);
    EXPECT_EQ(e.instance(), "\xf0\x9f\x98\x80");
    EXPECT_EQ(e.body_hash(), "not-hex-" + fffd);
    pimsim::v1::JournalEvent parsed;
    EXPECT_TRUE(parsed.ParseFromString(e.SerializeAsString()));
  }
}

TEST(JournalTest, ALongKeyIsCutBetweenCharacters) {
  Journal j(10, kEpoch);
  JournalRecord r = Record(absl::ZeroDuration());
  const std::string key = std::string(65534, 'k') + "\xe2\x82\xac";  // ends with a euro sign
  r.idempotency_key = key;
  j.Append(r);
  const std::vector<pimsim::v1::JournalEvent> events = j.Read(0, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].idempotency_key(), std::string(65534, 'k'));
}

TEST(JournalTest, ConcurrentAppendsGetUniqueIdsAndAllAreStored) {
  constexpr int kThreads = 4, kPerThread = 5000;
  Journal j(kThreads * kPerThread, kEpoch);
  std::vector<std::vector<uint64_t>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string conn = "conn" + std::to_string(t);
      for (int i = 0; i < kPerThread; ++i) {
        const uint64_t id = j.NextId();
        JournalRecord r = Record(absl::Microseconds(i));
        r.connection = conn;
        ASSERT_EQ(j.Append(id, r), id);
        ids[t].push_back(id);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), size_t{kThreads} * kPerThread);
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(j.size(), size_t{kThreads} * kPerThread);
  EXPECT_EQ(j.overflowed(), 0u);
  EXPECT_EQ(j.CompleteThrough(), uint64_t{kThreads} * kPerThread);
  const auto events = j.Read(0, kThreads * kPerThread);
  ASSERT_EQ(events.size(), size_t{kThreads} * kPerThread);
  EXPECT_TRUE(std::is_sorted(events.begin(), events.end(),
                             [](const auto& a, const auto& b) { return a.id() < b.id(); }));
}

TEST(JournalTest, MemoryPerEventIsCompact) {
  Journal j(100000, kEpoch);
  for (int i = 0; i < 100000; ++i) {
    j.Append(Record(absl::Microseconds(i), "/api/rest/v1/products/sku-" + std::to_string(i)));
  }
  // A fixed slot plus the path's bytes; the interned strings cost nothing per event.
  EXPECT_LT(j.ApproxBytesPerEvent(), 200u) << j.ApproxBytesPerEvent();
  RecordProperty("bytes_per_event", std::to_string(j.ApproxBytesPerEvent()));
}

}  // namespace
}  // namespace pimsim
