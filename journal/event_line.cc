#include "journal/event_line.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

#include "absl/strings/numbers.h"
#include "common/utf8.h"

namespace pimsim::journal {
namespace {

class Scanner {
 public:
  explicit Scanner(absl::string_view s) : s_(s) {}
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool AtEnd() const { return i_ == s_.size(); }
  // A key: a string of [a-z_] without escapes.
  bool Key(absl::string_view* key) {
    if (!Eat('"')) return false;
    const size_t start = i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      const char c = s_[i_];
      if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
      ++i_;
    }
    if (i_ == s_.size()) return false;
    *key = s_.substr(start, i_ - start);
    ++i_;
    return true;
  }
  // A string, as a view into the line when it has no escapes, else
  // unescaped into `scratch` (the view is then into it).
  bool String(absl::string_view* out, std::string* scratch) {
    if (!Eat('"')) return false;
    const size_t start = i_;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '"') {
        *out = s_.substr(start, i_ - start);
        ++i_;
        return true;
      }
      if (c == '\\') break;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      ++i_;
    }
    scratch->assign(s_.data() + start, i_ - start);
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') {
        *out = *scratch;
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        scratch->push_back(c);
        continue;
      }
      if (i_ == s_.size()) return false;
      switch (s_[i_++]) {
        case '"': scratch->push_back('"'); break;
        case '\\': scratch->push_back('\\'); break;
        case '/': scratch->push_back('/'); break;
        case 'b': scratch->push_back('\b'); break;
        case 'f': scratch->push_back('\f'); break;
        case 'n': scratch->push_back('\n'); break;
        case 'r': scratch->push_back('\r'); break;
        case 't': scratch->push_back('\t'); break;
        default: return false;  // \u and the rest: protobuf's parser decides
      }
    }
    return false;
  }
  // A JSON number token: [-]digits[.digits][e[+-]digits].
  bool Number(absl::string_view* token) {
    const size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    while (i_ < s_.size() && ((s_[i_] >= '0' && s_[i_] <= '9') || s_[i_] == '.' ||
                              s_[i_] == 'e' || s_[i_] == 'E' || s_[i_] == '+' || s_[i_] == '-')) {
      ++i_;
    }
    *token = s_.substr(start, i_ - start);
    return !token->empty();
  }
  bool Bool(bool* out) {
    if (s_.substr(i_, 4) == "true") {
      i_ += 4;
      *out = true;
      return true;
    }
    if (s_.substr(i_, 5) == "false") {
      i_ += 5;
      *out = false;
      return true;
    }
    return false;
  }

 private:
  absl::string_view s_;
  size_t i_ = 0;
};

// Plain integers only (no fraction, exponent or leading zeros), as written.
// The JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(absl::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i - start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == t.size();
}

// Magnitudes up to 2^53 only: the writer puts larger ones in strings, and
// protobuf may read a longer number through a double.
template <typename T>
bool Integer(absl::string_view token, T* out) {
  if (token.empty()) return false;
  const absl::string_view digits = token[0] == '-' ? token.substr(1) : token;
  if (digits.empty() || digits.size() > 16 || (digits.size() > 1 && digits[0] == '0')) {
    return false;
  }
  uint64_t magnitude = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
  }
  if (magnitude > (uint64_t{1} << 53)) return false;
  if (magnitude > static_cast<uint64_t>(std::numeric_limits<T>::max())) return false;
  if (token[0] == '-') {
    if (std::is_unsigned<T>::value) return false;
    *out = static_cast<T>(-static_cast<int64_t>(magnitude));
  } else {
    *out = static_cast<T>(magnitude);
  }
  return true;
}

// JournalEvent's fields by number, in the order the writer prints them.
constexpr absl::string_view kFieldNames[] = {
    "",                          // 0
    "id",                        // 1
    "instance",                  // 2
    "connection",                // 3
    "socket_id",                 // 4
    "method",                    // 5
    "route",                     // 6
    "normalized_path",           // 7
    "body_hash",                 // 8
    "body_bytes",                // 9
    "idempotency_key",           // 10
    "arrival_us",                // 11
    "body_complete_us",          // 12
    "response_us",               // 13
    "status",                    // 14
    "retry_after_s",             // 15
    "rejection",                 // 16
    "fault",                     // 17
    "in_flight_connection",      // 18
    "in_flight_instance",        // 19
    "instance_bucket_available", // 20
    "conditional",               // 21
    "client_aborted",            // 22
    "response_cut",              // 23
};
constexpr int kLastField = 23;

// The number of field `key`, searched from the one after `after` (the
// writer's order, so usually found at once); -1 if none.
int FieldNumber(absl::string_view key, int after) {
  for (int k = 0; k < kLastField; ++k) {
    const int field = (after + k) % kLastField + 1;
    if (kFieldNames[field] == key) return field;
  }
  return -1;
}

}  // namespace

bool ParseEventLine(absl::string_view line, EventTable* table) {
  Scanner s(line);
  if (!s.Eat('{')) return false;
  EventRecord e;
  if (s.Eat('}')) {
    if (!s.AtEnd()) return false;
    table->Append(e);
    return true;
  }
  // The previous event's strings: most lines repeat its instance,
  // connection, method, route and fault, which then cost a comparison, not
  // a hash lookup.
  const EventRecord* previous = table->empty() ? nullptr : &table->record(table->size() - 1);
  uint64_t seen = 0;
  int field = 0;
  std::string scratch;
  do {
    absl::string_view key;
    if (!s.Key(&key) || !s.Eat(':')) return false;
    field = FieldNumber(key, field);
    if (field < 0) return false;  // a field this reader does not know
    StringId* str = nullptr;
    StringId hint = 0;
    switch (field) {
      case 2: str = &e.instance, hint = previous ? previous->instance : 0; break;
      case 3: str = &e.connection, hint = previous ? previous->connection : 0; break;
      case 5: str = &e.method, hint = previous ? previous->method : 0; break;
      case 6: str = &e.route, hint = previous ? previous->route : 0; break;
      case 7: str = &e.normalized_path; break;
      case 8: str = &e.body_hash; break;
      case 10: str = &e.idempotency_key; break;
      case 17: str = &e.fault, hint = previous ? previous->fault : 0; break;
      default: break;
    }
    if (str != nullptr) {
      absl::string_view text;
      if (!s.String(&text, &scratch)) return false;
      if (hint != 0 && table->str(hint) == text) {
        *str = hint;
      } else {
        // Protobuf refuses a string field that is not UTF-8; a string the
        // table holds was checked when it came in.
        std::optional<StringId> known = table->Find(text);
        if (!known.has_value()) {
          if (!IsValidUtf8(std::string_view(text.data(), text.size()))) return false;
          known = table->Intern(text);
        }
        *str = *known;
      }
    } else if (field == 16) {
      absl::string_view text;
      if (!s.String(&text, &scratch)) return false;
      pimsim::v1::Rejection r;
      if (!pimsim::v1::Rejection_Parse(std::string(text), &r)) return false;
      e.rejection = static_cast<uint8_t>(r);
    } else if (field >= 21) {
      bool b = false;
      if (!s.Bool(&b)) return false;
      if (field == 21) e.conditional = b;
      else if (field == 22) e.client_aborted = b;
      else e.response_cut = b;
    } else {
      absl::string_view token;
      if (!s.Number(&token)) return false;
      bool ok = false;
      switch (field) {
        case 1: ok = Integer(token, &e.id); break;
        case 4: ok = Integer(token, &e.socket_id); break;
        case 9: ok = Integer(token, &e.body_bytes); break;
        case 11: ok = Integer(token, &e.arrival_us); break;
        case 12: ok = Integer(token, &e.body_complete_us); break;
        case 13: ok = Integer(token, &e.response_us); break;
        case 14: ok = Integer(token, &e.status); break;
        case 15: ok = Integer(token, &e.retry_after_s); break;
        case 18: ok = Integer(token, &e.in_flight_connection); break;
        case 19: ok = Integer(token, &e.in_flight_instance); break;
        case 20: {
          double d = 0;
          // Fractions and exponents, in JSON's grammar (protobuf refuses
          // "050", "1." and ".5").
          ok = IsJsonNumber(token) && absl::SimpleAtod(token, &d) && std::isfinite(d);
          e.instance_bucket_available = d;
          break;
        }
        default: break;
      }
      if (!ok) return false;
    }
    // A repeated key: protobuf's parser decides what that means.
    if ((seen >> field) & 1) return false;
    seen |= uint64_t{1} << field;
  } while (s.Eat(','));
  if (!s.Eat('}') || !s.AtEnd()) return false;
  table->Append(e);
  return true;
}

}  // namespace pimsim::journal
