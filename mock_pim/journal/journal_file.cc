#include "mock_pim/journal/journal_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/proto_json.h"
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

absl::StatusOr<JournalFile> ReadJournalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path, ": ", ErrnoText()));
  const std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseJournalFile(content, path);
}

absl::StatusOr<JournalFile> ParseJournalFile(absl::string_view content, absl::string_view path) {
  JournalFile file;
  google::protobuf::util::JsonParseOptions options;
  size_t line_number = 0;
  size_t begin = 0;
  while (begin < content.size()) {
    ++line_number;
    const size_t newline = content.find('\n', begin);
    const bool last = newline == std::string::npos;
    const absl::string_view line(content.data() + begin,
                                 (last ? content.size() : newline) - begin);
    begin = last ? content.size() : newline + 1;
    if (line.empty()) continue;
    const std::string where = absl::StrCat(path, ":", line_number, ": ");
    auto parse = [&](absl::string_view json, google::protobuf::Message* m) {
      return google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), m, options);
    };
    // A cut-off last line (the writer was stopped mid-write) is expected
    // after a crash: reported, not an error.
    auto cut_off = [&](const auto& status) {
      if (!last || status.ok()) return false;
      file.problems.push_back(absl::StrCat(where, "the last line is cut off (", line.size(),
                                           " bytes): the writer stopped mid-line"));
      return true;
    };
    auto unwrap = [&](absl::string_view key) -> std::optional<absl::string_view> {
      const std::string prefix = absl::StrCat("{\"", key, "\":");
      if (!absl::StartsWith(line, prefix) || !absl::EndsWith(line, "}")) return std::nullopt;
      return line.substr(prefix.size(), line.size() - prefix.size() - 1);
    };
    if (file.summary.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "a line after the summary line"));
    }
    if (std::optional<absl::string_view> inner = unwrap("journal")) {
      pimsim::v1::JournalFileHeader header;
      auto status = parse(*inner, &header);
      if (cut_off(status)) break;
      if (!status.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(where, "bad header: ", status.ToString()));
      }
      if (header.format() != kJournalFileFormat || header.version() != kJournalFileVersion) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, "not a journal this build reads (format \"", header.format(), "\" version ",
            header.version(), "; it reads \"", kJournalFileFormat, "\" version ",
            kJournalFileVersion, ")"));
      }
      file.header = std::move(header);
      continue;
    }
    if (std::optional<absl::string_view> inner = unwrap("summary")) {
      pimsim::v1::JournalSummary summary;
      auto status = parse(*inner, &summary);
      if (cut_off(status)) break;
      if (!status.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(where, "bad summary: ", status.ToString()));
      }
      file.summary = std::move(summary);
      continue;
    }
    if (std::optional<absl::string_view> inner = unwrap("reset")) {
      pimsim::v1::JournalReset reset;
      auto status = parse(*inner, &reset);
      if (cut_off(status)) break;
      if (!status.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(where, "bad reset line: ", status.ToString()));
      }
      file.events_before_reset += file.events.size();
      file.events.clear();
      continue;
    }
    pimsim::v1::JournalEvent event;
    auto status = parse(line, &event);
    if (cut_off(status)) break;
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "bad event: ", status.ToString()));
    }
    file.events.push_back(std::move(event));
  }
  std::stable_sort(file.events.begin(), file.events.end(),
                   [](const pimsim::v1::JournalEvent& a, const pimsim::v1::JournalEvent& b) {
                     return a.id() < b.id();
                   });
  if (!file.summary.has_value()) {
    file.problems.push_back(absl::StrCat(
        path, ": no summary line: the mock did not shut down cleanly (killed?), so events may be "
              "missing"));
  }
  return file;
}

}  // namespace pimsim
