// Journal files: streamed while the journal fills (the mock's writer), read
// back whole, and read back from what a crash leaves.
#include "journal/journal_file.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "mock_pim/journal/journal_testing.h"
#include "mock_pim/journal/fingerprint.h"
#include "mock_pim/journal/journal_file_writer.h"

namespace pimsim {
namespace {

using journal::JournalFile;
using journal::ParseJournalFile;
using journal::ReadJournalFile;

const absl::Time kEpoch = testing::kTestEpoch;

JournalRecord Record(absl::Duration arrival, std::string_view path = "/api/rest/v1/products") {
  return testing::TestRecord(arrival, path);
}

std::string TempPath(const std::string& name) { return testing::TestTempPath(name); }

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

pimsim::v1::JournalFileHeader Header() {
  pimsim::v1::JournalFileHeader header;
  header.mutable_scenario()->set_name("unit");
  return header;
}

TEST(JournalFileTest, RoundTripsEveryEventWithHeaderAndSummary) {
  Journal j(100, kEpoch);
  const std::string path = TempPath("journal.jsonl");
  auto writer = JournalFileWriter::Start(&j, path, Header());
  ASSERT_TRUE(writer.ok()) << writer.status();
  std::string hash;
  for (int i = 0; i < 50; ++i) {
    const std::string p = "/p?page=" + std::to_string(i);
    JournalRecord r = Record(absl::Milliseconds(10 * i), p);
    std::string key;
    if (i % 3 == 0) {
      r.method = "POST";
      hash = BodyHash("body" + std::to_string(i));
      r.body_hash = hash;
      r.body_bytes = 5;
      key = "k\"ey\n" + std::to_string(i);  // needs escaping
      r.idempotency_key = key;
    }
    if (i % 7 == 0) r.rejection = pimsim::v1::REJECTION_CONCURRENCY_CONNECTION;
    j.Append(r);
  }
  j.NextId();  // one in flight: never completed, not written
  pimsim::v1::JournalSummary summary = j.Summary();
  (*summary.mutable_judged_limits())["main"].set_max_in_flight_per_connection(2);
  ASSERT_TRUE((*writer)->Finish(summary).ok());

  const std::vector<std::string> lines = Lines(path);
  ASSERT_EQ(lines.size(), 52u);
  EXPECT_EQ(lines[0].rfind("{\"journal\":{\"format\":\"pimsim.journal\",\"version\":2,", 0), 0u)
      << lines[0];
  EXPECT_NE(lines[1].find("{\"id\":1,"), std::string::npos) << lines[1];  // numbers, not strings
  EXPECT_NE(lines[1].find("\"rejection\":\"REJECTION_CONCURRENCY_CONNECTION\""), std::string::npos);
  EXPECT_EQ(lines[51].rfind("{\"summary\":{\"events\":50,", 0), 0u) << lines[51];

  absl::StatusOr<JournalFile> file = ReadJournalFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(file->problems.empty()) << file->problems.front();
  ASSERT_TRUE(file->header.has_value());
  EXPECT_EQ(file->header->scenario().name(), "unit");
  ASSERT_TRUE(file->summary.has_value());
  EXPECT_EQ(file->summary->judged_limits().at("main").max_in_flight_per_connection(), 2u);
  const auto expected = j.Read(0, 100);
  ASSERT_EQ(file->events.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(file->events.ToProto(i).SerializeAsString(), expected[i].SerializeAsString()) << i;
  }
}

TEST(JournalFileTest, EventsReachTheFileWhileTheJournalRuns) {
  Journal j(100, kEpoch);
  const std::string path = TempPath("streaming.jsonl");
  auto writer = JournalFileWriter::Start(&j, path, Header(), {.flush_interval = absl::Milliseconds(5)});
  ASSERT_TRUE(writer.ok()) << writer.status();
  for (int i = 0; i < 3; ++i) j.Append(Record(absl::Milliseconds(i)));
  // No Finish(): what a reader finds while the mock runs (or after a kill).
  for (int wait = 0; wait < 400 && (*writer)->written() < 3; ++wait) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  absl::StatusOr<JournalFile> file = ReadJournalFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->events.size(), 3u);
  ASSERT_EQ(file->problems.size(), 1u);
  EXPECT_NE(file->problems[0].find("no summary line"), std::string::npos) << file->problems[0];
  ASSERT_TRUE((*writer)->Finish(j.Summary()).ok());
}

TEST(JournalFileTest, ARequestStillInFlightDoesNotHoldBackLaterOnes) {
  // A hung request keeps its id for minutes: the ones after it are written
  // as they complete, and it lands when it ends; readers order by id.
  Journal k(100, kEpoch);
  const std::string path2 = TempPath("holes.jsonl");
  auto running = JournalFileWriter::Start(&k, path2, Header(), {.flush_interval = absl::Milliseconds(2)});
  ASSERT_TRUE(running.ok());
  const uint64_t first = k.NextId();
  JournalRecord second = Record(absl::Milliseconds(1));
  second.id = k.NextId();
  k.Append(second);
  for (int wait = 0; wait < 400 && (*running)->written() < 1; ++wait) absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ((*running)->written(), 1u);
  JournalRecord late = Record(absl::ZeroDuration());
  late.id = first;
  k.Append(late);
  ASSERT_TRUE((*running)->Finish(k.Summary()).ok());
  const std::vector<std::string> lines = Lines(path2);
  ASSERT_EQ(lines.size(), 4u);  // header, #2, #1, summary
  EXPECT_EQ(lines[1].rfind("{\"id\":2,", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind("{\"id\":1,", 0), 0u) << lines[2];
  absl::StatusOr<JournalFile> file = ReadJournalFile(path2);
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(file->events.size(), 2u);
  EXPECT_EQ(file->events.view(0).id(), 1u);
  EXPECT_EQ(file->events.view(1).id(), 2u);
}

TEST(JournalFileTest, EventsWrittenOutOfOrderAreReadInIdOrder) {
  Journal j(1000, kEpoch);
  const std::string path = TempPath("shuffled.jsonl");
  auto writer = JournalFileWriter::Start(&j, path, Header());
  ASSERT_TRUE(writer.ok()) << writer.status();
  for (int i = 0; i < 300; ++i) {
    j.Append(Record(absl::Milliseconds(i), "/p?n=" + std::to_string(i)));
  }
  ASSERT_TRUE((*writer)->Finish(j.Summary()).ok());
  std::vector<std::string> lines = Lines(path);
  ASSERT_EQ(lines.size(), 302u);
  // Header first, summary last, the events between in a scrambled order
  // (long permutation cycles and fixed points both).
  std::vector<std::string> events(lines.begin() + 1, lines.end() - 1);
  std::vector<std::string> shuffled(events.size());
  for (size_t i = 0; i < events.size(); ++i) shuffled[(i * 7 + 3) % events.size()] = events[i];
  std::swap(shuffled[10], shuffled[11]);
  std::string content = lines.front() + "\n";
  for (const std::string& e : shuffled) content += e + "\n";
  content += lines.back() + "\n";
  absl::StatusOr<JournalFile> file = ParseJournalFile(content, "shuffled.jsonl");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->events.size(), 300u);
  for (size_t i = 0; i < file->events.size(); ++i) {
    EXPECT_EQ(file->events.view(i).id(), i + 1) << i;
    EXPECT_EQ(file->events.view(i).normalized_path(), "/p?n=" + std::to_string(i)) << i;
  }
}

TEST(JournalFileTest, AClearWritesWhatItForgetsThenAResetLine) {
  Journal j(100, kEpoch);
  const std::string path = TempPath("reset.jsonl");
  auto writer = JournalFileWriter::Start(&j, path, Header(), {.flush_interval = absl::Hours(1)});
  ASSERT_TRUE(writer.ok());
  j.Append(Record(absl::ZeroDuration()));
  j.Append(Record(absl::Milliseconds(1)));
  j.Clear(kEpoch + absl::Seconds(10));
  j.Append(Record(absl::Seconds(11)));
  ASSERT_TRUE((*writer)->Finish(j.Summary()).ok());
  const std::vector<std::string> lines = Lines(path);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[3].rfind("{\"reset\":{\"epoch\":", 0), 0u) << lines[3];
  absl::StatusOr<JournalFile> file = ReadJournalFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->events_before_reset, 2u);
  ASSERT_EQ(file->events.size(), 1u);
  EXPECT_EQ(file->events.view(0).id(), 3u);
}

TEST(JournalFileTest, ACutOffLastLineIsAProblemNotAnError) {
  Journal j(10, kEpoch);
  const std::string path = TempPath("torn.jsonl");
  auto writer = JournalFileWriter::Start(&j, path, Header());
  ASSERT_TRUE(writer.ok());
  j.Append(Record(absl::ZeroDuration()));
  j.Append(Record(absl::Milliseconds(1)));
  ASSERT_TRUE((*writer)->Finish(j.Summary()).ok());
  // What a kill mid-write leaves: the header, one event, half of the next.
  std::vector<std::string> lines = Lines(path);
  {
    std::ofstream out(path, std::ios::trunc);
    out << lines[0] << "\n" << lines[1] << "\n" << lines[2].substr(0, lines[2].size() / 2);
  }
  absl::StatusOr<JournalFile> file = ReadJournalFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->events.size(), 1u);
  ASSERT_EQ(file->problems.size(), 2u);
  EXPECT_NE(file->problems[0].find("torn.jsonl:3: the last line is cut off"), std::string::npos)
      << file->problems[0];
  EXPECT_NE(file->problems[1].find("no summary line"), std::string::npos);
}

TEST(JournalFileTest, ErrorsNameThePathAndLine) {
  Journal j(1, kEpoch);
  absl::StatusOr<std::unique_ptr<JournalFileWriter>> none =
      JournalFileWriter::Start(&j, "/nonexistent-dir/journal.jsonl", Header());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("/nonexistent-dir/journal.jsonl"), std::string::npos);

  EXPECT_EQ(ReadJournalFile(TempPath("missing.jsonl")).status().code(), absl::StatusCode::kNotFound);
  const std::string garbage = TempPath("garbage.jsonl");
  std::ofstream(garbage) << "{\"id\":1}\nnot json\n{\"id\":2}\n";
  const absl::Status bad = ReadJournalFile(garbage).status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("garbage.jsonl:2:"), std::string::npos) << bad;

  const std::string future = TempPath("future.jsonl");
  std::ofstream(future) << "{\"journal\":{\"format\":\"pimsim.journal\",\"version\":3}}\n";
  const absl::Status version = ReadJournalFile(future).status();
  EXPECT_EQ(version.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(version.message().find("version 3"), std::string::npos) << version;

  const std::string bad_limits = TempPath("bad_limits.jsonl");
  std::ofstream(bad_limits) << "{\"limits\":{\"time_us\":\"soon\"}}\n";
  const absl::Status limits = ReadJournalFile(bad_limits).status();
  EXPECT_EQ(limits.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(limits.message().find("bad_limits.jsonl:1: bad limits line"), std::string::npos)
      << limits;
}

TEST(JournalFileTest, AFullDiskIsAnErrorNotASilentLoss) {
  Journal j(10, kEpoch);
  // /dev/full takes the open and fails every write with ENOSPC.
  absl::StatusOr<std::unique_ptr<JournalFileWriter>> writer =
      JournalFileWriter::Start(&j, "/dev/full", Header());
  if (writer.ok()) {
    j.Append(Record(absl::ZeroDuration()));
    const absl::Status s = (*writer)->Finish(j.Summary());
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(s.message().find("/dev/full"), std::string::npos) << s;
  } else {
    EXPECT_NE(writer.status().message().find("/dev/full"), std::string::npos) << writer.status();
  }
}

TEST(JournalFileTest, ReadsTheOverflowCount) {
  Journal j(1, kEpoch);
  const std::string path = TempPath("overflow.jsonl");
  auto writer = JournalFileWriter::Start(&j, path, Header());
  ASSERT_TRUE(writer.ok());
  j.Append(Record(absl::ZeroDuration()));
  j.Append(Record(absl::ZeroDuration()));
  ASSERT_TRUE((*writer)->Finish(j.Summary()).ok());
  absl::StatusOr<JournalFile> file = ReadJournalFile(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->events.size(), 1u);
  EXPECT_EQ(file->summary->overflowed(), 1u);
}

TEST(JournalFileTest, RecordsEveryLimitChangeAndStartsAfreshAtAReset) {
  Journal j(100, kEpoch);
  const std::string path = TempPath("limits.jsonl");
  pimsim::v1::Limits defaults;
  defaults.set_max_in_flight_per_connection(4);
  pimsim::v1::Limits strict;
  strict.set_max_in_flight_per_connection(1);
  ASSERT_TRUE(j.RecordLimits(kEpoch, "main", defaults));
  auto writer = JournalFileWriter::Start(&j, path, Header(), {.flush_interval = absl::Hours(1)});
  ASSERT_TRUE(writer.ok());
  j.Append(Record(absl::ZeroDuration()));
  ASSERT_TRUE(j.RecordLimits(kEpoch + absl::Seconds(2), "main", strict));
  j.Clear(kEpoch + absl::Seconds(10));
  ASSERT_TRUE(j.RecordLimits(kEpoch + absl::Seconds(10), "main", strict));
  j.Append(Record(absl::Seconds(11)));
  ASSERT_TRUE(j.RecordLimits(kEpoch + absl::Seconds(12), "main", defaults));
  ASSERT_TRUE((*writer)->Finish(j.Summary()).ok());

  const std::vector<std::string> lines = Lines(path);
  // The header; the pass of the clear: 2 limits lines, the event, the
  // reset line; the last pass: 2 limits lines, the event; the summary.
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[1].rfind("{\"limits\":{\"instance\":\"main\",", 0), 0u) << lines[1];
  EXPECT_EQ(lines[4].rfind("{\"reset\":", 0), 0u) << lines[4];
  absl::StatusOr<JournalFile> file = ReadJournalFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  // What came before the reset is not judged; times are on the new epoch.
  ASSERT_EQ(file->limit_changes.size(), 2u);
  EXPECT_EQ(file->limit_changes[0].time_us(), 0);
  EXPECT_EQ(file->limit_changes[0].limits().max_in_flight_per_connection(), 1u);
  EXPECT_EQ(file->limit_changes[1].time_us(), 2'000'000);
  EXPECT_EQ(file->limit_changes[1].limits().max_in_flight_per_connection(), 4u);
  EXPECT_EQ(file->events.size(), 1u);
}

TEST(JournalFileTest, LimitChangesAreBounded) {
  Journal j(1, kEpoch);
  pimsim::v1::Limits limits;
  for (size_t i = 0; i < Journal::kMaxLimitChanges; ++i) {
    ASSERT_TRUE(j.RecordLimits(kEpoch, "main", limits)) << i;
  }
  EXPECT_FALSE(j.RecordLimits(kEpoch, "main", limits));
  EXPECT_EQ(j.LimitChanges().size(), Journal::kMaxLimitChanges);
  j.Clear();
  EXPECT_TRUE(j.LimitChanges().empty());
  EXPECT_TRUE(j.RecordLimits(kEpoch, "main", limits));
}

TEST(JournalFileTest, ReadsAVersion1File) {
  const std::string content =
      "{\"journal\":{\"format\":\"pimsim.journal\",\"version\":1}}\n"
      "{\"id\":1,\"instance\":\"default\",\"method\":\"GET\",\"status\":200}\n"
      "{\"summary\":{\"events\":1,\"judged_limits\":{\"default\":{\"max_in_flight_per_connection\":2}}}}\n";
  absl::StatusOr<JournalFile> file = ParseJournalFile(content, "v1.jsonl");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(file->limit_changes.empty());
  EXPECT_EQ(file->summary->judged_limits().at("default").max_in_flight_per_connection(), 2u);
  ASSERT_EQ(file->events.size(), 1u);
  EXPECT_EQ(file->events.view(0).method(), "GET");
}

}  // namespace
}  // namespace pimsim
