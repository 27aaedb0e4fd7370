#include "checker/limits_in_force.h"

#include <algorithm>

#include "limits/limits_config.h"

namespace pimsim::checker {
namespace {

// A non-positive rate means no limit here; a burst is at least 1.
void Rate(const pimsim::RateConfig& in, double* rate, uint32_t* burst) {
  *rate = in.rate > 0 ? in.rate : 0;
  *burst = std::max<uint32_t>(1, in.burst);
}

}  // namespace

LimitsInForce ResolveLimits(const std::map<std::string, pimsim::v1::Limits>& limits,
                            const std::string& instance) {
  LimitsInForce l;
  auto it = limits.find(instance);
  if (it == limits.end()) return l;
  // The mock's own resolution of unset fields to Akeneo's defaults.
  const pimsim::EffectiveLimits e = pimsim::ResolveLimits(it->second);
  l.retry_after_http_date = e.retry_after == pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE;
  if (!e.enabled) {
    l.enabled = false;
    l.in_flight_per_connection = 0;
    l.in_flight_per_instance = 0;
    l.requests_per_second = 0;
    l.option_writes_per_second = 0;
    return l;
  }
  l.in_flight_per_connection = e.max_in_flight_per_connection;
  l.in_flight_per_instance = e.max_in_flight_per_instance;
  Rate(e.instance_rate, &l.requests_per_second, &l.burst);
  Rate(e.attribute_option_write_rate, &l.option_writes_per_second, &l.option_write_burst);
  return l;
}

}  // namespace pimsim::checker
