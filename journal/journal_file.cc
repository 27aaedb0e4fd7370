#include "journal/journal_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "journal/event_line.h"

namespace pimsim::journal {
namespace {

std::string ErrnoText() { return std::strerror(errno); }

// Reads a journal file line by line; a line is handed over once, in order.
class JournalFileParser {
 public:
  explicit JournalFileParser(absl::string_view path) : path_(path) {}
  // Room for about `events` events, so that a large file is not copied as
  // the vector grows.
  void Reserve(size_t events) { file_.events.Reserve(events); }

  // `last`: the line has no newline after it (the end of the file). An
  // error stops the reading; a cut-off last line does not (it is a problem).
  absl::Status Line(absl::string_view line, bool last) {
    ++line_number_;
    if (line.empty() || stopped_) return absl::OkStatus();
    auto where = [&] { return absl::StrCat(path_, ":", line_number_, ": "); };
    auto parse = [&](absl::string_view json, google::protobuf::Message* m) {
      return google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), m, options_);
    };
    // A cut-off last line (the writer was stopped mid-write) is expected
    // after a crash: reported, not an error.
    auto cut_off = [&](const auto& status) {
      if (!last || status.ok()) return false;
      file_.problems.push_back(absl::StrCat(where(), "the last line is cut off (", line.size(),
                                            " bytes): the writer stopped mid-line"));
      stopped_ = true;
      return true;
    };
    auto unwrap = [&](absl::string_view key) -> std::optional<absl::string_view> {
      if (line.size() < key.size() + 5 || line[0] != '{' || line[1] != '"' ||
          line.substr(2, key.size()) != key || line.substr(2 + key.size(), 2) != "\":" ||
          line.back() != '}') {
        return std::nullopt;
      }
      return line.substr(key.size() + 4, line.size() - key.size() - 5);
    };
    if (file_.summary.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), "a line after the summary line"));
    }
    // The writer's own event form, fast; the rest through protobuf's parser.
    if (ParseEventLine(line, &file_.events)) return absl::OkStatus();
    if (std::optional<absl::string_view> inner = unwrap("journal")) {
      pimsim::v1::JournalFileHeader header;
      auto status = parse(*inner, &header);
      if (cut_off(status)) return absl::OkStatus();
      if (!status.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(where(), "bad header: ", status.ToString()));
      }
      if (header.format() != kJournalFileFormat || header.version() < kOldestJournalFileVersion ||
          header.version() > kJournalFileVersion) {
        return absl::InvalidArgumentError(absl::StrCat(
            where(), "not a journal this build reads (format \"", header.format(), "\" version ",
            header.version(), "; it reads \"", kJournalFileFormat, "\" versions ",
            kOldestJournalFileVersion, " to ", kJournalFileVersion, ")"));
      }
      file_.header = std::move(header);
      return absl::OkStatus();
    }
    if (std::optional<absl::string_view> inner = unwrap("summary")) {
      pimsim::v1::JournalSummary summary;
      auto status = parse(*inner, &summary);
      if (cut_off(status)) return absl::OkStatus();
      if (!status.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(where(), "bad summary: ", status.ToString()));
      }
      file_.summary = std::move(summary);
      return absl::OkStatus();
    }
    if (std::optional<absl::string_view> inner = unwrap("reset")) {
      pimsim::v1::JournalReset reset;
      auto status = parse(*inner, &reset);
      if (cut_off(status)) return absl::OkStatus();
      if (!status.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where(), "bad reset line: ", status.ToString()));
      }
      file_.events_before_reset += file_.events.size();
      file_.events.ClearRecords();
      file_.limit_changes.clear();
      return absl::OkStatus();
    }
    if (std::optional<absl::string_view> inner = unwrap("limits")) {
      pimsim::v1::LimitChange change;
      auto status = parse(*inner, &change);
      if (cut_off(status)) return absl::OkStatus();
      if (!status.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where(), "bad limits line: ", status.ToString()));
      }
      file_.limit_changes.push_back(std::move(change));
      return absl::OkStatus();
    }
    pimsim::v1::JournalEvent event;
    auto status = parse(line, &event);
    if (cut_off(status)) return absl::OkStatus();
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), "bad event: ", status.ToString()));
    }
    file_.events.Add(event);
    return absl::OkStatus();
  }

  JournalFile Finish() && {
    // The writer writes in id order but for requests still in flight at a
    // flush.
    file_.events.SortById();
    file_.events.DropIndex();
    if (!file_.summary.has_value()) {
      file_.problems.push_back(absl::StrCat(
          path_, ": no summary line: the mock did not shut down cleanly (killed?), so events may "
                 "be missing"));
    }
    return std::move(file_);
  }

 private:
  const std::string path_;
  google::protobuf::util::JsonParseOptions options_;
  JournalFile file_;
  size_t line_number_ = 0;
  bool stopped_ = false;  // after a cut-off last line
};

}  // namespace

absl::StatusOr<JournalFile> ReadJournalFile(const std::string& path) {
  // In chunks, a line at a time: the file is never held whole.
  std::unique_ptr<FILE, int (*)(FILE*)> in(fopen(path.c_str(), "rb"), fclose);
  if (in == nullptr) return absl::NotFoundError(absl::StrCat("cannot read ", path, ": ", ErrnoText()));
  JournalFileParser parser(path);
  // Event lines are 250 to 400 bytes: reserve for the shortest.
  if (fseek(in.get(), 0, SEEK_END) == 0) {
    const long size = ftell(in.get());
    if (size > 0) parser.Reserve(static_cast<size_t>(size) / 250 + 16);
    rewind(in.get());
  }
  constexpr size_t kChunk = 4 << 20;
  std::string buffer;
  std::vector<char> chunk(kChunk);
  for (;;) {
    const size_t n = fread(chunk.data(), 1, kChunk, in.get());
    if (n == 0) break;
    buffer.append(chunk.data(), n);
    size_t begin = 0;
    for (size_t newline; (newline = buffer.find('\n', begin)) != std::string::npos;
         begin = newline + 1) {
      if (absl::Status s = parser.Line(absl::string_view(buffer).substr(begin, newline - begin),
                                       /*last=*/false);
          !s.ok()) {
        return s;
      }
    }
    buffer.erase(0, begin);
  }
  if (ferror(in.get())) return absl::DataLossError(absl::StrCat("reading ", path, ": ", ErrnoText()));
  if (!buffer.empty()) {
    if (absl::Status s = parser.Line(buffer, /*last=*/true); !s.ok()) return s;
  }
  return std::move(parser).Finish();
}

absl::StatusOr<JournalFile> ParseJournalFile(absl::string_view content, absl::string_view path) {
  JournalFileParser parser(path);
  size_t begin = 0;
  while (begin < content.size()) {
    const size_t newline = content.find('\n', begin);
    const bool last = newline == absl::string_view::npos;
    const absl::string_view line =
        content.substr(begin, (last ? content.size() : newline) - begin);
    begin = last ? content.size() : newline + 1;
    if (absl::Status s = parser.Line(line, last); !s.ok()) return s;
  }
  return std::move(parser).Finish();
}

}  // namespace pimsim::journal
