#include "checker/limits_in_force.h"

#include <algorithm>
#include <cmath>

namespace pimsim::checker {
namespace {

// Rate and burst of a RateLimit; the burst defaults to one second's worth.
void ResolveRate(const pimsim::v1::RateLimit& r, double default_rate, double* rate,
                 uint32_t* burst) {
  *rate = r.has_requests_per_second() ? r.requests_per_second() : default_rate;
  if (!(*rate > 0)) *rate = 0;
  if (r.has_burst()) {
    *burst = r.burst() < 1 ? 1 : r.burst();
  } else {
    *burst = static_cast<uint32_t>(std::max(1.0, std::ceil(*rate)));
  }
}

}  // namespace

LimitsInForce ResolveLimits(const std::map<std::string, pimsim::v1::Limits>& limits,
                            const std::string& instance) {
  LimitsInForce l;
  auto it = limits.find(instance);
  if (it == limits.end()) return l;
  const pimsim::v1::Limits& p = it->second;
  if (p.has_enabled() && !p.enabled()) {
    l.enabled = false;
    l.in_flight_per_connection = 0;
    l.in_flight_per_instance = 0;
    l.requests_per_second = 0;
    l.option_writes_per_second = 0;
  } else {
    if (p.has_max_in_flight_per_connection()) {
      l.in_flight_per_connection = p.max_in_flight_per_connection();
    }
    if (p.has_max_in_flight_per_instance()) {
      l.in_flight_per_instance = p.max_in_flight_per_instance();
    }
    ResolveRate(p.instance_rate(), 100, &l.requests_per_second, &l.burst);
    ResolveRate(p.attribute_option_write_rate(), 3, &l.option_writes_per_second,
                &l.option_write_burst);
  }
  l.retry_after_http_date = p.retry_after() == pimsim::v1::RETRY_AFTER_FORM_HTTP_DATE;
  return l;
}

}  // namespace pimsim::checker
