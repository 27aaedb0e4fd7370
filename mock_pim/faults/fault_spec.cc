#include "mock_pim/faults/fault_spec.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "mock_pim/latency/latency_model.h"

namespace pimsim {
namespace {

using pimsim::v1::CloseKind;
using pimsim::v1::DisconnectPoint;
using pimsim::v1::Distribution;
using pimsim::v1::FaultAction;
using pimsim::v1::FaultRule;
using pimsim::v1::RouteKind;

constexpr int64_t kMaxDurationSeconds = 315576000000;  // google.protobuf.Duration's range

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A validation failure: `field` (relative to the rule, e.g.
// "trigger.probability") and what is wrong with it.
struct FieldError {
  std::string field;
  std::string what;  // starts with a space, '.' or ':'

  std::string Message() const { return field + what; }
};

std::optional<absl::Duration> ToAbsl(const google::protobuf::Duration& d) {
  const int64_t s = d.seconds();
  const int32_t n = d.nanos();
  if (s < -kMaxDurationSeconds || s > kMaxDurationSeconds || n <= -1000000000 ||
      n >= 1000000000 || (s > 0 && n < 0) || (s < 0 && n > 0)) {
    return std::nullopt;
  }
  return absl::Seconds(s) + absl::Nanoseconds(n);
}

google::protobuf::Duration ToProto(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t s = absl::ToInt64Seconds(d);  // truncates towards zero
  out.set_seconds(s);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d - absl::Seconds(s))));
  return out;
}

// A non-negative, valid duration, or the error for `field`.
std::optional<FieldError> CheckDuration(const std::string& field,
                                        const google::protobuf::Duration& d,
                                        absl::Duration* out = nullptr) {
  std::optional<absl::Duration> v = ToAbsl(d);
  if (!v) {
    return FieldError{field, absl::StrCat(" is not a valid duration (seconds ", d.seconds(),
                                          ", nanos ", d.nanos(), ")")};
  }
  if (*v < absl::ZeroDuration()) {
    return FieldError{field, absl::StrCat(" must be >= 0, got ", absl::FormatDuration(*v))};
  }
  if (out != nullptr) *out = *v;
  return std::nullopt;
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

bool IsUpperToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(c >= 'A' && c <= 'Z')) return false;
  }
  return true;
}

bool IsValidCloseKind(int v) { return pimsim::v1::CloseKind_IsValid(v); }

constexpr uint32_t kStatusCodes[] = {500, 502, 503, 504, 408, 429};

std::optional<FieldError> Check(const FaultRule& rule) {
  if (!rule.name().empty() && !IsValidName(rule.name())) {
    return FieldError{"name", absl::StrCat(" must match [A-Za-z0-9_.-]{1,64}, got ",
                                           QuoteValue(rule.name()))};
  }

  const pimsim::v1::FaultMatch& m = rule.match();
  for (int i = 0; i < m.methods_size(); ++i) {
    if (!IsUpperToken(m.methods(i))) {
      return FieldError{absl::StrCat("match.methods[", i, "]"),
                        absl::StrCat(" must be an upper-case HTTP method, got ", QuoteValue(m.methods(i)))};
    }
  }
  for (int i = 0; i < m.route_kinds_size(); ++i) {
    const int k = m.route_kinds(i);
    if (k == pimsim::v1::ROUTE_KIND_UNSPECIFIED || !pimsim::v1::RouteKind_IsValid(k)) {
      return FieldError{absl::StrCat("match.route_kinds[", i, "]"),
                        absl::StrCat(" must be a route kind other than ROUTE_KIND_UNSPECIFIED, got ",
                                     k)};
    }
  }
  if (m.path().size() > kMaxPathGlobBytes) {
    return FieldError{"match.path", absl::StrCat(" must be at most ", kMaxPathGlobBytes,
                                                 " bytes, got ", m.path().size())};
  }
  if (m.methods_size() > kMaxMatchValues || m.connections_size() > kMaxMatchValues ||
      m.instances_size() > kMaxMatchValues) {
    return FieldError{"match", absl::StrCat(": at most ", kMaxMatchValues,
                                            " methods, connections and instances each")};
  }
  if (!m.path().empty() && m.path()[0] != '/' && m.path()[0] != '*') {
    return FieldError{"match.path",
                      absl::StrCat(" must start with '/' or '*', got ", QuoteValue(m.path()))};
  }
  for (int i = 0; i < m.connections_size(); ++i) {
    if (m.connections(i).empty()) {
      return FieldError{absl::StrCat("match.connections[", i, "]"), " must not be empty"};
    }
  }
  for (int i = 0; i < m.instances_size(); ++i) {
    if (m.instances(i).empty()) {
      return FieldError{absl::StrCat("match.instances[", i, "]"), " must not be empty"};
    }
  }

  const pimsim::v1::FaultTrigger& t = rule.trigger();
  if (t.has_probability()) {
    const double p = t.probability();
    if (!std::isfinite(p) || p < 0 || p > 1) {
      return FieldError{"trigger.probability", absl::StrCat(" must be in [0, 1], got ", p)};
    }
  }
  if (t.first_n() != 0 && t.after_n() != 0 && t.first_n() <= t.after_n()) {
    return FieldError{"trigger.first_n",
                      absl::StrCat(" (", t.first_n(), ") must be > trigger.after_n (", t.after_n(),
                                   "), or the rule never fires")};
  }
  absl::Duration start = absl::ZeroDuration(), end = absl::ZeroDuration();
  if (t.has_window_start()) {
    if (auto e = CheckDuration("trigger.window_start", t.window_start(), &start)) return e;
  }
  if (t.has_window_end()) {
    if (auto e = CheckDuration("trigger.window_end", t.window_end(), &end)) return e;
  }
  if (t.has_window_start() && t.has_window_end() && !(start < end)) {
    return FieldError{"trigger.window_end",
                      absl::StrCat(" (", absl::FormatDuration(end),
                                   ") must be > trigger.window_start (",
                                   absl::FormatDuration(start), ")")};
  }

  const FaultAction& a = rule.action();
  switch (a.kind_case()) {
    case FaultAction::kStatus: {
      bool known = false;
      for (uint32_t c : kStatusCodes) known = known || c == a.status().code();
      if (!known) {
        return FieldError{"action.status.code",
                          absl::StrCat(" must be one of 500, 502, 503, 504, 408, 429, got ",
                                       a.status().code())};
      }
      if (a.status().has_retry_after()) {
        if (auto e = CheckDuration("action.status.retry_after", a.status().retry_after())) {
          return e;
        }
      }
      break;
    }
    case FaultAction::kDisconnect:
      if (!pimsim::v1::DisconnectPoint_IsValid(a.disconnect().point())) {
        return FieldError{"action.disconnect.point",
                          absl::StrCat(" is not a known disconnect point, got ",
                                       a.disconnect().point())};
      }
      if (!IsValidCloseKind(a.disconnect().close())) {
        return FieldError{"action.disconnect.close",
                          absl::StrCat(" is not a known close kind, got ", a.disconnect().close())};
      }
      break;
    case FaultAction::kTruncate:
      if (!IsValidCloseKind(a.truncate().close())) {
        return FieldError{"action.truncate.close",
                          absl::StrCat(" is not a known close kind, got ", a.truncate().close())};
      }
      break;
    case FaultAction::kHang:
      if (a.hang().has_max()) {
        absl::Duration max;
        if (auto e = CheckDuration("action.hang.max", a.hang().max(), &max)) return e;
        if (max <= absl::ZeroDuration() || max > kMaxHangMax) {
          return FieldError{"action.hang.max", absl::StrCat(" must be in (0, 1h], got ",
                                                            absl::FormatDuration(max))};
        }
      }
      break;
    case FaultAction::kLatency: {
      if (!a.latency().has_extra()) {
        return FieldError{"action.latency.extra",
                          " must be set (fixed, uniform or log_normal)"};
      }
      // LatencyModel owns distribution validation; it names the slot "other".
      pimsim::v1::LatencyModel model;
      *model.mutable_other() = a.latency().extra();
      absl::StatusOr<LatencyModel> created = LatencyModel::Create(model);
      if (!created.ok()) {
        absl::string_view msg = created.status().message();
        absl::ConsumePrefix(&msg, "other");
        if (absl::StartsWith(msg, " is set but has no distribution")) {
          return FieldError{"action.latency.extra", " has no distribution (fixed, uniform or log_normal)"};
        }
        return FieldError{"action.latency.extra", std::string(msg)};
      }
      break;
    }
    case FaultAction::KIND_NOT_SET:
      return FieldError{"action", " must be set (status, disconnect, truncate, hang or latency)"};
  }
  return std::nullopt;
}

// ---- Text form ----

struct RouteName {
  const char* name;
  RouteKind kind;
};
constexpr RouteName kRouteNames[] = {
    {"token", pimsim::v1::ROUTE_KIND_TOKEN},
    {"get_item", pimsim::v1::ROUTE_KIND_GET_ITEM},
    {"list", pimsim::v1::ROUTE_KIND_LIST},
    {"write_item", pimsim::v1::ROUTE_KIND_WRITE_ITEM},
    {"batch", pimsim::v1::ROUTE_KIND_BATCH},
    {"other", pimsim::v1::ROUTE_KIND_OTHER},
};

// The shortest decimal form that reads back as the same double.
std::string FormatDouble(double v) {
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string FormatProtoDuration(const google::protobuf::Duration& d) {
  std::optional<absl::Duration> v = ToAbsl(d);
  if (!v) return absl::StrCat(d.seconds(), "s");  // invalid; best effort
  return absl::FormatDuration(*v);
}

const char* CloseName(int close) {
  switch (close) {
    case pimsim::v1::CLOSE_KIND_RESET:
      return "reset";
    case pimsim::v1::CLOSE_KIND_ORDERLY:
      return "orderly";
    default:
      return nullptr;
  }
}

std::string FormatDistribution(const Distribution& d) {
  switch (d.kind_case()) {
    case Distribution::kFixed:
      return FormatProtoDuration(d.fixed());
    case Distribution::kUniform:
      return absl::StrCat("uniform:", FormatProtoDuration(d.uniform().min()), ":",
                          FormatProtoDuration(d.uniform().max()));
    case Distribution::kLogNormal: {
      std::string out = absl::StrCat("lognormal:", FormatProtoDuration(d.log_normal().median()),
                                     ":", FormatDouble(d.log_normal().sigma()));
      if (d.log_normal().has_max()) {
        absl::StrAppend(&out, ":", FormatProtoDuration(d.log_normal().max()));
      }
      return out;
    }
    case Distribution::KIND_NOT_SET:
      break;
  }
  return "";
}

// One parsed item of a spec.
struct Item {
  int index;  // 1-based
  std::string text;
  std::string key;
  std::string value;
  bool has_value;
};

absl::Status ItemError(const Item& item, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("item ", item.index, " \"", item.text, "\": ", why));
}

absl::Status ParseDurationValue(const Item& item, absl::string_view text,
                                google::protobuf::Duration* out) {
  absl::Duration d;
  if (!absl::ParseDuration(text, &d) || d == absl::InfiniteDuration() ||
      d == -absl::InfiniteDuration()) {
    return ItemError(item, absl::StrCat("\"", text, "\" is not a duration (e.g. 250ms, 2s, 1.5s)"));
  }
  *out = ToProto(d);
  return absl::OkStatus();
}

absl::Status ParseUint64Value(const Item& item, uint64_t* out) {
  if (!absl::SimpleAtoi(item.value, out)) {
    return ItemError(item, absl::StrCat(item.key, " must be a whole number >= 0, got ",
                                        QuoteValue(item.value)));
  }
  return absl::OkStatus();
}

absl::Status ParseLatency(const Item& item, Distribution* out) {
  std::vector<absl::string_view> parts = absl::StrSplit(item.value, ':');
  const absl::string_view kind = parts[0];
  if (parts.size() == 1) return ParseDurationValue(item, parts[0], out->mutable_fixed());
  if (kind == "fixed" && parts.size() == 2) {
    return ParseDurationValue(item, parts[1], out->mutable_fixed());
  }
  if (kind == "uniform") {
    if (parts.size() != 3) return ItemError(item, "expected latency=uniform:MIN:MAX");
    auto* u = out->mutable_uniform();
    if (absl::Status s = ParseDurationValue(item, parts[1], u->mutable_min()); !s.ok()) return s;
    return ParseDurationValue(item, parts[2], u->mutable_max());
  }
  if (kind == "lognormal" || kind == "log_normal") {
    if (parts.size() != 3 && parts.size() != 4) {
      return ItemError(item, "expected latency=lognormal:MEDIAN:SIGMA[:MAX]");
    }
    auto* ln = out->mutable_log_normal();
    if (absl::Status s = ParseDurationValue(item, parts[1], ln->mutable_median()); !s.ok()) {
      return s;
    }
    double sigma;
    if (!absl::SimpleAtod(parts[2], &sigma)) {
      return ItemError(item, absl::StrCat("sigma \"", parts[2], "\" is not a number"));
    }
    ln->set_sigma(sigma);
    if (parts.size() == 4) return ParseDurationValue(item, parts[3], ln->mutable_max());
    return absl::OkStatus();
  }
  return ItemError(item,
                   "expected latency=DURATION, latency=uniform:MIN:MAX or "
                   "latency=lognormal:MEDIAN:SIGMA[:MAX]");
}

// The spec key that sets `field` (a FieldError's field), given the action key.
std::string KeyForField(const std::string& field, const std::string& action_key) {
  struct Entry {
    const char* prefix;
    const char* key;
  };
  static constexpr Entry kEntries[] = {
      {"name", "name"},
      {"match.methods", "method"},
      {"match.route_kinds", "route"},
      {"match.path", "path"},
      {"match.connections", "connection"},
      {"match.instances", "instance"},
      {"trigger.probability", "p"},
      {"trigger.every_nth", "every"},
      {"trigger.first_n", "first"},
      {"trigger.after_n", "after"},
      {"trigger.window_start", "from"},
      {"trigger.window_end", "until"},
      {"trigger.phase", "phase"},
      {"trigger.max_fires", "max"},
      {"action.status.retry_after", "retry_after"},
      {"action.disconnect.close", "close"},
      {"action.truncate.close", "close"},
  };
  for (const Entry& e : kEntries) {
    if (absl::StartsWith(field, e.prefix)) return e.key;
  }
  return action_key;
}

// What to call `field` in a spec error: "trigger.probability" -> "probability",
// "match.methods[1]" -> "methods", "action.latency.extra" -> "latency".
std::string FieldLabel(const std::string& field) {
  if (absl::StartsWith(field, "action.latency")) return "latency";
  absl::string_view label = field;
  const size_t dot = label.rfind('.');
  if (dot != absl::string_view::npos) label.remove_prefix(dot + 1);
  const size_t bracket = label.find('[');
  if (bracket != absl::string_view::npos) label = label.substr(0, bracket);
  return std::string(label);
}

}  // namespace

std::string QuoteValue(std::string_view value) {
  constexpr size_t kMax = 64;
  const absl::string_view v(value.data(), value.size());
  if (v.size() <= kMax) return absl::StrCat("\"", v, "\"");
  return absl::StrCat("\"", v.substr(0, kMax), "\"... (", v.size(), " bytes)");
}

absl::Status ValidateFaultRule(const FaultRule& rule) {
  if (std::optional<FieldError> e = Check(rule)) {
    return absl::InvalidArgumentError(e->Message());
  }
  return absl::OkStatus();
}

absl::Duration HangMax(const pimsim::v1::HangFault& hang) {
  if (!hang.has_max()) return kDefaultHangMax;
  std::optional<absl::Duration> d = ToAbsl(hang.max());
  if (!d || *d <= absl::ZeroDuration()) return kDefaultHangMax;
  return std::min(*d, kMaxHangMax);
}

std::string FaultKindName(const FaultAction& action) {
  switch (action.kind_case()) {
    case FaultAction::kStatus:
      return absl::StrCat("status_", action.status().code());
    case FaultAction::kDisconnect:
      return action.disconnect().point() == pimsim::v1::DISCONNECT_POINT_AFTER_PROCESSING
                 ? "disconnect_after"
                 : "disconnect_before";
    case FaultAction::kTruncate:
      return "truncate";
    case FaultAction::kHang:
      return "hang";
    case FaultAction::kLatency:
      return "latency";
    case FaultAction::KIND_NOT_SET:
      break;
  }
  return "none";
}

absl::StatusOr<FaultRule> ParseFaultSpec(std::string_view spec_in) {
  const absl::string_view spec = absl::StripAsciiWhitespace(Absl(spec_in));
  if (spec.empty()) return absl::InvalidArgumentError("empty fault spec");

  std::vector<Item> items;
  int index = 0;
  for (absl::string_view piece : absl::StrSplit(spec, ',')) {
    Item item;
    item.index = ++index;
    item.text = std::string(absl::StripAsciiWhitespace(piece));
    if (item.text.empty()) return ItemError(item, "empty item");
    const size_t eq = item.text.find('=');
    item.has_value = eq != std::string::npos;
    item.key = std::string(absl::StripAsciiWhitespace(item.text.substr(0, eq)));
    if (item.has_value) {
      item.value = std::string(absl::StripAsciiWhitespace(item.text.substr(eq + 1)));
    }
    for (const Item& earlier : items) {
      if (earlier.key == item.key) {
        return ItemError(item, absl::StrCat("\"", item.key, "\" is given twice (also item ",
                                            earlier.index, ")"));
      }
    }
    items.push_back(std::move(item));
  }

  FaultRule rule;
  pimsim::v1::FaultMatch& m = *rule.mutable_match();
  pimsim::v1::FaultTrigger& t = *rule.mutable_trigger();
  FaultAction& a = *rule.mutable_action();
  const Item* action_item = nullptr;
  const Item* retry_after_item = nullptr;
  const Item* close_item = nullptr;
  const std::string_view kActions[] = {"status", "disconnect", "truncate", "hang", "latency"};
  const std::string_view kBareKeys[] = {"disconnect", "truncate", "hang"};

  for (const Item& item : items) {
    const std::string& key = item.key;
    bool bare_ok = false;
    for (std::string_view k : kBareKeys) bare_ok = bare_ok || key == k;
    if (!item.has_value && !bare_ok) {
      bool known = key == "status" || key == "latency" || key == "retry_after" ||
                   key == "close" || key == "p" || key == "every" || key == "first" ||
                   key == "after" || key == "from" || key == "until" || key == "phase" ||
                   key == "max" || key == "method" || key == "route" || key == "path" ||
                   key == "connection" || key == "instance" || key == "name";
      if (!known) return ItemError(item, absl::StrCat("unknown key \"", key, "\""));
      return ItemError(item, absl::StrCat(key, " needs a value (", key, "=...)"));
    }
    if (item.has_value && item.value.empty()) {
      return ItemError(item, absl::StrCat(key, " needs a value after '='"));
    }
    bool is_action = false;
    for (std::string_view k : kActions) is_action = is_action || key == k;
    if (is_action) {
      if (action_item != nullptr) {
        return ItemError(item, absl::StrCat("a rule has exactly one action; item ",
                                            action_item->index, " \"", action_item->text,
                                            "\" is one already"));
      }
      action_item = &item;
    }

    if (key == "status") {
      uint32_t code;
      if (!absl::SimpleAtoi(item.value, &code)) {
        return ItemError(item, absl::StrCat("status must be an HTTP status code, got ",
                                            QuoteValue(item.value)));
      }
      a.mutable_status()->set_code(code);
    } else if (key == "disconnect") {
      auto* d = a.mutable_disconnect();
      if (!item.has_value) {
        // Point unspecified: the same as before.
      } else if (item.value == "before") {
        d->set_point(pimsim::v1::DISCONNECT_POINT_BEFORE_PROCESSING);
      } else if (item.value == "after") {
        d->set_point(pimsim::v1::DISCONNECT_POINT_AFTER_PROCESSING);
      } else {
        return ItemError(item, absl::StrCat("disconnect must be before or after, got ",
                                            QuoteValue(item.value)));
      }
    } else if (key == "truncate") {
      auto* tr = a.mutable_truncate();
      if (item.has_value) {
        uint32_t bytes;
        if (!absl::SimpleAtoi(item.value, &bytes)) {
          return ItemError(item, absl::StrCat("truncate must be a byte count, got ",
                                              QuoteValue(item.value)));
        }
        tr->set_body_bytes(bytes);
      }
    } else if (key == "hang") {
      auto* h = a.mutable_hang();
      if (item.has_value) {
        if (absl::Status s = ParseDurationValue(item, item.value, h->mutable_max()); !s.ok()) {
          return s;
        }
      }
    } else if (key == "latency") {
      if (absl::Status s = ParseLatency(item, a.mutable_latency()->mutable_extra()); !s.ok()) {
        return s;
      }
    } else if (key == "retry_after") {
      retry_after_item = &item;  // applied once the action is known
    } else if (key == "close") {
      if (item.value != "reset" && item.value != "orderly") {
        return ItemError(item,
                         absl::StrCat("close must be reset or orderly, got ", QuoteValue(item.value)));
      }
      close_item = &item;
    } else if (key == "p") {
      double p;
      if (!absl::SimpleAtod(item.value, &p)) {
        return ItemError(item, absl::StrCat("probability must be a number, got ",
                                            QuoteValue(item.value)));
      }
      t.set_probability(p);
    } else if (key == "every") {
      uint64_t n;
      if (absl::Status s = ParseUint64Value(item, &n); !s.ok()) return s;
      t.set_every_nth(n);
    } else if (key == "first") {
      uint64_t n;
      if (absl::Status s = ParseUint64Value(item, &n); !s.ok()) return s;
      t.set_first_n(n);
    } else if (key == "after") {
      uint64_t n;
      if (absl::Status s = ParseUint64Value(item, &n); !s.ok()) return s;
      t.set_after_n(n);
    } else if (key == "max") {
      uint64_t n;
      if (absl::Status s = ParseUint64Value(item, &n); !s.ok()) return s;
      t.set_max_fires(n);
    } else if (key == "from") {
      if (absl::Status s = ParseDurationValue(item, item.value, t.mutable_window_start());
          !s.ok()) {
        return s;
      }
    } else if (key == "until") {
      if (absl::Status s = ParseDurationValue(item, item.value, t.mutable_window_end());
          !s.ok()) {
        return s;
      }
    } else if (key == "phase") {
      t.set_phase(item.value);
    } else if (key == "method") {
      for (absl::string_view v : absl::StrSplit(item.value, '|')) {
        m.add_methods(absl::AsciiStrToUpper(v));
      }
    } else if (key == "route") {
      for (absl::string_view v : absl::StrSplit(item.value, '|')) {
        bool found = false;
        for (const RouteName& r : kRouteNames) {
          if (v == r.name) {
            m.add_route_kinds(r.kind);
            found = true;
          }
        }
        if (!found) {
          return ItemError(item, absl::StrCat("unknown route kind \"", v,
                                              "\" (token, get_item, list, write_item, batch, "
                                              "other)"));
        }
      }
    } else if (key == "path") {
      m.set_path(item.value);
    } else if (key == "connection") {
      for (absl::string_view v : absl::StrSplit(item.value, '|')) m.add_connections(std::string(v));
    } else if (key == "instance") {
      for (absl::string_view v : absl::StrSplit(item.value, '|')) m.add_instances(std::string(v));
    } else if (key == "name") {
      rule.set_name(item.value);
    } else {
      return ItemError(item, absl::StrCat("unknown key \"", key, "\""));
    }
  }

  if (action_item == nullptr) {
    return absl::InvalidArgumentError(
        "no action: a fault spec needs one of status=CODE, disconnect=before|after, truncate, "
        "hang or latency=...");
  }
  if (retry_after_item != nullptr) {
    if (!a.has_status()) {
      return ItemError(*retry_after_item, "retry_after applies only to status=");
    }
    if (absl::Status s = ParseDurationValue(*retry_after_item, retry_after_item->value,
                                            a.mutable_status()->mutable_retry_after());
        !s.ok()) {
      return s;
    }
  }
  if (close_item != nullptr) {
    const CloseKind close = close_item->value == "reset" ? pimsim::v1::CLOSE_KIND_RESET
                                                         : pimsim::v1::CLOSE_KIND_ORDERLY;
    if (a.has_disconnect()) {
      a.mutable_disconnect()->set_close(close);
    } else if (a.has_truncate()) {
      a.mutable_truncate()->set_close(close);
    } else {
      return ItemError(*close_item, "close applies only to disconnect and truncate");
    }
  }

  // Leave unused parts unset, as a hand-written rule would.
  if (rule.match().ByteSizeLong() == 0) rule.clear_match();
  if (rule.trigger().ByteSizeLong() == 0) rule.clear_trigger();

  if (std::optional<FieldError> e = Check(rule)) {
    const std::string key = KeyForField(e->field, action_item->key);
    for (const Item& item : items) {
      if (item.key == key) return ItemError(item, FieldLabel(e->field) + e->what);
    }
    return absl::InvalidArgumentError(e->Message());
  }
  return rule;
}

std::string FormatFaultSpec(const FaultRule& rule) {
  std::vector<std::string> items;
  const FaultAction& a = rule.action();
  switch (a.kind_case()) {
    case FaultAction::kStatus:
      items.push_back(absl::StrCat("status=", a.status().code()));
      if (a.status().has_retry_after()) {
        items.push_back("retry_after=" + FormatProtoDuration(a.status().retry_after()));
      }
      break;
    case FaultAction::kDisconnect:
      switch (a.disconnect().point()) {
        case pimsim::v1::DISCONNECT_POINT_BEFORE_PROCESSING:
          items.push_back("disconnect=before");
          break;
        case pimsim::v1::DISCONNECT_POINT_AFTER_PROCESSING:
          items.push_back("disconnect=after");
          break;
        default:
          items.push_back("disconnect");
          break;
      }
      if (const char* close = CloseName(a.disconnect().close())) {
        items.push_back(absl::StrCat("close=", close));
      }
      break;
    case FaultAction::kTruncate:
      items.push_back(a.truncate().has_body_bytes()
                          ? absl::StrCat("truncate=", a.truncate().body_bytes())
                          : std::string("truncate"));
      if (const char* close = CloseName(a.truncate().close())) {
        items.push_back(absl::StrCat("close=", close));
      }
      break;
    case FaultAction::kHang:
      items.push_back(a.hang().has_max() ? "hang=" + FormatProtoDuration(a.hang().max())
                                         : std::string("hang"));
      break;
    case FaultAction::kLatency:
      items.push_back("latency=" + FormatDistribution(a.latency().extra()));
      break;
    case FaultAction::KIND_NOT_SET:
      break;
  }

  const pimsim::v1::FaultTrigger& t = rule.trigger();
  if (t.has_probability()) items.push_back("p=" + FormatDouble(t.probability()));
  if (t.every_nth() != 0) items.push_back(absl::StrCat("every=", t.every_nth()));
  if (t.first_n() != 0) items.push_back(absl::StrCat("first=", t.first_n()));
  if (t.after_n() != 0) items.push_back(absl::StrCat("after=", t.after_n()));
  if (t.has_window_start()) items.push_back("from=" + FormatProtoDuration(t.window_start()));
  if (t.has_window_end()) items.push_back("until=" + FormatProtoDuration(t.window_end()));
  if (!t.phase().empty()) items.push_back("phase=" + t.phase());
  if (t.max_fires() != 0) items.push_back(absl::StrCat("max=", t.max_fires()));

  const pimsim::v1::FaultMatch& m = rule.match();
  if (m.methods_size() > 0) items.push_back("method=" + absl::StrJoin(m.methods(), "|"));
  if (m.route_kinds_size() > 0) {
    std::vector<std::string> names;
    for (int k : m.route_kinds()) {
      std::string name = absl::StrCat(k);
      for (const RouteName& r : kRouteNames) {
        if (r.kind == k) name = r.name;
      }
      names.push_back(std::move(name));
    }
    items.push_back("route=" + absl::StrJoin(names, "|"));
  }
  if (!m.path().empty()) items.push_back("path=" + m.path());
  if (m.connections_size() > 0) {
    items.push_back("connection=" + absl::StrJoin(m.connections(), "|"));
  }
  if (m.instances_size() > 0) items.push_back("instance=" + absl::StrJoin(m.instances(), "|"));
  if (!rule.name().empty()) items.push_back("name=" + rule.name());
  return absl::StrJoin(items, ",");
}

}  // namespace pimsim
