#include "mock_pim/latency/latency_model.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/random/distributions.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace pimsim {
namespace {

using pimsim::v1::Distribution;
using pimsim::v1::RouteKind;

constexpr int64_t kMaxDurationSeconds = 315576000000;
constexpr double kDefaultSigma = 0.3;

absl::StatusOr<absl::Duration> ToDuration(const std::string& field,
                                          const google::protobuf::Duration& d) {
  const int64_t s = d.seconds();
  const int32_t n = d.nanos();
  if (s < -kMaxDurationSeconds || s > kMaxDurationSeconds || n <= -1000000000 ||
      n >= 1000000000 || (s > 0 && n < 0) || (s < 0 && n > 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is not a valid duration (seconds ", s, ", nanos ", n, ")"));
  }
  return absl::Seconds(s) + absl::Nanoseconds(n);
}

absl::StatusOr<absl::Duration> NonNegative(const std::string& field,
                                           const google::protobuf::Duration& d) {
  absl::StatusOr<absl::Duration> value = ToDuration(field, d);
  if (!value.ok()) return value.status();
  if (*value < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be >= 0, got ", absl::FormatDuration(*value)));
  }
  return value;
}

}  // namespace

LatencyModel::LatencyModel() : batch_per_line_(absl::Milliseconds(2)) {
  auto log_normal = [](absl::Duration median) {
    Dist d;
    d.kind = Dist::Kind::kLogNormal;
    d.a = median;
    d.b = absl::InfiniteDuration();
    d.sigma = kDefaultSigma;
    return d;
  };
  dists_[pimsim::v1::ROUTE_KIND_UNSPECIFIED] = Dist{};
  dists_[pimsim::v1::ROUTE_KIND_TOKEN] = log_normal(absl::Milliseconds(40));
  dists_[pimsim::v1::ROUTE_KIND_GET_ITEM] = log_normal(absl::Milliseconds(15));
  dists_[pimsim::v1::ROUTE_KIND_LIST] = log_normal(absl::Milliseconds(40));
  dists_[pimsim::v1::ROUTE_KIND_WRITE_ITEM] = log_normal(absl::Milliseconds(30));
  dists_[pimsim::v1::ROUTE_KIND_BATCH] = log_normal(absl::Milliseconds(5));
  dists_[pimsim::v1::ROUTE_KIND_OTHER] = Dist{};
}

absl::StatusOr<LatencyModel> LatencyModel::Create(const pimsim::v1::LatencyModel& config) {
  LatencyModel model;
  struct Slot {
    const char* name;
    bool present;
    const Distribution* proto;
    RouteKind kind;
  };
  const Slot slots[] = {
      {"token", config.has_token(), &config.token(), pimsim::v1::ROUTE_KIND_TOKEN},
      {"get_item", config.has_get_item(), &config.get_item(), pimsim::v1::ROUTE_KIND_GET_ITEM},
      {"list", config.has_list(), &config.list(), pimsim::v1::ROUTE_KIND_LIST},
      {"write_item", config.has_write_item(), &config.write_item(),
       pimsim::v1::ROUTE_KIND_WRITE_ITEM},
      {"batch", config.has_batch(), &config.batch(), pimsim::v1::ROUTE_KIND_BATCH},
      {"other", config.has_other(), &config.other(), pimsim::v1::ROUTE_KIND_OTHER},
  };
  for (const Slot& slot : slots) {
    if (!slot.present) continue;
    const std::string name = slot.name;
    const Distribution& p = *slot.proto;
    Dist d;
    switch (p.kind_case()) {
      case Distribution::kFixed: {
        absl::StatusOr<absl::Duration> v = NonNegative(name + ".fixed", p.fixed());
        if (!v.ok()) return v.status();
        d.kind = Dist::Kind::kFixed;
        d.a = *v;
        break;
      }
      case Distribution::kUniform: {
        absl::StatusOr<absl::Duration> lo = NonNegative(name + ".uniform.min", p.uniform().min());
        if (!lo.ok()) return lo.status();
        absl::StatusOr<absl::Duration> hi = NonNegative(name + ".uniform.max", p.uniform().max());
        if (!hi.ok()) return hi.status();
        if (*hi < *lo) {
          return absl::InvalidArgumentError(absl::StrCat(
              name, ".uniform: max (", absl::FormatDuration(*hi), ") must be >= min (",
              absl::FormatDuration(*lo), ")"));
        }
        d.kind = Dist::Kind::kUniform;
        d.a = *lo;
        d.b = *hi;
        break;
      }
      case Distribution::kLogNormal: {
        const auto& ln = p.log_normal();
        absl::StatusOr<absl::Duration> median = NonNegative(name + ".log_normal.median", ln.median());
        if (!median.ok()) return median.status();
        if (!std::isfinite(ln.sigma()) || ln.sigma() < 0) {
          return absl::InvalidArgumentError(
              absl::StrCat(name, ".log_normal.sigma must be finite and >= 0, got ", ln.sigma()));
        }
        d.kind = Dist::Kind::kLogNormal;
        d.a = *median;
        d.sigma = ln.sigma();
        d.b = absl::InfiniteDuration();
        if (ln.has_max()) {
          absl::StatusOr<absl::Duration> cap = NonNegative(name + ".log_normal.max", ln.max());
          if (!cap.ok()) return cap.status();
          if (*cap < *median) {
            return absl::InvalidArgumentError(absl::StrCat(
                name, ".log_normal: max (", absl::FormatDuration(*cap),
                ") must be >= median (", absl::FormatDuration(*median), ")"));
          }
          d.b = *cap;
        }
        break;
      }
      case Distribution::KIND_NOT_SET:
        return absl::InvalidArgumentError(
            absl::StrCat(name, " is set but has no distribution (fixed, uniform or log_normal)"));
    }
    model.dists_[slot.kind] = d;
  }
  if (config.has_batch_per_line()) {
    absl::StatusOr<absl::Duration> v = NonNegative("batch_per_line", config.batch_per_line());
    if (!v.ok()) return v.status();
    model.batch_per_line_ = *v;
  }
  return model;
}

LatencyModel LatencyModel::Fixed(absl::Duration d) {
  LatencyModel model;
  Dist fixed;
  fixed.a = std::max(d, absl::ZeroDuration());
  model.dists_.fill(fixed);
  model.batch_per_line_ = absl::ZeroDuration();
  return model;
}

const LatencyModel::Dist& LatencyModel::For(RouteKind kind) const {
  const int index = static_cast<int>(kind);
  if (index <= 0 || index >= kNumKinds) return dists_[pimsim::v1::ROUTE_KIND_OTHER];
  return dists_[index];
}

absl::Duration LatencyModel::DrawFrom(const Dist& dist, absl::BitGenRef rng) {
  switch (dist.kind) {
    case Dist::Kind::kFixed:
      return dist.a;
    case Dist::Kind::kUniform: {
      if (dist.a == dist.b) return dist.a;
      const int64_t lo = absl::ToInt64Nanoseconds(dist.a);
      const int64_t hi = absl::ToInt64Nanoseconds(dist.b);
      return absl::Nanoseconds(absl::Uniform<int64_t>(absl::IntervalClosed, rng, lo, hi));
    }
    case Dist::Kind::kLogNormal: {
      if (dist.sigma == 0 || dist.a == absl::ZeroDuration()) return std::min(dist.a, dist.b);
      const double z = absl::Gaussian<double>(rng, 0.0, 1.0);
      const double factor = std::exp(dist.sigma * z);
      return std::min(dist.a * factor, dist.b);
    }
  }
  return absl::ZeroDuration();
}

absl::Duration LatencyModel::Draw(RouteKind kind, int batch_lines, absl::BitGenRef rng) const {
  absl::Duration d = DrawFrom(For(kind), rng);
  if (kind == pimsim::v1::ROUTE_KIND_BATCH && batch_lines > 0) d += batch_per_line_ * batch_lines;
  return d;
}

absl::Duration LatencyModel::Mean(RouteKind kind, int batch_lines) const {
  const Dist& dist = For(kind);
  absl::Duration d;
  switch (dist.kind) {
    case Dist::Kind::kFixed:
      d = dist.a;
      break;
    case Dist::Kind::kUniform:
      d = dist.a + (dist.b - dist.a) / 2;
      break;
    case Dist::Kind::kLogNormal:
      d = dist.a * std::exp(dist.sigma * dist.sigma / 2);
      break;
  }
  if (kind == pimsim::v1::ROUTE_KIND_BATCH && batch_lines > 0) d += batch_per_line_ * batch_lines;
  return d;
}

}  // namespace pimsim
