#include "client/policy.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace pimsim::client {
namespace {

struct Preset {
  const char* name;
  const char* help;
  void (*apply)(Policy&);
};

const Preset kPresets[] = {
    {"compliant", "every safety on (the default)", [](Policy&) {}},
    {"naive", "no throttle, no pacing, retries at once, ignores Retry-After, new token per request",
     [](Policy& p) {
       p.max_in_flight_per_connection = 16;
       p.max_in_flight_per_instance = 0;
       p.instance_rate = 0;
       p.attribute_option_rate = 0;
       p.pause_connection_on_429 = false;
       p.backoff = false;
       p.honour_retry_after = false;
       p.min_429_wait = absl::ZeroDuration();
       p.retry_budget_tokens = 0;
       p.verify_ambiguous_creates = false;
       p.reuse_token = false;
       p.reference_cache_ttl = absl::ZeroDuration();
     }},
    {"no-backoff", "retries at once (Retry-After still honoured)",
     [](Policy& p) {
       p.backoff = false;
       p.min_429_wait = absl::ZeroDuration();
     }},
    {"ignore-retry-after", "backs off but ignores Retry-After and does not pause on a 429",
     [](Policy& p) {
       p.honour_retry_after = false;
       p.pause_connection_on_429 = false;
       p.min_429_wait = absl::ZeroDuration();
     }},
    {"no-jitter", "waits the whole backoff cap: retries in lockstep",
     [](Policy& p) { p.jitter = false; }},
    {"unlimited-concurrency", "no in-flight limits (pacing kept)",
     [](Policy& p) {
       p.max_in_flight_per_connection = 0;
       p.max_in_flight_per_instance = 0;
     }},
    {"blind-post-retry", "re-sends a create after an ambiguous failure without reading it back",
     [](Policy& p) { p.verify_ambiguous_creates = false; }},
    {"retry-4xx", "retries 400/403/404/405/406/410/415/422 like transient failures",
     [](Policy& p) { p.retry_4xx = true; }},
};

}  // namespace

const std::vector<std::string>& PresetNames() {
  static const std::vector<std::string>* names = [] {
    auto* v = new std::vector<std::string>;
    for (const Preset& p : kPresets) v->push_back(p.name);
    return v;
  }();
  return *names;
}

std::string PresetHelp() {
  std::string out;
  for (const Preset& p : kPresets) absl::StrAppend(&out, "  ", p.name, ": ", p.help, "\n");
  return out;
}

absl::StatusOr<Policy> PolicyPreset(const std::string& name) {
  for (const Preset& p : kPresets) {
    if (name == p.name) {
      Policy policy;
      p.apply(policy);
      return policy;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown preset \"", name,
                                                 "\"; the presets are ",
                                                 absl::StrJoin(PresetNames(), ", ")));
}

}  // namespace pimsim::client
