#include "checker/judged_limits.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace pimsim::checker {

EffectiveLimits LoosestLimits(EffectiveLimits a, const EffectiveLimits& b) {
  auto cap = [](uint32_t x, uint32_t y) { return x == 0 || y == 0 ? 0 : std::max(x, y); };
  a.enabled = a.enabled && b.enabled;
  a.max_in_flight_per_connection =
      cap(a.max_in_flight_per_connection, b.max_in_flight_per_connection);
  a.max_in_flight_per_instance = cap(a.max_in_flight_per_instance, b.max_in_flight_per_instance);
  for (auto [x, y] : {std::pair(&a.instance_rate, &b.instance_rate),
                      std::pair(&a.attribute_option_write_rate, &b.attribute_option_write_rate)}) {
    x->rate = std::max(x->rate, y->rate);
    x->burst = std::max(x->burst, y->burst);
  }
  if (b.retry_after == pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE) a.retry_after = b.retry_after;
  return a;
}

std::map<std::string, pimsim::v1::Limits> JudgedLimits(
    absl::Span<const pimsim::v1::LimitChange> changes) {
  std::map<std::string, EffectiveLimits> folded;
  for (const pimsim::v1::LimitChange& change : changes) {
    const EffectiveLimits limits = ResolveLimits(change.limits());
    auto [it, first] = folded.try_emplace(change.instance(), limits);
    if (!first) it->second = LoosestLimits(it->second, limits);
  }
  std::map<std::string, pimsim::v1::Limits> judged;
  for (const auto& [instance, limits] : folded) judged[instance] = LimitsToProto(limits);
  return judged;
}

}  // namespace pimsim::checker
