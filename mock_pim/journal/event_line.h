// ParseEventLine: a journal file's event line ({"id":17,"instance":...}) read
// into a JournalEvent without protobuf's JSON parser, which spends ~20 us on
// a line: a 1,000,000-event journal is read in a second, not half a minute.
//
// It reads exactly what JournalFileWriter writes (common/proto_json.h: the
// .proto field names, integers as JSON numbers, enums as names, strings
// without escapes other than \" \\ \/ \b \f \n \r \t and \uXXXX) and says
// false for anything else, for which the caller falls back to protobuf's
// parser; whatever it accepts, protobuf's parser reads the same way (the
// journal_file_fuzzer checks it).
//
// Thread-safety: pure function.
#ifndef PIMSIM_MOCK_PIM_JOURNAL_EVENT_LINE_H_
#define PIMSIM_MOCK_PIM_JOURNAL_EVENT_LINE_H_

#include "absl/strings/string_view.h"
#include "proto/journal.pb.h"

namespace pimsim {

// True when `line` was read into `event` (cleared first); false when the
// line is not in the writer's form (`event` is then unspecified).
bool ParseEventLine(absl::string_view line, pimsim::v1::JournalEvent* event);

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_JOURNAL_EVENT_LINE_H_
