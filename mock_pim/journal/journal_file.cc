#include "mock_pim/journal/journal_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/proto_json.h"
#include "mock_pim/journal/event_line.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace pimsim {
namespace {

constexpr size_t kPage = 4096;
// Ids still awaited below the highest one written, at most: beyond this the
// oldest are taken as never coming (they overflowed the journal, which the
// summary counts).
constexpr size_t kMaxHoles = 1'000'000;

google::protobuf::util::JsonPrintOptions PrintOptions() {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  return options;
}

// `{"<key>":<message>}`.
absl::StatusOr<std::string> Wrapped(absl::string_view key, const google::protobuf::Message& m) {
  absl::StatusOr<std::string> json = MessageToJson(m, PrintOptions());
  if (!json.ok()) return json.status();
  return absl::StrCat("{\"", key, "\":", *json, "}");
}

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

absl::StatusOr<std::unique_ptr<JournalFileWriter>> JournalFileWriter::Start(
    Journal* journal, std::string path, pimsim::v1::JournalFileHeader header,
    JournalFileOptions options) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot write the journal to ", path, ": ", ErrnoText()));
  }
  std::unique_ptr<JournalFileWriter> writer(
      new JournalFileWriter(journal, std::move(path), fd, options));
  header.set_format(kJournalFileFormat);
  header.set_version(kJournalFileVersion);
  *header.mutable_epoch() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(journal->epoch()));
  absl::StatusOr<std::string> line = Wrapped("journal", header);
  if (!line.ok()) return line.status();
  {
    std::lock_guard<std::mutex> lock(writer->write_mu_);
    writer->WriteLine(*line);
    if (!writer->status_.ok()) return writer->status_;
  }
  journal->SetBeforeClear([w = writer.get()](absl::Time epoch) { w->Flush(epoch); });
  writer->thread_ = std::thread([w = writer.get()] { w->Run(); });
  return writer;
}

JournalFileWriter::JournalFileWriter(Journal* journal, std::string path, int fd,
                                     JournalFileOptions options)
    : journal_(journal), path_(std::move(path)), options_(options), fd_(fd) {}

JournalFileWriter::~JournalFileWriter() {
  pimsim::v1::JournalSummary summary = journal_->Summary();
  Finish(summary).IgnoreError();
}

void JournalFileWriter::Run() {
  std::unique_lock<std::mutex> lock(stop_mu_);
  while (!stopping_) {
    stop_cv_.wait_for(lock,
                      std::chrono::microseconds(absl::ToInt64Microseconds(options_.flush_interval)),
                      [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    Flush(std::nullopt);
    lock.lock();
  }
}

void JournalFileWriter::WriteLine(const std::string& line) {
  if (fd_ < 0 || !status_.ok()) return;
  std::string data = line;
  data.push_back('\n');
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status_ = absl::DataLossError(
          absl::StrCat("writing the journal to ", path_, ": ", n < 0 ? ErrnoText() : "no progress",
                       " (", written_, " events written; the rest stay in memory only)"));
      return;
    }
    done += static_cast<size_t>(n);
  }
}

void JournalFileWriter::Flush(std::optional<absl::Time> reset) {
  std::lock_guard<std::mutex> lock(write_mu_);
  if (fd_ < 0) return;
  static const ProtoJsonPrinter* const printer =
      new ProtoJsonPrinter(pimsim::v1::JournalEvent::descriptor(), PrintOptions());
  std::string line;
  auto write = [&](const pimsim::v1::JournalEvent& event) {
    line.clear();
    if (absl::Status s = printer->Print(event, &line); !s.ok()) {
      if (status_.ok()) status_ = s;
      return;
    }
    WriteLine(line);
    if (status_.ok()) ++written_;
  };
  // Events that arrived before the highest one written and have completed
  // since.
  for (auto it = holes_.begin(); it != holes_.end();) {
    const std::vector<pimsim::v1::JournalEvent> one = journal_->Read(*it - 1, 1);
    if (!one.empty() && one.front().id() == *it) {
      write(one.front());
      it = holes_.erase(it);
    } else {
      ++it;
    }
  }
  // Everything stored above it.
  while (true) {
    const std::vector<pimsim::v1::JournalEvent> page = journal_->Read(high_, kPage);
    if (page.empty()) break;
    for (const pimsim::v1::JournalEvent& event : page) {
      for (uint64_t id = high_ + 1; id < event.id(); ++id) holes_.insert(id);
      write(event);
      high_ = event.id();
    }
    while (holes_.size() > kMaxHoles) holes_.erase(holes_.begin());
  }
  if (reset.has_value()) {
    // Whatever is still awaited is lost with the clear (counted as stale).
    holes_.clear();
    pimsim::v1::JournalReset marker;
    *marker.mutable_epoch() =
        google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(*reset));
    absl::StatusOr<std::string> json = Wrapped("reset", marker);
    if (json.ok()) WriteLine(*json);
  }
}

absl::Status JournalFileWriter::Finish(pimsim::v1::JournalSummary summary) {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(write_mu_);
    if (finished_) return finish_status_;
  }
  journal_->SetBeforeClear(nullptr);
  Flush(std::nullopt);
  std::lock_guard<std::mutex> lock(write_mu_);
  finished_ = true;
  summary.set_events(written_);
  absl::StatusOr<std::string> json = Wrapped("summary", summary);
  if (json.ok()) {
    WriteLine(*json);
  } else if (status_.ok()) {
    status_ = json.status();
  }
  if (::close(fd_) != 0 && status_.ok()) {
    status_ = absl::DataLossError(absl::StrCat("closing the journal ", path_, ": ", ErrnoText()));
  }
  fd_ = -1;
  finish_status_ = status_;
  return finish_status_;
}

uint64_t JournalFileWriter::written() const {
  std::lock_guard<std::mutex> lock(write_mu_);
  return written_;
}

absl::Status JournalFileWriter::status() const {
  std::lock_guard<std::mutex> lock(write_mu_);
  return status_;
}

namespace {

// Reads a journal file line by line; a line is handed over once, in order.
class JournalFileParser {
 public:
  explicit JournalFileParser(absl::string_view path) : path_(path) {}
  // Room for about `events` events, so that a large file is not copied as
  // the vector grows.
  void Reserve(size_t events) { file_.events.reserve(events); }

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
    pimsim::v1::JournalEvent event;
    if (ParseEventLine(line, &event)) {
      file_.events.push_back(std::move(event));
      return absl::OkStatus();
    }
    if (std::optional<absl::string_view> inner = unwrap("journal")) {
      pimsim::v1::JournalFileHeader header;
      auto status = parse(*inner, &header);
      if (cut_off(status)) return absl::OkStatus();
      if (!status.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(where(), "bad header: ", status.ToString()));
      }
      if (header.format() != kJournalFileFormat || header.version() != kJournalFileVersion) {
        return absl::InvalidArgumentError(absl::StrCat(
            where(), "not a journal this build reads (format \"", header.format(), "\" version ",
            header.version(), "; it reads \"", kJournalFileFormat, "\" version ",
            kJournalFileVersion, ")"));
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
      file_.events.clear();
      return absl::OkStatus();
    }
    auto status = parse(line, &event);
    if (cut_off(status)) return absl::OkStatus();
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), "bad event: ", status.ToString()));
    }
    file_.events.push_back(std::move(event));
    return absl::OkStatus();
  }

  JournalFile Finish() && {
    // The writer writes in id order but for requests still in flight at a
    // flush; sort only when needed (moving a million events costs).
    auto by_id = [](const pimsim::v1::JournalEvent& a, const pimsim::v1::JournalEvent& b) {
      return a.id() < b.id();
    };
    if (!std::is_sorted(file_.events.begin(), file_.events.end(), by_id)) {
      // Sorted as (id, index) keys, then the events moved into place one
      // cycle of the permutation at a time: n swaps of events, no second
      // array of them.
      std::vector<std::pair<uint64_t, uint32_t>> order(file_.events.size());
      for (size_t i = 0; i < order.size(); ++i) {
        order[i] = {file_.events[i].id(), static_cast<uint32_t>(i)};
      }
      std::sort(order.begin(), order.end());
      std::vector<bool> placed(order.size(), false);
      for (size_t i = 0; i < order.size(); ++i) {
        if (placed[i]) continue;
        // Position i takes the event at order[i].second, and so on round
        // the cycle.
        size_t at = i;
        while (!placed[at]) {
          placed[at] = true;
          const size_t from = order[at].second;
          if (from == i) break;
          file_.events[at].Swap(&file_.events[from]);
          at = from;
        }
      }
    }
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

}  // namespace pimsim
