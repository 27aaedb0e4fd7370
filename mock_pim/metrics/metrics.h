// Metrics: named counters and gauges, with labels, rendered in the Prometheus
// text exposition format (0.0.4) for the mock's /metrics endpoint.
//
// Register a family once at start-up, look up a labelled series once (or per
// request: a map lookup under the family's mutex), and the hot path is one
// relaxed atomic add on a Counter or Gauge whose address is stable for the
// life of the Metrics object.
//
// A series looked up with the wrong number of label values is not an error
// the caller can miss: missing values read as "", extra ones are dropped, and
// each such lookup counts in pimsim_metrics_label_errors_total.
//
// Thread-safety: thread-safe. Increments are lock-free; registration, lookup
// and rendering take mutexes.
//
//   Metrics metrics;
//   Counter& ok = (*metrics.AddCounterFamily("pimsim_requests_total", "Requests.",
//                                            {"instance", "status"}))->Get({"main", "200"});
//   ok.Increment();  std::string page = metrics.RenderPrometheus();
//
// Every Metrics object also carries the mock's standard families
// (PimsimMetrics), so /metrics lists them from the start.
#ifndef PIMSIM_MOCK_PIM_METRICS_METRICS_H_
#define PIMSIM_MOCK_PIM_METRICS_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/mutex.h"
#include "proto/journal.pb.h"

namespace pimsim {

// A monotonically increasing count.
class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }
  // Mirrors a count kept elsewhere (e.g. Journal::overflowed()). Prometheus
  // treats a decrease as a counter reset.
  void Set(uint64_t v) { value_.store(v, std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (in-flight requests, bucket level x 1).
class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

namespace metrics_internal {

class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names,
             Counter* label_errors);
  virtual ~FamilyBase() = default;
  virtual const char* type() const = 0;
  void Render(std::string* out) const;
  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

 protected:
  // Orders label-value tuples and lets a lookup compare a span of views
  // without building a key.
  struct LabelsLess {
    using is_transparent = void;
    bool operator()(const std::vector<std::string>& a, const std::vector<std::string>& b) const;
    bool operator()(const std::vector<std::string>& a, absl::Span<const std::string_view> b) const;
    bool operator()(absl::Span<const std::string_view> a, const std::vector<std::string>& b) const;
  };
  // Pads or truncates to the label count, counting a mismatch.
  std::vector<std::string_view> Fit(absl::Span<const std::string_view> values) const;
  virtual void RenderSeries(std::string* out) const = 0;
  void RenderLine(const std::vector<std::string>& values, const std::string& number,
                  std::string* out) const;

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  Counter* const label_errors_;
  mutable Mutex mu_;
};

}  // namespace metrics_internal

// All series of one metric name, one per tuple of label values.
template <typename T>
class Family final : public metrics_internal::FamilyBase {
 public:
  using FamilyBase::FamilyBase;

  // The series for `label_values` (one per label name, in order), created at
  // first use with value 0.
  T& Get(absl::Span<const std::string_view> label_values) {
    const std::vector<std::string_view> values = Fit(label_values);
    MutexLock lock(&mu_);
    auto it = series_.find(absl::MakeConstSpan(values));
    if (it == series_.end()) {
      it = series_.emplace(std::vector<std::string>(values.begin(), values.end()),
                           std::make_unique<T>())
               .first;
    }
    return *it->second;
  }

  const char* type() const override;

 private:
  void RenderSeries(std::string* out) const override {
    MutexLock lock(&mu_);
    for (const auto& [values, series] : series_) {
      RenderLine(values, std::to_string(series->value()), out);
    }
  }

  std::map<std::vector<std::string>, std::unique_ptr<T>, LabelsLess> series_
      ABSL_GUARDED_BY(mu_);
};

template <>
inline const char* Family<Counter>::type() const {
  return "counter";
}
template <>
inline const char* Family<Gauge>::type() const {
  return "gauge";
}

class Metrics;

// What the HTTP server counts about its connections (http::ServerStats),
// copied in by whoever owns the server.
struct HttpServerCounts {
  uint64_t accepted = 0;
  uint64_t evicted = 0;  // Closed to make room for a newcomer.
  uint64_t refused = 0;  // Over the limit with none to evict.
  uint64_t open = 0;
  uint64_t limit = 0;
  uint64_t timeouts = 0;  // 408s for slow heads and bodies.
  uint64_t write_timeouts = 0;  // Responses left unread.
  // HTTPS only: handshakes completed, failed, and timed out.
  uint64_t tls_handshakes = 0;
  uint64_t tls_handshake_failures = 0;
  uint64_t tls_handshake_timeouts = 0;
};

// The mock's standard families. Reasons are RejectionName() values; statuses
// are the decimal HTTP status ("0" when no response was sent).
struct PimsimMetrics {
  Family<Counter>* requests_total;            // {instance, status}
  Family<Counter>* admitted_total;            // {instance}
  Family<Counter>* rejected_total;            // {instance, reason}
  Family<Gauge>* in_flight;                   // {instance}
  Family<Counter>* journal_overflowed_total;  // no labels
  Family<Gauge>* journal_events;              // no labels
  Family<Gauge>* journal_bytes;               // no labels
  Family<Counter>* faults_injected_total;     // {kind}
  // The HTTP server's connection table (SetHttpServer), no labels.
  Family<Counter>* http_connections_accepted_total;
  Family<Counter>* http_connections_evicted_total;
  Family<Counter>* http_connections_refused_total;
  Family<Gauge>* http_connections_open;
  Family<Gauge>* http_connections_limit;
  Family<Counter>* http_timeouts_total;
  Family<Counter>* http_write_timeouts_total;
  Family<Counter>* http_tls_handshakes_total;
  Family<Counter>* http_tls_handshake_failures_total;
  Family<Counter>* http_tls_handshake_timeouts_total;

  // Registers them (idempotent: a second call returns the same families).
  static absl::StatusOr<PimsimMetrics> Register(Metrics& metrics);
};

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Registers a family, or returns the one already registered under `name`
  // with the same type and label names. Errors: an invalid metric or label
  // name (Prometheus syntax; "__" prefixes are reserved), a duplicate label,
  // or `name` taken by a different type or label set. A family without
  // labels has its single series from the start.
  absl::StatusOr<Family<Counter>*> AddCounterFamily(std::string_view name, std::string_view help,
                                                    std::vector<std::string> label_names = {});
  absl::StatusOr<Family<Gauge>*> AddGaugeFamily(std::string_view name, std::string_view help,
                                                std::vector<std::string> label_names = {});

  // Runs `hook` at the start of every RenderPrometheus, e.g. to copy a value
  // owned elsewhere (AdmissionController::in_flight_instance) into a gauge.
  void AddCollectHook(std::function<void()> hook);

  // Every family in name order, each with # HELP and # TYPE lines, its
  // series sorted by label values.
  std::string RenderPrometheus() const;

  // The standard pimsim families, registered at construction (the mock
  // resolves their series once and counts on the hot path), and the gauges
  // it refreshes when /metrics is scraped.
  const PimsimMetrics& pimsim() const { return pimsim_; }
  void SetInFlight(std::string_view instance, int64_t in_flight);
  void SetJournal(uint64_t events, uint64_t overflowed, uint64_t bytes);
  void SetHttpServer(const HttpServerCounts& counts);

  // The Content-Type of RenderPrometheus's output.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  template <typename T>
  absl::StatusOr<Family<T>*> Add(std::string_view name, std::string_view help,
                                 std::vector<std::string> label_names);

  mutable Mutex mu_;
  std::map<std::string, std::unique_ptr<metrics_internal::FamilyBase>, std::less<>> families_
      ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> hooks_ ABSL_GUARDED_BY(mu_);
  Counter* label_errors_ = nullptr;
  PimsimMetrics pimsim_ = {};
};

// Prometheus text-format escaping: a label value escapes \ " and newline, a
// HELP text \ and newline.
std::string EscapeLabelValue(std::string_view value);
std::string EscapeHelp(std::string_view help);

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_METRICS_METRICS_H_
