#include "limits/gcra.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace pimsim {
namespace {

constexpr int64_t kLongAgo = std::numeric_limits<int64_t>::min();
constexpr double kMinRate = 1e-6;
constexpr double kMaxRate = 1e9;
// Keeps burst * T well inside int64 nanoseconds (about 11.5 days).
constexpr int64_t kMaxSpanNs = int64_t{1000000} * 1000000000;

}  // namespace

Gcra::Gcra(double rate_per_second, uint32_t burst) : tat_ns_(kLongAgo) {
  Reconfigure(rate_per_second, burst);
}

void Gcra::Reconfigure(double rate_per_second, uint32_t burst) {
  if (!(rate_per_second >= kMinRate)) rate_per_second = kMinRate;  // also NaN
  rate_per_second = std::min(rate_per_second, kMaxRate);
  burst = std::max<uint32_t>(burst, 1);
  rate_ = rate_per_second;
  burst_ = burst;
  interval_ns_ = std::max<int64_t>(1, static_cast<int64_t>(std::floor(1e9 / rate_)));
  interval_ns_ = std::min(interval_ns_, kMaxSpanNs);
  const int64_t max_burst = kMaxSpanNs / interval_ns_;
  tolerance_ns_ = (std::min<int64_t>(burst_, max_burst) - 1) * interval_ns_;
  per_interval_ = 1.0 / static_cast<double>(interval_ns_);
}

void Gcra::Reset() { tat_ns_ = kLongAgo; }

// absl::ToUnixNanos saturates at the int64 range, which covers
// InfinitePast/InfiniteFuture.
GcraResult Gcra::Check(absl::Time now) const { return CheckNanos(absl::ToUnixNanos(now)); }

void Gcra::Consume(absl::Time now) { ConsumeNanos(absl::ToUnixNanos(now)); }

GcraResult Gcra::CheckNanos(int64_t now_ns) const {
  GcraResult r;
  // A TAT more than tau + T ahead cannot arise from Admit but can after
  // Reconfigure to a smaller bucket; the level is clamped at 0.
  const int64_t ahead = tat_ns_ > now_ns ? tat_ns_ - now_ns : 0;
  r.available = std::max(0.0, static_cast<double>(burst_) - static_cast<double>(ahead) * per_interval_);
  if (ahead <= tolerance_ns_) {
    r.allowed = true;
  } else {
    r.retry_after = absl::Nanoseconds(ahead - tolerance_ns_);
  }
  return r;
}

void Gcra::ConsumeNanos(int64_t now_ns) {
  const int64_t base = std::max(tat_ns_, now_ns);
  tat_ns_ = base > std::numeric_limits<int64_t>::max() - interval_ns_
                ? std::numeric_limits<int64_t>::max()
                : base + interval_ns_;
}

GcraResult Gcra::Admit(absl::Time now) {
  const int64_t now_ns = absl::ToUnixNanos(now);
  GcraResult r = CheckNanos(now_ns);
  if (r.allowed) ConsumeNanos(now_ns);
  return r;
}

double Gcra::Available(absl::Time now) const { return Check(now).available; }

}  // namespace pimsim
