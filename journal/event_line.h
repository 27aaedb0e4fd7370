// ParseEventLine: a journal file's event line ({"id":17,"instance":...}) read
// straight into an EventTable record, without protobuf's JSON parser (which
// spends ~20 us on a line) and without a heap allocation for a string the
// table already holds: a 1,000,000-event journal is read in well under a
// second, not half a minute.
//
// It reads exactly what JournalFileWriter writes (common/proto_json.h: the
// .proto field names, integers as JSON numbers, enums as names, strings
// without escapes other than \" \\ \/ \b \f \n \r \t and \uXXXX) and says
// false for anything else, for which the caller falls back to protobuf's
// parser; whatever it accepts, protobuf's parser reads the same way (the
// journal_file_fuzzer checks it against EventTable::ToProto).
//
// Thread-safety: as the table's (one thread builds a table).
#ifndef PIMSIM_JOURNAL_EVENT_LINE_H_
#define PIMSIM_JOURNAL_EVENT_LINE_H_

#include "absl/strings/string_view.h"
#include "journal/event_table.h"

namespace pimsim::journal {

// True when `line` was read and appended to `table` as its last record;
// false when the line is not in the writer's form (no record is appended;
// strings of it may have been interned).
bool ParseEventLine(absl::string_view line, EventTable* table);

}  // namespace pimsim::journal

#endif  // PIMSIM_JOURNAL_EVENT_LINE_H_
