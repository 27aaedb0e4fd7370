#include "mock_pim/journal/journal_file_writer.h"

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
#include "journal/journal_file.h"
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
  header.set_format(journal::kJournalFileFormat);
  header.set_version(journal::kJournalFileVersion);
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
  // Limit changes first: a reader orders the file by time anyway.
  for (const pimsim::v1::LimitChange& change : journal_->LimitChanges(limits_written_)) {
    absl::StatusOr<std::string> json = Wrapped("limits", change);
    if (!json.ok()) {
      if (status_.ok()) status_ = json.status();
      return;
    }
    WriteLine(*json);
    ++limits_written_;
  }
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
    limits_written_ = 0;
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

}  // namespace pimsim
