#include "report/sample_report.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace pimsim::report {
namespace {

using pimsim::v1::Report;
using pimsim::v1::RuleOutcome;
using pimsim::v1::Severity;

constexpr int64_t kOrigin = 1'717'000'000'000'000;  // journal clock, us
constexpr int kBuckets = 120;
constexpr char kInstance[] = "pim-1";

// A fixed wobble in [0, 1), so the traffic looks measured, not drawn.
double Wobble(int i, int salt) {
  uint32_t x = static_cast<uint32_t>(i * 2654435761u + salt * 40503u);
  x ^= x >> 13;
  x *= 0x5bd1e995u;
  x ^= x >> 15;
  return (x % 1000) / 1000.0;
}

void AddRule(Report* report, const std::string& id, Severity severity,
             RuleOutcome outcome, const std::string& description,
             uint64_t violations, uint64_t samples, const std::string& detail) {
  auto* rule = report->add_rules();
  rule->set_rule(id);
  rule->set_severity(severity);
  rule->set_outcome(outcome);
  rule->set_description(description);
  rule->set_violations(violations);
  rule->set_samples(samples);
  rule->set_detail(detail);
  if (outcome == pimsim::v1::RULE_OUTCOME_VIOLATED) {
    rule->set_violated_severity(severity);
  }
}

struct ViolationSpec {
  const char* rule;
  Severity severity;
  double at_seconds;
  const char* connection;
  std::string message;
};

// The journal events behind one violation, as the checker describes them:
// `n` requests ending at the violation's time, shaped by its rule.
void AddEvidence(const ViolationSpec& spec, uint64_t first_event, int n,
                 pimsim::v1::Violation* v) {
  const std::string rule = spec.rule;
  const std::string connection =
      spec.connection[0] != '\0' ? spec.connection : "erp-sync";
  const int64_t at = static_cast<int64_t>(spec.at_seconds * 1e6);
  for (int k = 0; k < n; ++k) {
    auto* line = v->add_evidence();
    line->set_event_id(first_event + k * 7);
    line->set_connection(connection);
    line->set_socket_id(30 + first_event % 17 + k % 4);
    line->set_retry_after_s(-1);
    line->set_method("GET");
    line->set_status(200);
    line->set_latency_us(38'000 + 9'000 * (k % 5));
    const std::string sku = std::to_string(104'200 + k);
    int64_t gap = 150'000;
    if (rule == "rate.instance") {
      gap = 8'000;
      line->set_path(
          "/api/rest/v1/products?limit=100&page=" + std::to_string(3 + k) +
          "&search=%7B%22updated%22%3A%5B%7B%22operator%22%3A%22%3E%22%2C"
          "%22value%22%3A%222024-06-01T00%3A00%3A00Z%22%7D%5D%7D");
      if (k == n - 1) {
        line->set_status(429);
        line->set_retry_after_s(1);
        line->set_latency_us(400);
      }
    } else if (rule == "retry_after.ignored" || rule == "throttle.ignored") {
      gap = static_cast<int64_t>(410'000);
      line->set_method(rule == "throttle.ignored" ? "PATCH" : "GET");
      line->set_path("/api/rest/v1/products/sku-" + sku);
      const bool outage = spec.message.find("(503)") != std::string::npos;
      line->set_status(outage ? 503 : 429);
      line->set_retry_after_s(outage ? 5 : 2);
      line->set_latency_us(600);
      if (outage) line->set_fault("outage-503");
    } else if (rule == "backoff.no_jitter") {
      gap = 1'000'000;
      line->set_path("/api/rest/v1/media-files/" + sku + "/download");
      line->set_status(503);
      line->set_fault("outage-503");
      line->set_latency_us(1'200);
      if (k == 5) {  // the client gave up waiting on this one
        line->set_status(0);
        line->set_client_aborted(true);
        line->set_latency_us(30'000'000);
      }
    } else if (rule == "batch.unused") {
      gap = 90'000;
      line->set_method("PATCH");
      line->set_path("/api/rest/v1/products/sku-" + sku);
      line->set_status(204);
    } else if (rule == "cache.unused") {
      gap = 2'000'000;
      line->set_path("/api/rest/v1/channels");
    } else {
      line->set_path("/api/rest/v1/products/sku-" + sku +
                     "?with_quality_scores=true");
      line->set_latency_us(180'000 + 20'000 * k);
    }
    line->set_since_start_us(at - (n - 1 - k) * gap);
  }
}

}  // namespace

Report MakeSampleReport() {
  using pimsim::v1::RULE_OUTCOME_DISABLED;
  using pimsim::v1::RULE_OUTCOME_PASSED;
  using pimsim::v1::RULE_OUTCOME_UNDECIDED;
  using pimsim::v1::RULE_OUTCOME_VIOLATED;
  using pimsim::v1::SEVERITY_ADVICE;
  using pimsim::v1::SEVERITY_ERROR;
  using pimsim::v1::SEVERITY_WARNING;

  Report report;
  report.set_verdict(pimsim::v1::VERDICT_FAIL);
  report.set_scenario("catalogue_import_burst");

  // The rule catalogue, in catalogue order.
  AddRule(&report, "concurrency.connection", SEVERITY_ERROR,
          RULE_OUTCOME_VIOLATED,
          "More than 4 requests in flight on one PIM connection.", 7, 10412,
          "peak 5 in flight on erp-sync; limit 4");
  AddRule(&report, "concurrency.instance", SEVERITY_ERROR, RULE_OUTCOME_PASSED,
          "More than 10 requests in flight on one instance.", 0, 10412,
          "peak 9 in flight; limit 10");
  AddRule(&report, "rate.instance", SEVERITY_ERROR, RULE_OUTCOME_VIOLATED,
          "Above 100 req/s beyond the allowed burst.", 3, 120,
          "peak 142 req/s over 1 s");
  AddRule(&report, "rate.attribute_options", SEVERITY_ERROR,
          RULE_OUTCOME_PASSED, "Above 3 req/s on attribute-option writes.", 0,
          64, "peak 2 req/s");
  AddRule(&report, "retry_after.ignored", SEVERITY_ERROR, RULE_OUTCOME_VIOLATED,
          "Came back before Retry-After had elapsed.", 4, 211,
          "4 of 211 retries after a 429 with Retry-After came early");
  AddRule(&report, "backoff.immediate", SEVERITY_ERROR, RULE_OUTCOME_PASSED,
          "Retried a failed request at once, with no delay.", 0, 402,
          "first-retry immediate share 0%");
  AddRule(&report, "backoff.not_growing", SEVERITY_ERROR, RULE_OUTCOME_PASSED,
          "Retry delays do not grow (no exponential backoff).", 0, 96,
          "median growth factor 1.9");
  AddRule(&report, "backoff.no_jitter", SEVERITY_ERROR, RULE_OUTCOME_VIOLATED,
          "Retries in lockstep: delays identical across requests.", 1, 96,
          "weak jitter: delay spread 3% of the median");
  // Weak jitter: an error rule broken only at warning severity.
  report.mutable_rules(report.rules_size() - 1)
      ->set_violated_severity(SEVERITY_WARNING);
  AddRule(&report, "retry.too_many", SEVERITY_ERROR, RULE_OUTCOME_PASSED,
          "More attempts than the maximum, or retrying for too long.", 0, 402,
          "at most 4 attempts; limit 9");
  AddRule(&report, "retry.non_retryable", SEVERITY_ERROR, RULE_OUTCOME_PASSED,
          "Retried a 400/403/404/405/406/410/415/422, or a 401 without a new "
          "token.",
          0, 37, "");
  AddRule(&report, "retry.non_idempotent", SEVERITY_ERROR,
          RULE_OUTCOME_UNDECIDED,
          "Re-sent a non-idempotent write after an ambiguous failure.", 0, 0,
          "no ambiguous failure of a non-idempotent write in this run");
  AddRule(&report, "request.duplicate_in_flight", SEVERITY_ERROR,
          RULE_OUTCOME_PASSED,
          "Sent the same write again while the first was still in flight.", 0,
          3120, "");
  AddRule(&report, "throttle.persistent", SEVERITY_ERROR, RULE_OUTCOME_PASSED,
          "Kept over-using: a high 429 share for several windows.", 0, 24,
          "highest 429 share 28% for 1 window; threshold 20% for 3");
  AddRule(&report, "throttle.ignored", SEVERITY_WARNING, RULE_OUTCOME_VIOLATED,
          "Kept the same rate right after a 429.", 2, 15,
          "rate after a 429 fell by 3% on average");
  AddRule(&report, "retry.abandoned", SEVERITY_WARNING, RULE_OUTCOME_PASSED,
          "Gave up at once on a transient failure.", 0, 188, "");
  AddRule(&report, "retry.no_budget", SEVERITY_WARNING, RULE_OUTCOME_UNDECIDED,
          "Retried as much late in an outage as early (no retry budget).", 0, 1,
          "one outage of 12 s; needs 30 s to judge");
  AddRule(&report, "timeout.none", SEVERITY_WARNING, RULE_OUTCOME_DISABLED,
          "Never gave up on a hung response.", 0, 0,
          "no hang fault in this scenario");
  AddRule(&report, "auth.token_churn", SEVERITY_WARNING, RULE_OUTCOME_PASSED,
          "Fetched new tokens instead of reusing or refreshing them.", 0, 9,
          "3 tokens for 3 connections");
  AddRule(&report, "batch.unused", SEVERITY_ADVICE, RULE_OUTCOME_VIOLATED,
          "Many single-item writes where a batch endpoint exists.", 1, 3120,
          "412 single-product PATCH requests");
  AddRule(&report, "cache.unused", SEVERITY_ADVICE, RULE_OUTCOME_VIOLATED,
          "Re-read unchanging reference data.", 1, 240,
          "channels read 57 times, families 41 times");

  // Traffic: ramp up, steady, a burst the limiter cuts at 100 req/s, a 503
  // outage with retries, steady again, drain.
  auto* m = report.mutable_metrics();
  m->mutable_bucket()->set_seconds(1);
  m->set_limit_in_flight_connection(4);
  m->set_limit_in_flight_instance(10);
  m->set_limit_requests_per_second(100);
  const std::vector<std::string> connections = {"erp-sync", "dam-connector",
                                                "translation-bot"};
  uint64_t total_requests = 0, total_admitted = 0, total_rejected = 0,
           total_failed = 0, total_retries = 0;
  for (int i = 0; i < kBuckets; ++i) {
    double demand;
    if (i < 10) {
      demand = 20 + i * 6.5;
    } else if (i < 40) {
      demand = 82 + 8 * Wobble(i, 1);
    } else if (i < 55) {
      demand = 132 + 12 * Wobble(i, 2);
    } else if (i < 115) {
      demand = 84 + 9 * Wobble(i, 3);
    } else {
      demand = 84.0 * (kBuckets - i) / 6;
    }
    const bool burst = i >= 40 && i < 55;
    const bool outage = i >= 80 && i < 92;
    auto* b = m->add_timeline();
    b->set_start_us(kOrigin + int64_t{i} * 1'000'000);
    const uint64_t requests = static_cast<uint64_t>(demand);
    const uint64_t admitted =
        burst ? std::min<uint64_t>(requests,
                                   100 - static_cast<int>(4 * Wobble(i, 4)))
              : requests;
    const uint64_t rejected = requests - admitted;
    const uint64_t failed =
        outage ? static_cast<uint64_t>(admitted * (0.3 + 0.15 * Wobble(i, 5)))
               : (Wobble(i, 6) > 0.9 ? 1 : 0);
    const uint64_t retries = outage  ? failed * 9 / 10
                             : burst ? rejected * 3 / 5
                                     : failed;
    b->set_requests(requests);
    b->set_admitted(admitted);
    b->set_rejected(rejected);
    b->set_failed(failed);
    b->set_retries(retries);
    const uint32_t erp = burst && Wobble(i, 7) > 0.55
                             ? 5
                             : (i < 3 ? 2 : 3 + (Wobble(i, 8) > 0.6));
    const uint32_t dam = i < 5 ? 1 : 2 + (Wobble(i, 9) > 0.7);
    const uint32_t bot = i >= 20 && i < 100 ? 1 + (Wobble(i, 10) > 0.5) : 0;
    if (i >= kBuckets - 2) {
      (*b->mutable_max_in_flight_connection())[connections[0]] = 1;
    } else {
      (*b->mutable_max_in_flight_connection())[connections[0]] = erp;
      (*b->mutable_max_in_flight_connection())[connections[1]] = dam;
      if (bot > 0)
        (*b->mutable_max_in_flight_connection())[connections[2]] = bot;
    }
    b->set_max_in_flight_instance(std::min<uint32_t>(9, erp + dam + bot));
    if (i >= kBuckets - 2) b->set_max_in_flight_instance(1);
    total_requests += requests;
    total_admitted += admitted;
    total_rejected += rejected;
    total_failed += failed;
    total_retries += retries;
  }

  const std::vector<ViolationSpec> specs = {
      {"concurrency.connection", SEVERITY_ERROR, 41.203, "erp-sync",
       "5 requests in flight on connection erp-sync; limit 4"},
      {"rate.instance", SEVERITY_ERROR, 42.010, "",
       "142 req/s over 1 s; limit 100 req/s after a burst of 100"},
      {"throttle.ignored", SEVERITY_WARNING, 43.5, "erp-sync",
       "kept 138 req/s in the second after a 429 (was 141 req/s)"},
      {"concurrency.connection", SEVERITY_ERROR, 44.871, "erp-sync",
       "5 requests in flight on connection erp-sync; limit 4"},
      {"retry_after.ignored", SEVERITY_ERROR, 45.332, "erp-sync",
       "retried after 0.41 s; Retry-After was 2 s"},
      {"rate.instance", SEVERITY_ERROR, 46.002, "",
       "139 req/s over 1 s; limit 100 req/s after a burst of 100"},
      {"concurrency.connection", SEVERITY_ERROR, 47.650, "erp-sync",
       "5 requests in flight on connection erp-sync; limit 4"},
      {"retry_after.ignored", SEVERITY_ERROR, 48.120, "dam-connector",
       "retried after 0.95 s; Retry-After was \"1\" (delta-seconds) & the "
       "<Retry-After> date pointed 1.2 s later"},
      {"throttle.ignored", SEVERITY_WARNING, 49.0, "erp-sync",
       "kept 135 req/s in the second after a 429 (was 137 req/s)"},
      {"concurrency.connection", SEVERITY_ERROR, 50.404, "erp-sync",
       "5 requests in flight on connection erp-sync; limit 4"},
      {"rate.instance", SEVERITY_ERROR, 51.001, "",
       "141 req/s over 1 s; limit 100 req/s after a burst of 100"},
      {"concurrency.connection", SEVERITY_ERROR, 52.918, "erp-sync",
       "5 requests in flight on connection erp-sync; limit 4"},
      {"retry_after.ignored", SEVERITY_ERROR, 53.77, "erp-sync",
       "retried after 0.12 s; Retry-After was 1 s"},
      {"retry_after.ignored", SEVERITY_ERROR, 83.2, "translation-bot",
       "retried after 1.5 s; Retry-After was 5 s (503)"},
      {"backoff.no_jitter", SEVERITY_WARNING, 86.4, "dam-connector",
       "12 retries 1.000 s after their failure, spread 0.2 ms"},
      {"batch.unused", SEVERITY_ADVICE, 96.0, "erp-sync",
       "412 single-product PATCH requests; PATCH /api/rest/v1/products takes "
       "up to 100 per call"},
      {"cache.unused", SEVERITY_ADVICE, 110.0, "translation-bot",
       "GET /api/rest/v1/channels read 57 times; it never changed"},
  };
  uint64_t event = 4100;
  for (const ViolationSpec& spec : specs) {
    auto* v = report.add_violations();
    v->set_rule(spec.rule);
    v->set_severity(spec.severity);
    v->set_message(spec.message);
    v->set_time_us(kOrigin + static_cast<int64_t>(spec.at_seconds * 1e6));
    v->set_connection(spec.connection);
    v->set_instance(kInstance);
    const int evidence = std::string(spec.rule) == "backoff.no_jitter" ? 12
                         : spec.severity == SEVERITY_ADVICE            ? 6
                                                            : 2 + (event % 3);
    for (int k = 0; k < evidence; ++k) v->add_event_ids(event + k * 7);
    AddEvidence(spec, event, evidence, v);
    event += 311;
    auto* bucket = m->mutable_timeline(static_cast<int>(spec.at_seconds));
    bucket->set_violations(bucket->violations() + 1);
  }
  // concurrency.connection counted 7, listed 5.
  report.set_violations_dropped(2);

  m->set_requests(total_requests);
  m->set_retries(total_retries);
  m->set_rejected(total_rejected);
  m->mutable_duration()->set_seconds(kBuckets - 1);
  m->mutable_duration()->set_nanos(731'000'000);
  m->set_admitted_per_second(total_admitted / 119.731);
  m->set_rejected_per_second(total_rejected / 119.731);
  auto& by_status = *m->mutable_requests_by_status();
  const uint64_t no_response = total_failed / 8;
  by_status[200] = (total_admitted - total_failed) * 7 / 10;
  by_status[201] = (total_admitted - total_failed) - by_status[200] - 12;
  by_status[422] = 12;
  by_status[429] = total_rejected;
  by_status[503] = total_failed - no_response;
  by_status[0] = no_response;
  m->set_latency_p50_us(38'400);
  m->set_latency_p90_us(121'000);
  m->set_latency_p99_us(482'000);
  m->set_latency_max_us(2'310'000);
  (*m->mutable_max_in_flight_connection())["erp-sync"] = 5;
  (*m->mutable_max_in_flight_connection())["dam-connector"] = 3;
  (*m->mutable_max_in_flight_connection())["translation-bot"] = 2;
  (*m->mutable_max_in_flight_instance())[kInstance] = 9;
  report.set_events(total_requests + 9);
  return report;
}

}  // namespace pimsim::report
