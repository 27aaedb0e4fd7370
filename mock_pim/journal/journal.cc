#include "mock_pim/journal/journal.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/hex.h"
#include "common/utf8.h"
#include "mock_pim/journal/fingerprint.h"

namespace pimsim {

namespace {

constexpr size_t kBlockSize = 1024;
// Interned values beyond this many distinct ones are journaled as "?"; the
// interned fields are bounded sets in practice (routes, methods, credentials).
constexpr size_t kMaxInterned = 65536;
constexpr uint32_t kUnknownId = 1;

constexpr uint8_t kFilled = 1;
constexpr uint8_t kHasBodyHash = 2;
constexpr uint8_t kConditional = 4;
constexpr uint8_t kClientAborted = 8;
constexpr uint8_t kResponseCut = 16;

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// `text`, or its repair (common/utf8.h) in `*storage` when it is not valid
// UTF-8: events become protos, whose string fields must be valid UTF-8.
std::string_view ValidText(std::string_view text, std::string* storage) {
  if (IsValidUtf8(text)) return text;
  *storage = ToValidUtf8(text);
  return *storage;
}

}  // namespace

// The stored form of one event: fixed-size, no pointers. Variable-length text
// (normalized path, idempotency key) lives in the block's text arena.
struct Journal::Slot {
  int64_t arrival_us;
  int64_t body_complete_us;
  int64_t response_us;
  uint64_t socket_id;
  uint64_t body_bytes;
  uint64_t body_hash;
  int64_t retry_after_s;
  double instance_bucket_available;
  uint32_t in_flight_connection;
  uint32_t in_flight_instance;
  uint32_t instance;
  uint32_t connection;
  uint32_t method;
  uint32_t route;
  uint32_t fault;
  uint32_t text_offset;
  uint32_t path_length;
  uint16_t key_length;
  uint16_t status;
  uint8_t rejection;
  uint8_t flags;
  uint8_t hash_text_length;  // body hash kept as text (not 16 hex digits)
};

struct Journal::Block {
  // Value-initialized (all zero: every slot empty) by `new Block()`.
  std::array<Slot, kBlockSize> slots;
  std::string text;
};

Journal::Journal(size_t capacity, absl::Time epoch) : capacity_(capacity), epoch_(epoch) {
  MutexLock lock(&mu_);
  for (const char* s : {"", "?"}) {  // ids 0 and 1 (kUnknownId)
    strings_.emplace_back(s);
    string_ids_.emplace(absl::string_view(strings_.back()), strings_.size() - 1);
  }
}

Journal::~Journal() = default;

uint64_t Journal::NextId() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

uint32_t Journal::Intern(std::string_view s, InternField field) {
  // Consecutive events mostly repeat the same instance, connection, method
  // and route: the field's last id saves hashing them (and checking them:
  // what was interned is valid UTF-8).
  // Interned strings never move (a deque), so the cache can view them.
  LastInterned& last = last_interned_[field];
  if (s == last.text) return last.id;
  std::string repaired;
  if (!IsValidUtf8(s)) {
    repaired = ToValidUtf8(s);
    s = repaired;
  }
  uint32_t id;
  auto it = string_ids_.find(Absl(s));
  if (it != string_ids_.end()) {
    id = it->second;
  } else {
    if (strings_.size() >= kMaxInterned) return kUnknownId;
    id = static_cast<uint32_t>(strings_.size());
    strings_.emplace_back(s);
    string_bytes_ += strings_.back().capacity() + 1;
    string_ids_.emplace(absl::string_view(strings_.back()), id);
  }
  last.id = id;
  last.text = Interned(id);
  return id;
}

std::string_view Journal::Interned(uint32_t id) const {
  const std::string& s = strings_[id];
  return std::string_view(s.data(), s.size());
}

int64_t Journal::Micros(absl::Time t) const {
  if (t == absl::InfinitePast()) return -1;
  return absl::ToInt64Microseconds(t - epoch_);
}

const Journal::Slot* Journal::SlotAt(uint64_t index) const {
  const uint64_t b = index / kBlockSize;
  if (b >= blocks_.size() || blocks_[b] == nullptr) return nullptr;
  const Slot& slot = blocks_[b]->slots[index % kBlockSize];
  return (slot.flags & kFilled) ? &slot : nullptr;
}

uint64_t Journal::Append(const JournalRecord& record) {
  return Append(record.id != 0 ? record.id : NextId(), record);
}

uint64_t Journal::Append(uint64_t id, const JournalRecord& record) {
  // The free text (path, key, a malformed body hash) is repaired to valid
  // UTF-8 before the lock; interned fields are repaired once, when interned.
  std::string path_storage, key_storage, hash_storage;
  std::string_view path = ValidText(record.normalized_path, &path_storage);
  std::string_view key = ValidUtf8Prefix(ValidText(record.idempotency_key, &key_storage),
                                         std::numeric_limits<uint16_t>::max());
  MutexLock lock(&mu_);
  if (id != 0 && id < first_id_) {
    ++stale_;
    return 0;
  }
  if (id == 0 || id >= next_id_.load(std::memory_order_relaxed)) {
    ++overflowed_;  // never reserved: cannot be placed
    return 0;
  }
  const uint64_t index = id - first_id_;
  if (index >= capacity_) {
    ++overflowed_;
    return 0;
  }
  const uint64_t b = index / kBlockSize;
  if (blocks_.size() <= b) blocks_.resize(b + 1);
  if (blocks_[b] == nullptr) blocks_[b].reset(new Block());
  Block& block = *blocks_[b];
  Slot& slot = block.slots[index % kBlockSize];
  if (slot.flags & kFilled) {
    ++overflowed_;  // appended twice: the second cannot be placed
    return 0;
  }

  // A well-formed body hash (16 hex digits) is kept as a number; anything
  // else is kept verbatim as text.
  uint64_t hash = 0;
  const bool hash_is_hex = ParseHex16(record.body_hash, &hash);
  std::string_view hash_text;
  if (!hash_is_hex) hash_text = ValidUtf8Prefix(ValidText(record.body_hash, &hash_storage), 255);
  if (block.text.size() + path.size() + key.size() + hash_text.size() >
      std::numeric_limits<uint32_t>::max()) {
    path = std::string_view();  // cannot happen with sane URLs: 4 GiB per 1024 events
    key = std::string_view();
    hash_text = std::string_view();
  }
  slot.text_offset = static_cast<uint32_t>(block.text.size());
  slot.path_length = static_cast<uint32_t>(path.size());
  slot.key_length = static_cast<uint16_t>(key.size());
  slot.hash_text_length = static_cast<uint8_t>(hash_text.size());
  for (std::string_view text : {path, key, hash_text}) {
    if (!text.empty()) block.text.append(text.data(), text.size());
  }

  slot.arrival_us = Micros(record.arrival);
  slot.body_complete_us = Micros(record.body_complete);
  slot.response_us = Micros(record.response);
  slot.socket_id = record.socket_id;
  slot.body_bytes = record.body_bytes;
  slot.body_hash = hash;
  slot.retry_after_s = record.retry_after_s;
  slot.instance_bucket_available = record.instance_bucket_available;
  slot.in_flight_connection = record.in_flight_connection;
  slot.in_flight_instance = record.in_flight_instance;
  slot.instance = Intern(record.instance, kInstanceField);
  slot.connection = Intern(record.connection, kConnectionField);
  slot.method = Intern(record.method, kMethodField);
  slot.route = Intern(record.route, kRouteField);
  slot.fault = Intern(record.fault, kFaultField);
  slot.status = static_cast<uint16_t>(std::min<uint32_t>(record.status, 0xffff));
  slot.rejection = static_cast<uint8_t>(record.rejection);
  slot.flags = kFilled | (hash_is_hex ? kHasBodyHash : 0) |
               (record.conditional ? kConditional : 0) |
               (record.client_aborted ? kClientAborted : 0) |
               (record.response_cut ? kResponseCut : 0);

  ++size_;
  end_index_ = std::max(end_index_, index + 1);
  while (complete_index_ < capacity_ && SlotAt(complete_index_) != nullptr) ++complete_index_;
  return id;
}

void Journal::ToProto(uint64_t index, const Slot& slot, pimsim::v1::JournalEvent* e) const {
  const Block& block = *blocks_[index / kBlockSize];
  e->set_id(first_id_ + index);
  e->set_instance(std::string(Interned(slot.instance)));
  e->set_connection(std::string(Interned(slot.connection)));
  e->set_socket_id(slot.socket_id);
  e->set_method(std::string(Interned(slot.method)));
  e->set_route(std::string(Interned(slot.route)));
  e->set_normalized_path(block.text.substr(slot.text_offset, slot.path_length));
  if (slot.flags & kHasBodyHash) {
    e->set_body_hash(Hex16(slot.body_hash));
  } else if (slot.hash_text_length > 0) {
    e->set_body_hash(block.text.substr(
        slot.text_offset + slot.path_length + slot.key_length, slot.hash_text_length));
  }
  e->set_body_bytes(slot.body_bytes);
  e->set_idempotency_key(block.text.substr(slot.text_offset + slot.path_length, slot.key_length));
  e->set_arrival_us(slot.arrival_us);
  e->set_body_complete_us(slot.body_complete_us);
  e->set_response_us(slot.response_us);
  e->set_status(slot.status);
  e->set_retry_after_s(slot.retry_after_s);
  e->set_rejection(static_cast<pimsim::v1::Rejection>(slot.rejection));
  e->set_fault(std::string(Interned(slot.fault)));
  e->set_in_flight_connection(slot.in_flight_connection);
  e->set_in_flight_instance(slot.in_flight_instance);
  e->set_instance_bucket_available(slot.instance_bucket_available);
  e->set_conditional((slot.flags & kConditional) != 0);
  e->set_client_aborted((slot.flags & kClientAborted) != 0);
  e->set_response_cut((slot.flags & kResponseCut) != 0);
}

size_t Journal::size() const {
  MutexLock lock(&mu_);
  return size_;
}

uint64_t Journal::overflowed() const {
  MutexLock lock(&mu_);
  return overflowed_;
}

uint64_t Journal::stale() const {
  MutexLock lock(&mu_);
  return stale_;
}

pimsim::v1::JournalSummary Journal::Summary() const {
  MutexLock lock(&mu_);
  pimsim::v1::JournalSummary s;
  s.set_events(size_);
  s.set_overflowed(overflowed_);
  return s;
}

uint64_t Journal::CompleteThrough() const {
  MutexLock lock(&mu_);
  return complete_index_ == 0 ? 0 : first_id_ + complete_index_ - 1;
}

std::vector<pimsim::v1::JournalEvent> Journal::Read(uint64_t after_id, size_t max) const {
  std::vector<pimsim::v1::JournalEvent> out;
  MutexLock lock(&mu_);
  uint64_t index = after_id < first_id_ ? 0 : after_id + 1 - first_id_;
  while (index < end_index_ && out.size() < max) {
    const uint64_t b = index / kBlockSize;
    if (blocks_[b] == nullptr) {  // a whole block of ids never appended
      index = (b + 1) * kBlockSize;
      continue;
    }
    if (const Slot* slot = SlotAt(index)) {
      out.emplace_back();
      ToProto(index, *slot, &out.back());
    }
    ++index;
  }
  return out;
}

void Journal::ClearLocked() {
  blocks_.clear();
  blocks_.shrink_to_fit();
  size_ = 0;
  end_index_ = 0;
  complete_index_ = 0;
  overflowed_ = 0;
  limit_changes_.clear();
  first_id_ = next_id_.load(std::memory_order_relaxed);
}

bool Journal::RecordLimits(absl::Time time, std::string_view instance,
                           const pimsim::v1::Limits& limits) {
  MutexLock lock(&mu_);
  if (limit_changes_.size() >= kMaxLimitChanges) return false;
  pimsim::v1::LimitChange& change = limit_changes_.emplace_back();
  change.set_time_us(Micros(time));
  change.set_instance(std::string(instance));
  *change.mutable_limits() = limits;
  return true;
}

std::vector<pimsim::v1::LimitChange> Journal::LimitChanges(size_t from) const {
  MutexLock lock(&mu_);
  if (from >= limit_changes_.size()) return {};
  return std::vector<pimsim::v1::LimitChange>(limit_changes_.begin() + from, limit_changes_.end());
}

void Journal::Clear() { Clear(epoch()); }

void Journal::Clear(absl::Time epoch) {
  {
    MutexLock lock(&before_clear_mu_);
    if (before_clear_) before_clear_(epoch);
  }
  MutexLock lock(&mu_);
  ClearLocked();
  epoch_ = epoch;
}

void Journal::SetBeforeClear(std::function<void(absl::Time)> fn) {
  MutexLock lock(&before_clear_mu_);
  before_clear_ = std::move(fn);
}

absl::Time Journal::epoch() const {
  MutexLock lock(&mu_);
  return epoch_;
}

size_t Journal::MemoryBytes() const {
  MutexLock lock(&mu_);
  size_t bytes = blocks_.capacity() * sizeof(std::unique_ptr<Block>);
  for (const auto& block : blocks_) {
    if (block != nullptr) bytes += sizeof(Block) + block->text.capacity();
  }
  bytes += string_bytes_ + strings_.size() * (sizeof(std::string) + 2 * sizeof(void*));
  bytes += string_ids_.capacity() * (sizeof(std::pair<absl::string_view, uint32_t>) + 1);
  return bytes;
}

size_t Journal::ApproxBytesPerEvent() const {
  const size_t events = size();
  return events == 0 ? 0 : MemoryBytes() / events;
}

}  // namespace pimsim
