// concurrency.connection, concurrency.instance.
#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "checker/rules/rules.h"

namespace pimsim::checker {
namespace {

struct Episode {
  bool open = false;
  uint32_t peak = 0;
  size_t peak_at = 0;
  uint64_t arrivals_over = 0;
  int64_t first_us = 0;
  int64_t last_us = 0;
};

void Check(const Analysis& a, RuleRecorder& rec, bool instance) {
  const std::vector<Attempt>& at = a.table.attempts;
  const size_t groups = instance ? a.table.instances.size() : a.table.connections.size();
  std::vector<Episode> episodes(groups);
  uint32_t peak_overall = 0;
  uint64_t samples = 0;
  bool any_limit = false;

  auto limit_of = [&](size_t i) {
    const LimitsInForce& l = a.LimitsOf(i);
    return instance ? l.in_flight_per_instance : l.in_flight_per_connection;
  };
  auto close = [&](Episode& ep) {
    ep.open = false;
    const size_t i = ep.peak_at;
    pimsim::v1::Violation* v = rec.Add(i);
    if (v == nullptr) return;
    const std::string where = instance ? absl::StrCat("instance ", a.InstanceName(i))
                                       : absl::StrCat("connection ", a.ConnectionName(i));
    std::string msg =
        absl::StrCat(ep.peak, " requests in flight on ", where, " (limit ", limit_of(i), ")");
    if (ep.arrivals_over > 1) {
      absl::StrAppend(&msg, "; ", ep.arrivals_over, " arrivals over the limit in ",
                      Seconds(ep.last_us - ep.first_us));
    }
    v->set_message(std::move(msg));
    rec.Evidence(v, InFlightSet(a.table, a.thresholds.epsilon_us, i, instance, ep.peak));
  };

  for (size_t i = 0; i < at.size(); ++i) {
    const Attempt& t = at[i];
    if (!instance && a.table.connections[t.connection].name.empty()) continue;
    const uint32_t count = instance ? a.in_flight.instance[i] : a.in_flight.connection[i];
    const uint32_t limit = limit_of(i);
    ++samples;
    peak_overall = std::max(peak_overall, count);
    if (limit == 0) continue;
    any_limit = true;
    Episode& ep = episodes[instance ? t.instance : t.connection];
    if (count > limit) {
      if (!ep.open) ep = Episode{true, 0, i, 0, t.arrival_us, t.arrival_us};
      ++ep.arrivals_over;
      ep.last_us = t.arrival_us;
      if (count > ep.peak) {
        ep.peak = count;
        ep.peak_at = i;
      }
    } else if (ep.open) {
      close(ep);
    }
  }
  for (Episode& ep : episodes) {
    if (ep.open) close(ep);
  }
  rec.AddSamples(samples);
  if (samples > 0 && !any_limit) {
    rec.SetDetail("no concurrency limit in force");
  } else {
    rec.SetDetail(absl::StrCat("peak ", peak_overall, " in flight per ",
                               instance ? "instance" : "connection"));
  }
}

}  // namespace

void CheckConcurrencyConnection(const Analysis& a, RuleRecorder& rec) { Check(a, rec, false); }
void CheckConcurrencyInstance(const Analysis& a, RuleRecorder& rec) { Check(a, rec, true); }

}  // namespace pimsim::checker
