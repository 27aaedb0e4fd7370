// EventTable: journal events (proto/journal.proto, JournalEvent) in compact
// form, what the compliance checker judges and what journal files are read
// into. A record is fixed-size (112 bytes) and holds every field of the
// event; its strings (instance, connection, method, route, path, body hash,
// Idempotency-Key, fault) are ids into one pool where each distinct string
// is kept once. A million events of a long run take ~110 MB here, against
// ~400 bytes an event as protobuf messages, and are read without a heap
// allocation per event.
//
// Thread-safety: a const EventTable may be read from any thread; building
// one (Add, Append, Intern, SortById) is not thread-safe.
//
//   journal::EventTable table = journal::EventTable::FromEvents(events);
//   for (size_t i = 0; i < table.size(); ++i) {
//     journal::EventView e = table.view(i);
//     if (e.status() == 429) std::cout << e.method() << " " << e.normalized_path();
//   }
#ifndef PIMSIM_JOURNAL_EVENT_TABLE_H_
#define PIMSIM_JOURNAL_EVENT_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "proto/journal.pb.h"

namespace pimsim::journal {

// An id into EventTable's string pool; 0 is the empty string.
using StringId = uint32_t;

struct EventRecord {
  uint64_t id = 0;
  uint64_t socket_id = 0;
  uint64_t body_bytes = 0;
  int64_t arrival_us = 0;
  int64_t body_complete_us = 0;
  int64_t response_us = 0;
  int64_t retry_after_s = 0;
  double instance_bucket_available = 0;
  StringId instance = 0;
  StringId connection = 0;
  StringId method = 0;
  StringId route = 0;
  StringId normalized_path = 0;
  StringId body_hash = 0;
  StringId idempotency_key = 0;
  StringId fault = 0;
  uint32_t status = 0;
  uint32_t in_flight_connection = 0;
  uint32_t in_flight_instance = 0;
  // pimsim::v1::Rejection; 255 for a value outside 0..254.
  uint8_t rejection = 0;
  bool conditional = false;
  bool client_aborted = false;
  bool response_cut = false;
};

class EventTable;

// One event of a table, read with JournalEvent's accessor names (strings as
// views into the table, valid while it lives).
class EventView {
 public:
  EventView(const EventTable& table, const EventRecord& record) : t_(&table), r_(&record) {}

  uint64_t id() const { return r_->id; }
  absl::string_view instance() const;
  absl::string_view connection() const;
  uint64_t socket_id() const { return r_->socket_id; }
  absl::string_view method() const;
  absl::string_view route() const;
  absl::string_view normalized_path() const;
  absl::string_view body_hash() const;
  uint64_t body_bytes() const { return r_->body_bytes; }
  absl::string_view idempotency_key() const;
  int64_t arrival_us() const { return r_->arrival_us; }
  int64_t body_complete_us() const { return r_->body_complete_us; }
  int64_t response_us() const { return r_->response_us; }
  uint32_t status() const { return r_->status; }
  int64_t retry_after_s() const { return r_->retry_after_s; }
  pimsim::v1::Rejection rejection() const {
    return static_cast<pimsim::v1::Rejection>(r_->rejection);
  }
  absl::string_view fault() const;
  uint32_t in_flight_connection() const { return r_->in_flight_connection; }
  uint32_t in_flight_instance() const { return r_->in_flight_instance; }
  double instance_bucket_available() const { return r_->instance_bucket_available; }
  bool conditional() const { return r_->conditional; }
  bool client_aborted() const { return r_->client_aborted; }
  bool response_cut() const { return r_->response_cut; }

  const EventRecord& record() const { return *r_; }

 private:
  const EventTable* t_;
  const EventRecord* r_;
};

class EventTable {
 public:
  EventTable();
  EventTable(EventTable&&) noexcept;
  EventTable& operator=(EventTable&&) noexcept;
  EventTable(const EventTable&) = delete;
  EventTable& operator=(const EventTable&) = delete;

  static EventTable FromEvents(const std::vector<pimsim::v1::JournalEvent>& events);

  size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  const EventRecord& record(size_t i) const { return records_[i]; }
  EventView view(size_t i) const { return EventView(*this, records_[i]); }
  absl::string_view str(StringId id) const { return strings_[id]; }
  // Distinct strings held, and the bytes they take.
  size_t string_count() const { return strings_.size(); }
  size_t string_bytes() const { return string_bytes_; }

  // The id of `s`, added to the pool if new (`s` is copied).
  StringId Intern(absl::string_view s);
  // The id of `s` if the pool holds it.
  std::optional<StringId> Find(absl::string_view s);
  // Frees the index from strings to ids (~50 bytes a distinct string: a
  // million distinct paths and body hashes cost ~100 MB) once the table is
  // built; the next Find or Intern rebuilds it.
  void DropIndex();
  void Add(const pimsim::v1::JournalEvent& event);
  // A record whose string ids came from this table's Intern.
  void Append(const EventRecord& record) { records_.push_back(record); }
  void Reserve(size_t events) { records_.reserve(events); }
  // Drops the records (not the strings: they may be interned again).
  void ClearRecords() { records_.clear(); }
  // Orders the records by id (stable); cheap when they already are.
  void SortById();

  pimsim::v1::JournalEvent ToProto(size_t i) const;

 private:
  std::vector<EventRecord> records_;
  // Each distinct string once, in chunks that never move.
  std::vector<absl::string_view> strings_;
  std::deque<std::unique_ptr<char[]>> chunks_;
  size_t chunk_used_ = 0;
  size_t chunk_size_ = 0;
  size_t string_bytes_ = 0;
  // Empty after DropIndex() until index_built_ is set again.
  absl::flat_hash_map<absl::string_view, StringId> ids_;
  bool index_built_ = true;

  void BuildIndex();
};

inline absl::string_view EventView::instance() const { return t_->str(r_->instance); }
inline absl::string_view EventView::connection() const { return t_->str(r_->connection); }
inline absl::string_view EventView::method() const { return t_->str(r_->method); }
inline absl::string_view EventView::route() const { return t_->str(r_->route); }
inline absl::string_view EventView::normalized_path() const {
  return t_->str(r_->normalized_path);
}
inline absl::string_view EventView::body_hash() const { return t_->str(r_->body_hash); }
inline absl::string_view EventView::idempotency_key() const {
  return t_->str(r_->idempotency_key);
}
inline absl::string_view EventView::fault() const { return t_->str(r_->fault); }

}  // namespace pimsim::journal

#endif  // PIMSIM_JOURNAL_EVENT_TABLE_H_
