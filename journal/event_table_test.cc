#include "journal/event_table.h"

#include <string>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace pimsim::journal {
namespace {

using pimsim::v1::JournalEvent;

JournalEvent Event(uint64_t id, const std::string& path) {
  JournalEvent e;
  e.set_id(id);
  e.set_instance("default");
  e.set_connection("pimsim");
  e.set_socket_id(3);
  e.set_method("GET");
  e.set_route("/api/rest/v1/products/{code}");
  e.set_normalized_path(path);
  e.set_body_hash("00ff00ff00ff00ff");
  e.set_body_bytes(12);
  e.set_idempotency_key("key");
  e.set_arrival_us(100 * static_cast<int64_t>(id));
  e.set_body_complete_us(-1);
  e.set_response_us(100 * static_cast<int64_t>(id) + 50);
  e.set_status(429);
  e.set_retry_after_s(3);
  e.set_rejection(pimsim::v1::REJECTION_PROTECTION);
  e.set_fault("storm");
  e.set_in_flight_connection(2);
  e.set_in_flight_instance(7);
  e.set_instance_bucket_available(0.5);
  e.set_conditional(true);
  e.set_client_aborted(true);
  e.set_response_cut(true);
  return e;
}

TEST(EventTableTest, KeepsEveryFieldAndEachStringOnce) {
  std::vector<JournalEvent> events;
  for (uint64_t id = 1; id <= 100; ++id) events.push_back(Event(id, id % 2 ? "/a" : "/b"));
  events.push_back(JournalEvent());  // every field at its default
  const EventTable table = EventTable::FromEvents(events);
  ASSERT_EQ(table.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(events[i], table.ToProto(i))) << i;
  }
  // "", default, pimsim, GET, the route, /a, /b, the hash, key, storm.
  EXPECT_EQ(table.string_count(), 10u);
  EXPECT_EQ(table.view(1).normalized_path(), "/b");
  EXPECT_EQ(table.view(0).rejection(), pimsim::v1::REJECTION_PROTECTION);
  EXPECT_EQ(table.view(100).method(), "");
}

TEST(EventTableTest, AnEnumValueOutsideItsRangeStaysARejection) {
  JournalEvent e;
  e.set_rejection(static_cast<pimsim::v1::Rejection>(300));
  EventTable table;
  table.Add(e);
  EXPECT_NE(table.view(0).rejection(), pimsim::v1::REJECTION_NONE);
}

TEST(EventTableTest, SortsByIdInPlace) {
  EventTable table;
  // Long cycles, fixed points and a swap.
  const size_t n = 1000;
  std::vector<uint64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[(i * 7 + 3) % n] = i + 1;
  std::swap(ids[10], ids[11]);
  for (uint64_t id : ids) table.Add(Event(id, "/p" + std::to_string(id)));
  table.SortById();
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(table.view(i).id(), i + 1);
    ASSERT_EQ(table.view(i).normalized_path(), "/p" + std::to_string(i + 1));
  }
}

TEST(EventTableTest, StringsOutliveAChunk) {
  EventTable table;
  std::vector<StringId> ids;
  // Past the first chunk (1 MiB), and one string larger than a chunk.
  for (int i = 0; i < 40'000; ++i) ids.push_back(table.Intern("/api/rest/v1/products/" + std::to_string(i)));
  const std::string big(3 << 20, 'x');
  const StringId big_id = table.Intern(big);
  for (int i = 0; i < 40'000; ++i) {
    ASSERT_EQ(table.str(ids[i]), "/api/rest/v1/products/" + std::to_string(i));
  }
  EXPECT_EQ(table.str(big_id), big);
  EXPECT_EQ(table.Intern(big), big_id);
  EXPECT_EQ(table.Find("/api/rest/v1/products/7"), ids[7]);
  EXPECT_FALSE(table.Find("nope").has_value());
  table.DropIndex();  // rebuilt on demand
  EXPECT_EQ(table.Find("/api/rest/v1/products/8"), ids[8]);
  EXPECT_EQ(table.Intern(big), big_id);
  EXPECT_NE(table.Intern("new"), big_id);
}

}  // namespace
}  // namespace pimsim::journal
