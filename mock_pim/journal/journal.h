// Journal: the bounded, thread-safe, in-memory record of every request
// attempt the mock received (one pimsim.v1.JournalEvent each), which the
// compliance checker, the control API and the reports read.
//
// Ids follow ARRIVAL order although an event is only complete when the
// request finishes: reserve an id with NextId() when the headers are parsed,
// Append(id, record) once at completion. Events are stored by id and every
// reader sees them in id order; an id reserved but not yet appended (a
// request still in flight) is simply absent, so a live reader that must not
// skip one pages only up to CompleteThrough().
//
// Memory is bounded by `capacity` events; nothing is dropped silently: an
// event that cannot be stored is counted in overflowed(), which is carried by
// Summary() and makes any verdict over the journal incomplete. Storage is a
// lazily allocated list of fixed-size blocks, so an idle journal costs almost
// nothing; repeated strings (instance, connection, method, route, fault) are
// interned, times are int64 microseconds since the journal's epoch.
//
// Text is recorded as valid UTF-8, since events are protos whose `string`
// fields must be: request bytes that are not (an Idempotency-Key, a path, a
// connection name) are repaired deterministically, each ill-formed subpart
// becoming U+FFFD (common/utf8.h), and the key, kept to 65,535 bytes, is cut
// only between characters. So one client's bytes can never make a
// GetJournal page or the journal file unreadable.
//
// Ids start at 1 and are never reused, not even across Clear(): a request in
// flight during a Clear() cannot land in the new journal under a new event's
// id (its late Append is counted in stale() and dropped).
//
// Thread-safety: thread-safe. NextId() is lock-free; the rest takes a mutex.
//
//   Journal journal(/*capacity=*/1'000'000, clock.Now());
//   record.id = journal.NextId();              // at arrival
//   journal.Append(record);                    // at completion
#ifndef PIMSIM_MOCK_PIM_JOURNAL_JOURNAL_H_
#define PIMSIM_MOCK_PIM_JOURNAL_JOURNAL_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "proto/journal.pb.h"

namespace pimsim {

// One request attempt, filled in by the HTTP shell over the request's life
// and appended at completion. Fields mirror pimsim.v1.JournalEvent (see
// journal.proto for their meaning). The text fields are views: what they view
// must stay valid until Append returns, which copies what it keeps (repeated
// values are interned, so they cost ~4 bytes an event).
struct JournalRecord {
  // From NextId() at arrival; 0 lets Append(record) assign the next id.
  uint64_t id = 0;
  std::string_view instance;
  std::string_view connection;  // empty: no valid credential
  uint64_t socket_id = 0;
  std::string_view method;
  std::string_view route;            // template, "unknown" if none
  std::string_view normalized_path;  // NormalizePath(path, query)
  std::string_view body_hash;        // BodyHash(body): 16 hex digits, "" for no body
  uint64_t body_bytes = 0;
  std::string_view idempotency_key;
  // InfinitePast() means "did not happen" and is journaled as -1 (e.g. the
  // body never completed because the client went away).
  absl::Time arrival = absl::InfinitePast();
  absl::Time body_complete = absl::InfinitePast();
  absl::Time response = absl::InfinitePast();
  uint32_t status = 0;         // 0: no response sent
  int64_t retry_after_s = -1;  // -1: no Retry-After sent
  pimsim::v1::Rejection rejection = pimsim::v1::REJECTION_NONE;
  std::string_view fault;  // fault rule that fired, empty if none
  uint32_t in_flight_connection = 0;
  uint32_t in_flight_instance = 0;
  double instance_bucket_available = 0;
  bool conditional = false;
  bool client_aborted = false;
  bool response_cut = false;
};

class Journal {
 public:
  // Stores at most `capacity` events. Times are journaled relative to `epoch`.
  Journal(size_t capacity, absl::Time epoch);
  ~Journal();

  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Reserves the next id (arrival order). Never 0.
  uint64_t NextId();
  // The last id reserved (0: none): requests that arrived, in flight or not,
  // since the journal was created (Clear does not restart ids).
  uint64_t LastId() const { return next_id_.load(std::memory_order_relaxed) - 1; }

  // Stores `record` under `id`, an id from NextId() (record.id is ignored).
  // Returns `id`, or 0 if it was not stored: beyond capacity, or an id never
  // reserved or already appended (all counted in overflowed()), or reserved
  // before the last Clear() (counted in stale()).
  uint64_t Append(uint64_t id, const JournalRecord& record);

  // Append(record.id, record), or with NextId() when record.id is 0.
  uint64_t Append(const JournalRecord& record);

  // Events stored.
  size_t size() const;
  size_t capacity() const { return capacity_; }
  // Events that could not be stored since construction or the last Clear().
  uint64_t overflowed() const;
  // Appends of ids reserved before the last Clear(), dropped.
  uint64_t stale() const;
  pimsim::v1::JournalSummary Summary() const;

  // The largest id such that every id reserved since the last Clear() up to
  // and including it has been appended; 0 if none. Events with larger ids may
  // still be joined by smaller in-flight ones.
  uint64_t CompleteThrough() const;

  // Up to `max` stored events with id > `after_id`, in id order. Page with
  // the last returned id as the next `after_id`.
  std::vector<pimsim::v1::JournalEvent> Read(uint64_t after_id, size_t max) const;

  // Limit changes kept between two Clear()s, at most.
  static constexpr size_t kMaxLimitChanges = 100'000;

  // Records that `limits` are in force on `instance` from `time` on (a
  // journal file writes each as a limits line; a verdict judges by them,
  // checker/judged_limits.h). The mock records every instance's limits
  // when the journal starts and after each Clear(), and each change.
  // False, recording nothing, once kMaxLimitChanges are kept.
  bool RecordLimits(absl::Time time, std::string_view instance, const pimsim::v1::Limits& limits);
  // The limit changes recorded since the last Clear(), from the `from`th
  // on, in the order recorded.
  std::vector<pimsim::v1::LimitChange> LimitChanges(size_t from = 0) const;

  // Forgets every event, limit change and the overflow count; ids keep
  // increasing.
  void Clear();
  // The same, with times from now on relative to `epoch`.
  void Clear(absl::Time epoch);
  // Runs `fn(epoch after the clear)` at the start of every Clear(), before
  // anything is forgotten (a journal file writer flushes there); nullptr
  // removes it. `fn` may read the journal.
  void SetBeforeClear(std::function<void(absl::Time)> fn);

  absl::Time epoch() const;

  // Heap bytes held (blocks, text, interned strings), for the benchmark
  // figure; and that divided by size() (0 when empty).
  size_t MemoryBytes() const;
  size_t ApproxBytesPerEvent() const;

 private:
  struct Slot;
  struct Block;

  // The interned fields of an event, each with its own last-id cache.
  enum InternField {
    kInstanceField,
    kConnectionField,
    kMethodField,
    kRouteField,
    kFaultField,
    kNumInternFields
  };

  uint32_t Intern(std::string_view s, InternField field) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string_view Interned(uint32_t id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  int64_t Micros(absl::Time t) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  const Slot* SlotAt(uint64_t index) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void ToProto(uint64_t index, const Slot& slot, pimsim::v1::JournalEvent* event) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void ClearLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t capacity_;
  std::atomic<uint64_t> next_id_{1};

  mutable Mutex mu_;
  absl::Time epoch_ ABSL_GUARDED_BY(mu_);
  // Id of slot 0: the first id reserved after the last Clear().
  uint64_t first_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::vector<std::unique_ptr<Block>> blocks_ ABSL_GUARDED_BY(mu_);
  size_t size_ ABSL_GUARDED_BY(mu_) = 0;
  // One past the highest stored slot index.
  uint64_t end_index_ ABSL_GUARDED_BY(mu_) = 0;
  // Slots [0, complete_index_) are all stored.
  uint64_t complete_index_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t overflowed_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t stale_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<pimsim::v1::LimitChange> limit_changes_ ABSL_GUARDED_BY(mu_);
  // Interned strings; id 0 is "". Deque elements never move, so the map's
  // keys can view them.
  std::deque<std::string> strings_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<absl::string_view, uint32_t> string_ids_ ABSL_GUARDED_BY(mu_);
  size_t string_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // Per field, what it interned last, checked before the hash map. Starts
  // as id 0, "".
  struct LastInterned {
    uint32_t id = 0;
    std::string_view text;
  };
  std::array<LastInterned, kNumInternFields> last_interned_ ABSL_GUARDED_BY(mu_) = {};

  Mutex before_clear_mu_;
  std::function<void(absl::Time)> before_clear_ ABSL_GUARDED_BY(before_clear_mu_);
};

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_JOURNAL_JOURNAL_H_
