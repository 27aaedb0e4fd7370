// Journal files: the layout `pimsim serve --journal` and `pimsim run
// --journal` write (mock_pim/journal/journal_file_writer.h), and their
// reading back for offline judging (`pimsim report --journal`).
//
// Layout (proto/journal.proto), one JSON object per line:
//   {"journal":{...}}   JournalFileHeader: format, version, the scenario
//                       (instances and their starting limits, fault rules,
//                       expectations), the wall-clock epoch of time 0;
//   {"limits":{...}}    LimitChange: the limits in force on an instance
//                       from a time on, one per instance at the start and
//                       after each reset, then one at each change (phases,
//                       `pimsim ctl limits set`); version 2 on;
//   {"id":...}          a JournalEvent (protobuf's JSON with the proto field
//                       names, 64-bit integers as numbers), each once, as it
//                       completes (in id order but for requests held long, a
//                       hang say, which land after events that arrived
//                       later: readers order events by id);
//   {"reset":{...}}     the journal was cleared: what came before is not
//                       judged;
//   {"summary":{...}}   JournalSummary (counts, the fault rules, the phases
//                       and errors of a run) as the last line once the
//                       writer finished.
//
// Reading tolerates what a crash leaves: a last line cut off mid-way and a
// missing summary line are reported in JournalFile::problems, not errors;
// any other line that does not parse is an error naming the file and line.
// Event lines in the writer's own form are read by a parser of that form
// (event_line.h), the rest by protobuf's; the events go into an EventTable
// (event_table.h), so a 1,000,000-event file is read in well under a second
// into ~110 MB.
//
// Thread-safety: ReadJournalFile and ParseJournalFile are pure functions of
// the file.
//
//   absl::StatusOr<journal::JournalFile> file = journal::ReadJournalFile("run.jsonl");
//   if (!file.ok()) return file.status();
//   for (size_t i = 0; i < file->events.size(); ++i) Use(file->events.view(i));
#ifndef PIMSIM_JOURNAL_JOURNAL_FILE_H_
#define PIMSIM_JOURNAL_JOURNAL_FILE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "journal/event_table.h"
#include "proto/journal.pb.h"

namespace pimsim::journal {

inline constexpr char kJournalFileFormat[] = "pimsim.journal";
// The layout version this build writes; it reads this one and the ones
// before it (version 1: no limits lines, the judged limits in the summary).
inline constexpr uint32_t kJournalFileVersion = 2;
inline constexpr uint32_t kOldestJournalFileVersion = 1;

// What a journal file holds.
struct JournalFile {
  std::optional<pimsim::v1::JournalFileHeader> header;
  // The events after the last reset line, in id order.
  EventTable events;
  // Events before the last reset line (not in `events`).
  uint64_t events_before_reset = 0;
  // The limits lines after the last reset line, in file (time) order.
  std::vector<pimsim::v1::LimitChange> limit_changes;
  std::optional<pimsim::v1::JournalSummary> summary;
  // Why the file is incomplete: its last line is cut off, it has no summary
  // line. Empty for a file the writer finished.
  std::vector<std::string> problems;
};

// Reads a journal file, streamed (4 MiB at a time; the file is never held
// whole). A file without a header line, as written before the header
// existed, is read as version 1. NotFound when it cannot be opened;
// InvalidArgument "path:line: ..." for a line that does not parse other than
// a cut-off last one, an unknown format or version, or a line after the
// summary line.
absl::StatusOr<JournalFile> ReadJournalFile(const std::string& path);

// ReadJournalFile's reading of a file's bytes; `path` names it in errors.
absl::StatusOr<JournalFile> ParseJournalFile(absl::string_view content, absl::string_view path);

}  // namespace pimsim::journal

#endif  // PIMSIM_JOURNAL_JOURNAL_FILE_H_
