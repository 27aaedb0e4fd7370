#include "journal/event_line.h"

#include <string>

#include "common/proto_json.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace pimsim::journal {
namespace {

using pimsim::v1::JournalEvent;

// What JournalFileWriter writes for an event.
std::string Written(const JournalEvent& e) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  return *MessageToJson(e, options);
}

JournalEvent Full() {
  JournalEvent e;
  e.set_id(4100);
  e.set_instance("eu");
  e.set_connection("pimsim-2");
  e.set_socket_id(7);
  e.set_method("PATCH");
  e.set_route("/api/rest/v1/products/{code}");
  e.set_normalized_path("/api/rest/v1/products/caf\xc3\xa9?x=\"1\"\\\n\t");
  e.set_body_hash("623b778b063c5538");
  e.set_body_bytes(63);
  e.set_idempotency_key("k-1");
  e.set_arrival_us(1'717'000'041'203'000);
  e.set_body_complete_us(-1);
  e.set_response_us(1'717'000'041'204'000);
  e.set_status(429);
  e.set_retry_after_s(-1);
  e.set_rejection(pimsim::v1::REJECTION_RATE_INSTANCE);
  e.set_fault("storm-503,slow");
  e.set_in_flight_connection(4);
  e.set_in_flight_instance(10);
  e.set_instance_bucket_available(0.25);
  e.set_conditional(true);
  e.set_client_aborted(true);
  e.set_response_cut(true);
  return e;
}

TEST(EventLineTest, ReadsWhatTheWriterWrites) {
  EventTable table;
  for (const JournalEvent& e : {Full(), JournalEvent(), Full()}) {
    const std::string line = Written(e);
    ASSERT_TRUE(ParseEventLine(line, &table)) << line;
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(e, table.ToProto(table.size() - 1)))
        << line;
  }
  // The second full event's strings are the first's.
  EXPECT_EQ(table.record(0).normalized_path, table.record(2).normalized_path);
  EXPECT_EQ(table.string_count(), 9u);  // "" and Full()'s eight strings
}

TEST(EventLineTest, UnescapesStringsWithEscapes) {
  EventTable table;
  ASSERT_TRUE(ParseEventLine(R"({"id":1,"normalized_path":"/a\"b\/c\n","method":"GET"})", &table));
  EXPECT_EQ(table.view(0).normalized_path(), "/a\"b/c\n");
  EXPECT_EQ(table.view(0).method(), "GET");
}

TEST(EventLineTest, IntegersAtTheirLimits) {
  EventTable table;
  ASSERT_TRUE(ParseEventLine(R"({"status":4294967295,"arrival_us":-9007199254740992,"id":9007199254740992})", &table));
  EXPECT_EQ(table.view(0).status(), 4294967295u);
  EXPECT_EQ(table.view(0).arrival_us(), -9007199254740992);
  EXPECT_EQ(table.view(0).id(), 9007199254740992u);
}

TEST(EventLineTest, LeavesEveryOtherFormToProtobuf) {
  EventTable table;
  for (const char* line : {
           "",
           "{",
           "{\"id\":1,}",
           "{ \"id\":1}",                        // whitespace
           "{\"id\":\"1\"}",                     // a 64-bit integer as a string
           "{\"id\":1.0}",                       // a fraction
           "{\"id\":01}",                        // a leading zero
           "{\"id\":9007199254740993}",          // beyond 2^53: read through a double
           "{\"status\":4294967296}",            // beyond uint32
           "{\"socket_id\":-1}",                 // negative unsigned
           "{\"arrivalUs\":1}",                  // the JSON name
           "{\"no_such_field\":1}",
           "{\"id\":1,\"id\":2}",                // a repeated key
           "{\"instance\":\"\\u00e9\"}",         // \u escapes
           "{\"instance\":\"\xff\"}",            // not UTF-8
           "{\"instance\":null}",
           "{\"rejection\":2}",                  // an enum by number
           "{\"rejection\":\"REJECTION_NOPE\"}",
           "{\"conditional\":1}",
           "{\"instance_bucket_available\":1e999}",
           // Found by journal_file_fuzzer: protobuf refuses a leading zero.
           "{\"instance_bucket_available\":050}",
           "{\"instance_bucket_available\":1.}",
           "{\"instance_bucket_available\":.5}",
           "{\"id\":1}x",
       }) {
    EXPECT_FALSE(ParseEventLine(line, &table)) << line;
  }
  EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace pimsim::journal
