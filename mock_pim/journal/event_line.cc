#include "mock_pim/journal/event_line.h"

#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"
#include "common/utf8.h"

namespace pimsim {
namespace {

using pimsim::v1::JournalEvent;

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
  bool String(std::string* out) {
    if (!Eat('"')) return false;
    out->clear();
    while (i_ < s_.size()) {
      const char c = s_[i_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (i_ == s_.size()) return false;
      switch (s_[i_++]) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
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
  return absl::SimpleAtoi(token, out);
}

}  // namespace

bool ParseEventLine(absl::string_view line, JournalEvent* e) {
  e->Clear();
  Scanner s(line);
  if (!s.Eat('{')) return false;
  if (s.Eat('}')) return s.AtEnd();
  uint64_t seen = 0;
  std::string text;
  do {
    absl::string_view key;
    if (!s.Key(&key) || !s.Eat(':')) return false;
    int field = -1;
    // String fields.
    std::string* str = nullptr;
    if (key == "instance") str = e->mutable_instance(), field = 2;
    else if (key == "connection") str = e->mutable_connection(), field = 3;
    else if (key == "method") str = e->mutable_method(), field = 5;
    else if (key == "route") str = e->mutable_route(), field = 6;
    else if (key == "normalized_path") str = e->mutable_normalized_path(), field = 7;
    else if (key == "body_hash") str = e->mutable_body_hash(), field = 8;
    else if (key == "idempotency_key") str = e->mutable_idempotency_key(), field = 10;
    else if (key == "fault") str = e->mutable_fault(), field = 17;
    if (str != nullptr) {
      // Protobuf refuses a string field that is not UTF-8.
      if (!s.String(str) || !IsValidUtf8(*str)) return false;
    } else if (key == "rejection") {
      field = 16;
      if (!s.String(&text)) return false;
      pimsim::v1::Rejection r;
      if (!pimsim::v1::Rejection_Parse(text, &r)) return false;
      e->set_rejection(r);
    } else if (key == "conditional" || key == "client_aborted" || key == "response_cut") {
      bool b = false;
      if (!s.Bool(&b)) return false;
      if (key == "conditional") e->set_conditional(b), field = 21;
      else if (key == "client_aborted") e->set_client_aborted(b), field = 22;
      else e->set_response_cut(b), field = 23;
    } else {
      absl::string_view token;
      if (!s.Number(&token)) return false;
      uint64_t u = 0;
      int64_t i = 0;
      uint32_t u32 = 0;
      if (key == "id") {
        if (!Integer(token, &u)) return false;
        e->set_id(u), field = 1;
      } else if (key == "socket_id") {
        if (!Integer(token, &u)) return false;
        e->set_socket_id(u), field = 4;
      } else if (key == "body_bytes") {
        if (!Integer(token, &u)) return false;
        e->set_body_bytes(u), field = 9;
      } else if (key == "arrival_us") {
        if (!Integer(token, &i)) return false;
        e->set_arrival_us(i), field = 11;
      } else if (key == "body_complete_us") {
        if (!Integer(token, &i)) return false;
        e->set_body_complete_us(i), field = 12;
      } else if (key == "response_us") {
        if (!Integer(token, &i)) return false;
        e->set_response_us(i), field = 13;
      } else if (key == "retry_after_s") {
        if (!Integer(token, &i)) return false;
        e->set_retry_after_s(i), field = 15;
      } else if (key == "status") {
        if (!Integer(token, &u32)) return false;
        e->set_status(u32), field = 14;
      } else if (key == "in_flight_connection") {
        if (!Integer(token, &u32)) return false;
        e->set_in_flight_connection(u32), field = 18;
      } else if (key == "in_flight_instance") {
        if (!Integer(token, &u32)) return false;
        e->set_in_flight_instance(u32), field = 19;
      } else if (key == "instance_bucket_available") {
        double d = 0;
        // Fractions and exponents, in JSON's grammar (protobuf refuses
        // "050", "1." and ".5").
        if (!IsJsonNumber(token) || !absl::SimpleAtod(token, &d) || !std::isfinite(d)) {
          return false;
        }
        e->set_instance_bucket_available(d), field = 20;
      } else {
        return false;  // a field this reader does not know
      }
    }
    // A repeated key: protobuf's parser decides what that means.
    if ((seen >> field) & 1) return false;
    seen |= uint64_t{1} << field;
  } while (s.Eat(','));
  return s.Eat('}') && s.AtEnd();
}

}  // namespace pimsim
