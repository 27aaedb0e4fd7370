// JournalFileWriter: streams a mock's journal to a journal file while it
// runs (the layout: journal/journal_file.h), so that a mock killed at any
// moment leaves a readable record up to its last flush.
//
// Flush policy: a writer thread appends every event completed and every
// limit change recorded since its last pass, every `flush_interval` (default
// 100 ms), with write(2); the data is in the kernel once written, so it
// survives the process being killed (not a power cut: there is no fsync).
// The journal is the buffer: the writer holds one line at a time. A write
// error (disk full, file removed under it) stops the writing, is kept, and
// is returned by Finish(); nothing is dropped silently.
//
// Thread-safety: the methods may be called from any thread.
//
//   auto writer = JournalFileWriter::Start(&pim->journal(), "run.jsonl", header);
//   ...
//   absl::Status written = (*writer)->Finish(summary);
#ifndef PIMSIM_MOCK_PIM_JOURNAL_JOURNAL_FILE_WRITER_H_
#define PIMSIM_MOCK_PIM_JOURNAL_JOURNAL_FILE_WRITER_H_

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mock_pim/journal/journal.h"
#include "proto/journal.pb.h"

namespace pimsim {

struct JournalFileOptions {
  absl::Duration flush_interval = absl::Milliseconds(100);
};

class JournalFileWriter {
 public:
  // Creates (or truncates) `path`, writes the header line (format and
  // version are filled in) and starts streaming `journal`'s events. An error
  // names the path and the reason. `journal` must outlive the writer.
  static absl::StatusOr<std::unique_ptr<JournalFileWriter>> Start(
      Journal* journal, std::string path, pimsim::v1::JournalFileHeader header,
      JournalFileOptions options = {});
  // Finish()es if not done yet.
  ~JournalFileWriter();
  JournalFileWriter(const JournalFileWriter&) = delete;
  JournalFileWriter& operator=(const JournalFileWriter&) = delete;

  // Writes every event complete by now, then `summary` (its event count is
  // set to the events this file holds), and closes the file. Returns the
  // first write error, if any; later calls return the same.
  absl::Status Finish(pimsim::v1::JournalSummary summary);

  // Events written so far, and the first write error (OK if none).
  uint64_t written() const;
  absl::Status status() const;

 private:
  JournalFileWriter(Journal* journal, std::string path, int fd, JournalFileOptions options);

  void Run();
  // Writes the limit changes and events recorded since the last pass; with
  // `reset`, then a reset line (called from the journal's Clear(), before it
  // forgets anything).
  void Flush(std::optional<absl::Time> reset);
  // Appends `line` and a newline; keeps the first error.
  void WriteLine(const std::string& line);

  Journal* const journal_;
  const std::string path_;
  const JournalFileOptions options_;

  // Serialises passes: the thread's, Clear()'s and Finish()'s.
  mutable std::mutex write_mu_;
  int fd_ = -1;                  // guarded by write_mu_
  // The highest id written, and the ids below it not written yet (requests
  // still in flight when later ones completed). Guarded by write_mu_.
  uint64_t high_ = 0;
  std::set<uint64_t> holes_;
  uint64_t written_ = 0;         // guarded by write_mu_
  // Limit changes written since the journal's last Clear().
  size_t limits_written_ = 0;    // guarded by write_mu_
  absl::Status status_;          // guarded by write_mu_
  bool finished_ = false;        // guarded by write_mu_
  absl::Status finish_status_;   // guarded by write_mu_

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::thread thread_;
};

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_JOURNAL_JOURNAL_FILE_WRITER_H_
