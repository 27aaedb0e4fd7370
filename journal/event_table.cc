#include "journal/event_table.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <utility>

namespace pimsim::journal {
namespace {

// Strings are copied into chunks of at least this size.
constexpr size_t kChunkBytes = 1 << 20;

static_assert(sizeof(EventRecord) == 112, "EventRecord's size is part of its contract");

}  // namespace

EventTable::EventTable() {
  strings_.push_back(absl::string_view());
  ids_.emplace(absl::string_view(), 0);
}

EventTable::EventTable(EventTable&&) noexcept = default;
EventTable& EventTable::operator=(EventTable&&) noexcept = default;

EventTable EventTable::FromEvents(const std::vector<pimsim::v1::JournalEvent>& events) {
  EventTable table;
  table.Reserve(events.size());
  for (const pimsim::v1::JournalEvent& e : events) table.Add(e);
  return table;
}

void EventTable::BuildIndex() {
  if (index_built_) return;
  ids_.reserve(strings_.size());
  for (size_t i = 0; i < strings_.size(); ++i) ids_.emplace(strings_[i], static_cast<StringId>(i));
  index_built_ = true;
}

void EventTable::DropIndex() {
  absl::flat_hash_map<absl::string_view, StringId>().swap(ids_);
  index_built_ = false;
}

std::optional<StringId> EventTable::Find(absl::string_view s) {
  BuildIndex();
  if (auto it = ids_.find(s); it != ids_.end()) return it->second;
  return std::nullopt;
}

StringId EventTable::Intern(absl::string_view s) {
  if (s.empty()) return 0;
  BuildIndex();
  if (auto it = ids_.find(s); it != ids_.end()) return it->second;
  if (chunk_used_ + s.size() > chunk_size_) {
    chunk_size_ = std::max(kChunkBytes, s.size());
    chunks_.push_back(std::make_unique<char[]>(chunk_size_));
    chunk_used_ = 0;
  }
  char* at = chunks_.back().get() + chunk_used_;
  std::memcpy(at, s.data(), s.size());
  chunk_used_ += s.size();
  string_bytes_ += s.size();
  const absl::string_view kept(at, s.size());
  const StringId id = static_cast<StringId>(strings_.size());
  strings_.push_back(kept);
  ids_.emplace(kept, id);
  return id;
}

void EventTable::Add(const pimsim::v1::JournalEvent& e) {
  EventRecord r;
  r.id = e.id();
  r.socket_id = e.socket_id();
  r.body_bytes = e.body_bytes();
  r.arrival_us = e.arrival_us();
  r.body_complete_us = e.body_complete_us();
  r.response_us = e.response_us();
  r.retry_after_s = e.retry_after_s();
  r.instance_bucket_available = e.instance_bucket_available();
  r.instance = Intern(e.instance());
  r.connection = Intern(e.connection());
  r.method = Intern(e.method());
  r.route = Intern(e.route());
  r.normalized_path = Intern(e.normalized_path());
  r.body_hash = Intern(e.body_hash());
  r.idempotency_key = Intern(e.idempotency_key());
  r.fault = Intern(e.fault());
  r.status = e.status();
  r.in_flight_connection = e.in_flight_connection();
  r.in_flight_instance = e.in_flight_instance();
  // Values outside the enum (a file may hold any number) stay non-zero.
  const int rejection = e.rejection();
  r.rejection = static_cast<uint8_t>(rejection >= 0 && rejection < 255 ? rejection : 255);
  r.conditional = e.conditional();
  r.client_aborted = e.client_aborted();
  r.response_cut = e.response_cut();
  records_.push_back(r);
}

void EventTable::SortById() {
  auto by_id = [](const EventRecord& a, const EventRecord& b) { return a.id < b.id; };
  if (std::is_sorted(records_.begin(), records_.end(), by_id)) return;
  // (id, index) keys sorted, then the records moved into place one cycle of
  // the permutation at a time: no second array of records.
  std::vector<std::pair<uint64_t, uint32_t>> order(records_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = {records_[i].id, static_cast<uint32_t>(i)};
  std::sort(order.begin(), order.end());
  std::vector<bool> placed(order.size(), false);
  for (size_t i = 0; i < order.size(); ++i) {
    if (placed[i]) continue;
    // Position `at` takes the record at order[at].second, round the cycle.
    const EventRecord first = records_[i];
    size_t at = i;
    while (true) {
      placed[at] = true;
      const size_t from = order[at].second;
      if (from == i) {
        records_[at] = first;
        break;
      }
      records_[at] = records_[from];
      at = from;
    }
  }
}

pimsim::v1::JournalEvent EventTable::ToProto(size_t i) const {
  const EventRecord& r = records_[i];
  pimsim::v1::JournalEvent e;
  e.set_id(r.id);
  auto set = [this](StringId id, std::string* out) {
    const absl::string_view s = str(id);
    out->assign(s.data(), s.size());
  };
  set(r.instance, e.mutable_instance());
  set(r.connection, e.mutable_connection());
  e.set_socket_id(r.socket_id);
  set(r.method, e.mutable_method());
  set(r.route, e.mutable_route());
  set(r.normalized_path, e.mutable_normalized_path());
  set(r.body_hash, e.mutable_body_hash());
  e.set_body_bytes(r.body_bytes);
  set(r.idempotency_key, e.mutable_idempotency_key());
  e.set_arrival_us(r.arrival_us);
  e.set_body_complete_us(r.body_complete_us);
  e.set_response_us(r.response_us);
  e.set_status(r.status);
  e.set_retry_after_s(r.retry_after_s);
  e.set_rejection(static_cast<pimsim::v1::Rejection>(r.rejection));
  set(r.fault, e.mutable_fault());
  e.set_in_flight_connection(r.in_flight_connection);
  e.set_in_flight_instance(r.in_flight_instance);
  e.set_instance_bucket_available(r.instance_bucket_available);
  e.set_conditional(r.conditional);
  e.set_client_aborted(r.client_aborted);
  e.set_response_cut(r.response_cut);
  return e;
}

}  // namespace pimsim::journal
