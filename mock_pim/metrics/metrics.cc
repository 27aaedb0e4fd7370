#include "mock_pim/metrics/metrics.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace pimsim {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool ValidMetricName(std::string_view name) {
  if (name.empty() || !(IsNameStart(name[0]) || name[0] == ':')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsNameStart(c) || IsDigit(c) || c == ':'; });
}

bool ValidLabelName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  if (name.size() >= 2 && name[0] == '_' && name[1] == '_') return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return IsNameStart(c) || IsDigit(c); });
}


template <typename A, typename B>
bool LexLess(const A& a, const B& b) {
  return std::lexicographical_compare(
      a.begin(), a.end(), b.begin(), b.end(),
      [](const auto& x, const auto& y) { return std::string_view(x) < std::string_view(y); });
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

namespace metrics_internal {

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names,
                       Counter* label_errors)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      label_errors_(label_errors) {}

bool FamilyBase::LabelsLess::operator()(const std::vector<std::string>& a,
                                        const std::vector<std::string>& b) const {
  return LexLess(a, b);
}
bool FamilyBase::LabelsLess::operator()(const std::vector<std::string>& a,
                                        absl::Span<const std::string_view> b) const {
  return LexLess(a, b);
}
bool FamilyBase::LabelsLess::operator()(absl::Span<const std::string_view> a,
                                        const std::vector<std::string>& b) const {
  return LexLess(a, b);
}

std::vector<std::string_view> FamilyBase::Fit(absl::Span<const std::string_view> values) const {
  if (values.size() != label_names_.size() && label_errors_ != nullptr) {
    label_errors_->Increment();
  }
  std::vector<std::string_view> out(values.begin(),
                                    values.begin() + std::min(values.size(), label_names_.size()));
  out.resize(label_names_.size());
  return out;
}

void FamilyBase::RenderLine(const std::vector<std::string>& values, const std::string& number,
                            std::string* out) const {
  out->append(name_);
  if (!values.empty()) {
    out->push_back('{');
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out->push_back(',');
      absl::StrAppend(out, label_names_[i], "=\"", EscapeLabelValue(values[i]), "\"");
    }
    out->push_back('}');
  }
  absl::StrAppend(out, " ", number, "\n");
}

void FamilyBase::Render(std::string* out) const {
  absl::StrAppend(out, "# HELP ", name_, " ", EscapeHelp(help_), "\n");
  absl::StrAppend(out, "# TYPE ", name_, " ", type(), "\n");
  RenderSeries(out);
}

}  // namespace metrics_internal

Metrics::Metrics() {
  label_errors_ = &(*AddCounterFamily("pimsim_metrics_label_errors_total",
                                      "Series looked up with the wrong number of label values "
                                      "(a bug in the caller)."))
                       ->Get({});
  // Fixed, valid names on a fresh registry: this cannot fail.
  absl::StatusOr<PimsimMetrics> standard = PimsimMetrics::Register(*this);
  if (standard.ok()) pimsim_ = *standard;
}

void Metrics::SetInFlight(std::string_view instance, int64_t in_flight) {
  pimsim_.in_flight->Get({instance}).Set(in_flight);
}

void Metrics::SetJournal(uint64_t events, uint64_t overflowed, uint64_t bytes) {
  pimsim_.journal_events->Get({}).Set(static_cast<int64_t>(events));
  pimsim_.journal_bytes->Get({}).Set(static_cast<int64_t>(bytes));
  pimsim_.journal_overflowed_total->Get({}).Set(overflowed);
}

void Metrics::SetHttpServer(const HttpServerCounts& counts) {
  pimsim_.http_connections_accepted_total->Get({}).Set(counts.accepted);
  pimsim_.http_connections_evicted_total->Get({}).Set(counts.evicted);
  pimsim_.http_connections_refused_total->Get({}).Set(counts.refused);
  pimsim_.http_connections_open->Get({}).Set(static_cast<int64_t>(counts.open));
  pimsim_.http_connections_limit->Get({}).Set(static_cast<int64_t>(counts.limit));
  pimsim_.http_timeouts_total->Get({}).Set(counts.timeouts);
  pimsim_.http_write_timeouts_total->Get({}).Set(counts.write_timeouts);
  pimsim_.http_tls_handshakes_total->Get({}).Set(counts.tls_handshakes);
  pimsim_.http_tls_handshake_failures_total->Get({}).Set(counts.tls_handshake_failures);
  pimsim_.http_tls_handshake_timeouts_total->Get({}).Set(counts.tls_handshake_timeouts);
}

template <typename T>
absl::StatusOr<Family<T>*> Metrics::Add(std::string_view name, std::string_view help,
                                        std::vector<std::string> label_names) {
  if (!ValidMetricName(name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("metric name \"", Absl(name), "\" must match [a-zA-Z_:][a-zA-Z0-9_:]*"));
  }
  std::set<std::string_view> seen;
  for (const std::string& label : label_names) {
    if (!ValidLabelName(label)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "metric ", Absl(name), ": label name \"", label,
          "\" must match [a-zA-Z_][a-zA-Z0-9_]* and not start with \"__\""));
    }
    if (!seen.insert(label).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("metric ", Absl(name), ": label \"", label, "\" appears twice"));
    }
  }
  MutexLock lock(&mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    auto* existing = dynamic_cast<Family<T>*>(it->second.get());
    if (existing == nullptr || existing->label_names() != label_names) {
      return absl::AlreadyExistsError(absl::StrCat(
          "metric ", Absl(name), " is already registered as a ", it->second->type(),
          " with labels {", absl::StrJoin(it->second->label_names(), ","), "}"));
    }
    return existing;
  }
  const bool unlabelled = label_names.empty();
  auto family = std::make_unique<Family<T>>(std::string(name), std::string(help),
                                            std::move(label_names), label_errors_);
  Family<T>* raw = family.get();
  families_.emplace(std::string(name), std::move(family));
  if (unlabelled) raw->Get({});
  return raw;
}

absl::StatusOr<Family<Counter>*> Metrics::AddCounterFamily(std::string_view name,
                                                           std::string_view help,
                                                           std::vector<std::string> label_names) {
  return Add<Counter>(name, help, std::move(label_names));
}

absl::StatusOr<Family<Gauge>*> Metrics::AddGaugeFamily(std::string_view name,
                                                       std::string_view help,
                                                       std::vector<std::string> label_names) {
  return Add<Gauge>(name, help, std::move(label_names));
}

void Metrics::AddCollectHook(std::function<void()> hook) {
  MutexLock lock(&mu_);
  hooks_.push_back(std::move(hook));
}

std::string Metrics::RenderPrometheus() const {
  std::vector<std::function<void()>> hooks;
  {
    MutexLock lock(&mu_);
    hooks = hooks_;
  }
  for (const auto& hook : hooks) hook();  // outside mu_: a hook may register
  std::string out;
  MutexLock lock(&mu_);
  for (const auto& [name, family] : families_) family->Render(&out);
  return out;
}

absl::StatusOr<PimsimMetrics> PimsimMetrics::Register(Metrics& metrics) {
  PimsimMetrics m;
  auto requests = metrics.AddCounterFamily(
      "pimsim_requests_total", "HTTP requests answered, by instance and status.",
      {"instance", "status"});
  if (!requests.ok()) return requests.status();
  m.requests_total = *requests;
  auto admitted = metrics.AddCounterFamily(
      "pimsim_admitted_total", "Requests admitted by the limiter.", {"instance"});
  if (!admitted.ok()) return admitted.status();
  m.admitted_total = *admitted;
  auto rejected = metrics.AddCounterFamily(
      "pimsim_rejected_total", "Requests answered 429 by the limiter, by reason.",
      {"instance", "reason"});
  if (!rejected.ok()) return rejected.status();
  m.rejected_total = *rejected;
  auto in_flight = metrics.AddGaugeFamily("pimsim_in_flight",
                                          "Admitted requests not yet answered.", {"instance"});
  if (!in_flight.ok()) return in_flight.status();
  m.in_flight = *in_flight;
  auto overflowed = metrics.AddCounterFamily(
      "pimsim_journal_overflowed_total",
      "Journal events that could not be stored; non-zero makes verdicts incomplete.");
  if (!overflowed.ok()) return overflowed.status();
  m.journal_overflowed_total = *overflowed;
  auto events = metrics.AddGaugeFamily("pimsim_journal_events", "Events held by the journal.");
  if (!events.ok()) return events.status();
  m.journal_events = *events;
  auto bytes = metrics.AddGaugeFamily(
      "pimsim_journal_bytes",
      "Heap held by the journal's events (what a soak subtracts from RSS growth).");
  if (!bytes.ok()) return bytes.status();
  m.journal_bytes = *bytes;
  auto faults = metrics.AddCounterFamily("pimsim_faults_injected_total",
                                         "Faults injected, by kind.", {"kind"});
  if (!faults.ok()) return faults.status();
  m.faults_injected_total = *faults;
  struct {
    Family<Counter>** family;
    const char* name;
    const char* help;
  } const counters[] = {
      {&m.http_connections_accepted_total, "pimsim_http_connections_accepted_total",
       "TCP connections the HTTP server took in."},
      {&m.http_connections_evicted_total, "pimsim_http_connections_evicted_total",
       "Connections closed to make room for a newcomer at max_connections (the least useful: "
       "closing, idle or stalled the longest)."},
      {&m.http_connections_refused_total, "pimsim_http_connections_refused_total",
       "Connections refused at max_connections because every open one held a request."},
      {&m.http_timeouts_total, "pimsim_http_timeouts_total",
       "Requests answered 408 because their head or body was too slow."},
      {&m.http_write_timeouts_total, "pimsim_http_write_timeouts_total",
       "Connections closed because their client left a response unread for idle_timeout."},
      {&m.http_tls_handshakes_total, "pimsim_http_tls_handshakes_total",
       "TLS handshakes completed (HTTPS only)."},
      {&m.http_tls_handshake_failures_total, "pimsim_http_tls_handshake_failures_total",
       "TLS handshakes that failed, their connection closed: plain HTTP or garbage on the HTTPS "
       "port, a client that does not trust the certificate, no common protocol version."},
      {&m.http_tls_handshake_timeouts_total, "pimsim_http_tls_handshake_timeouts_total",
       "Connections closed because their TLS handshake did not complete in time."},
  };
  for (const auto& c : counters) {
    auto family = metrics.AddCounterFamily(c.name, c.help);
    if (!family.ok()) return family.status();
    *c.family = *family;
  }
  auto open = metrics.AddGaugeFamily("pimsim_http_connections_open",
                                     "TCP connections open on the HTTP server.");
  if (!open.ok()) return open.status();
  m.http_connections_open = *open;
  auto limit = metrics.AddGaugeFamily(
      "pimsim_http_connections_limit",
      "max_connections in force (lowered to what RLIMIT_NOFILE allows).");
  if (!limit.ok()) return limit.status();
  m.http_connections_limit = *limit;
  return m;
}

}  // namespace pimsim
