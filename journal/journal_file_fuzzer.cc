// Fuzzes the journal file reader with the input as a whole file.
//
// Properties: the bytes either read as a journal or fail with
// InvalidArgument naming the file and line; a journal that reads has its
// events in id order and a problem listed whenever it lacks a summary line;
// a journal that reads still reads with its last line cut in half (the
// writer stopped mid-line: a problem, not an error); every line the fast
// event reader accepts, protobuf's JSON parser reads the same way.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "bazel/fuzz_check.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "journal/event_line.h"
#include "journal/event_table.h"
#include "journal/journal_file.h"
#include "proto/journal.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view content(reinterpret_cast<const char*>(data), size);
  pimsim::journal::EventTable table;
  for (absl::string_view line : absl::StrSplit(content, '\n')) {
    const size_t before = table.size();
    if (!pimsim::journal::ParseEventLine(line, &table)) {
      FUZZ_CHECK(table.size() == before);
      continue;
    }
    FUZZ_CHECK(table.size() == before + 1);
    const pimsim::v1::JournalEvent fast = table.ToProto(before);
    pimsim::v1::JournalEvent slow;
    FUZZ_CHECK(google::protobuf::util::JsonStringToMessage(
                   google::protobuf::StringPiece(line.data(), line.size()), &slow)
                   .ok());
    FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(fast, slow));
  }
  const absl::StatusOr<pimsim::journal::JournalFile> file = pimsim::journal::ParseJournalFile(content, "fuzz");
  if (!file.ok()) {
    FUZZ_CHECK(file.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(absl::StartsWith(file.status().message(), "fuzz:"));
    return 0;
  }
  for (size_t i = 1; i < file->events.size(); ++i) {
    FUZZ_CHECK(file->events.view(i - 1).id() <= file->events.view(i).id());
  }
  FUZZ_CHECK(file->summary.has_value() || !file->problems.empty());
  // The writer can be stopped mid-line: whatever prefix it left must read.
  const size_t last_newline = content.rfind('\n');
  if (last_newline != absl::string_view::npos && last_newline + 1 < content.size()) {
    const size_t cut = last_newline + 1 + (content.size() - last_newline - 1) / 2;
    const absl::StatusOr<pimsim::journal::JournalFile> cut_file =
        pimsim::journal::ParseJournalFile(content.substr(0, cut), "fuzz");
    FUZZ_CHECK(cut_file.ok());
  }
  return 0;
}
