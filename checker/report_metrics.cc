#include "checker/report_metrics.h"

#include <algorithm>

namespace pimsim::checker {
namespace {

constexpr int64_t kMs = 1000;
constexpr int64_t kS = 1000 * kMs;
constexpr int64_t kWidths[] = {100 * kMs, 200 * kMs, 500 * kMs, kS,        2 * kS,
                               5 * kS,    10 * kS,   15 * kS,   30 * kS,   60 * kS,
                               120 * kS,  300 * kS,  600 * kS,  900 * kS,  1800 * kS,
                               3600 * kS, 7200 * kS, 21600 * kS, 43200 * kS, 86400 * kS};

// Nearest-rank percentile of sorted values.
int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(p * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

void SetDuration(int64_t us, google::protobuf::Duration* d) {
  d->set_seconds(us / kS);
  d->set_nanos(static_cast<int32_t>((us % kS) * 1000));
}

}  // namespace

int64_t TimelineBucketUs(int64_t duration_us) {
  for (int64_t w : kWidths) {
    if ((duration_us + w - 1) / w <= kMaxTimelineBuckets) return w;
  }
  return (duration_us + kMaxTimelineBuckets - 1) / kMaxTimelineBuckets;
}

pimsim::v1::ReportMetrics ComputeMetrics(const AttemptTable& table, const RetryChains& chains,
                                         const InFlight& in_flight,
                                         const std::vector<int64_t>& violation_times_us,
                                         const std::vector<LimitsInForce>& limits) {
  pimsim::v1::ReportMetrics m;
  const std::vector<Attempt>& at = table.attempts;
  const int64_t duration = at.empty() ? 0 : table.end_us - table.start_us;
  const int64_t width = TimelineBucketUs(std::max<int64_t>(duration, 1));
  const size_t buckets = at.empty() ? 0 : static_cast<size_t>(duration / width + 1);
  SetDuration(duration, m.mutable_duration());
  SetDuration(width, m.mutable_bucket());
  m.set_requests(at.size());
  m.set_retries(chains.retries);

  std::vector<pimsim::v1::TimeBucket> timeline(buckets);
  for (size_t b = 0; b < buckets; ++b) {
    timeline[b].set_start_us(table.start_us + static_cast<int64_t>(b) * width);
  }
  std::vector<int64_t> latencies;
  latencies.reserve(at.size());
  std::vector<uint32_t> max_connection(table.connections.size());
  std::vector<uint32_t> max_instance(table.instances.size());
  std::vector<uint64_t> by_status(600);
  std::vector<uint64_t> requests_per_instance(table.instances.size());
  uint64_t admitted = 0, rejected = 0;
  // Per-connection maxima of the current bucket, flushed into its map when
  // arrivals move on (they come in order).
  std::vector<uint32_t> bucket_connection(table.connections.size());
  std::vector<uint32_t> touched;
  size_t current = 0;
  auto flush = [&]() {
    for (uint32_t c : touched) {
      uint32_t& slot =
          (*timeline[current].mutable_max_in_flight_connection())[table.connections[c].name];
      slot = std::max(slot, bucket_connection[c]);
      bucket_connection[c] = 0;
    }
    touched.clear();
  };
  for (size_t i = 0; i < at.size(); ++i) {
    const Attempt& t = at[i];
    ++by_status[std::min<uint32_t>(t.status, 599)];
    ++requests_per_instance[t.instance];
    latencies.push_back(t.response_us - t.arrival_us);
    if (t.rejected) {
      ++rejected;
    } else {
      ++admitted;
    }
    max_instance[t.instance] = std::max(max_instance[t.instance], in_flight.instance[i]);
    const std::string& connection = table.connections[t.connection].name;
    if (!connection.empty()) {
      max_connection[t.connection] =
          std::max(max_connection[t.connection], in_flight.connection[i]);
    }
    const size_t bucket = static_cast<size_t>(
        std::clamp<int64_t>((t.arrival_us - table.start_us) / width, 0,
                            static_cast<int64_t>(buckets) - 1));
    if (bucket != current) {
      flush();
      current = bucket;
    }
    pimsim::v1::TimeBucket& b = timeline[bucket];
    b.set_requests(b.requests() + 1);
    if (t.rejected) {
      b.set_rejected(b.rejected() + 1);
    } else {
      b.set_admitted(b.admitted() + 1);
      if (t.failed) b.set_failed(b.failed() + 1);
    }
    if (chains.IsRetry(i)) b.set_retries(b.retries() + 1);
    b.set_max_in_flight_instance(std::max(b.max_in_flight_instance(), in_flight.instance[i]));
    if (!connection.empty()) {
      uint32_t& slot = bucket_connection[t.connection];
      if (slot == 0) touched.push_back(t.connection);
      slot = std::max(slot, in_flight.connection[i]);
    }
  }
  flush();
  for (int64_t v : violation_times_us) {
    if (buckets == 0) break;
    const int64_t k = std::clamp<int64_t>((v - table.start_us) / width, 0,
                                          static_cast<int64_t>(buckets) - 1);
    timeline[k].set_violations(timeline[k].violations() + 1);
  }
  for (auto& b : timeline) *m.add_timeline() = std::move(b);
  for (uint32_t s = 0; s < by_status.size(); ++s) {
    if (by_status[s] > 0) (*m.mutable_requests_by_status())[s] = by_status[s];
  }
  m.set_rejected(rejected);
  const double seconds = static_cast<double>(std::max<int64_t>(duration, 1)) / kS;
  m.set_admitted_per_second(at.empty() ? 0 : admitted / seconds);
  m.set_rejected_per_second(at.empty() ? 0 : rejected / seconds);
  std::sort(latencies.begin(), latencies.end());
  m.set_latency_p50_us(Percentile(latencies, 0.50));
  m.set_latency_p90_us(Percentile(latencies, 0.90));
  m.set_latency_p99_us(Percentile(latencies, 0.99));
  m.set_latency_max_us(latencies.empty() ? 0 : latencies.back());
  for (size_t c = 0; c < table.connections.size(); ++c) {
    if (table.connections[c].name.empty()) continue;
    uint32_t& slot = (*m.mutable_max_in_flight_connection())[table.connections[c].name];
    slot = std::max(slot, max_connection[c]);
  }
  for (size_t k = 0; k < table.instances.size(); ++k) {
    (*m.mutable_max_in_flight_instance())[table.instances[k]] = max_instance[k];
  }
  LimitsInForce reference;
  if (!limits.empty()) {
    const size_t busiest = static_cast<size_t>(
        std::max_element(requests_per_instance.begin(), requests_per_instance.end()) -
        requests_per_instance.begin());
    reference = limits[std::min(busiest, limits.size() - 1)];
  }
  m.set_limit_in_flight_connection(reference.in_flight_per_connection);
  m.set_limit_in_flight_instance(reference.in_flight_per_instance);
  m.set_limit_requests_per_second(reference.requests_per_second);
  return m;
}

}  // namespace pimsim::checker
