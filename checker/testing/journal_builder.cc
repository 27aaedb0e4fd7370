#include "checker/testing/journal_builder.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/fnv.h"
#include "common/hex.h"
#include "gtest/gtest.h"

namespace pimsim::checker::testing {
namespace {

int64_t Us(double seconds) { return static_cast<int64_t>(std::llround(seconds * 1e6)); }


}  // namespace

std::string RouteOf(const std::string& path) {
  const std::string bare = std::string(absl::string_view(path).substr(0, path.find('?')));
  constexpr absl::string_view kPrefix = "/api/rest/v1/";
  if (!absl::StartsWith(bare, kPrefix)) return bare;
  std::vector<std::string> seg =
      absl::StrSplit(absl::string_view(bare).substr(kPrefix.size()), '/', absl::SkipEmpty());
  if (seg.size() == 2) seg[1] = seg[0] == "products-uuid" ? "{uuid}" : "{code}";
  if (seg.size() >= 3 && seg[0] == "attributes") seg[1] = "{attribute_code}";
  if (seg.size() == 4) seg[3] = "{code}";
  return absl::StrCat("/api/rest/v1/", absl::StrJoin(seg, "/"));
}

EventSpec::EventSpec(std::string method, std::string path) {
  e_.set_instance(kInstance);
  e_.set_connection(kConnection);
  e_.set_socket_id(1);
  e_.set_route(RouteOf(path));
  e_.set_normalized_path(path);
  e_.set_method(std::move(method));
  e_.set_status(200);
  e_.set_retry_after_s(-1);
}

EventSpec& EventSpec::At(double seconds) {
  arrival_ = seconds;
  return *this;
}
EventSpec& EventSpec::Latency(double seconds) {
  latency_ = seconds;
  return *this;
}
EventSpec& EventSpec::Status(uint32_t status) {
  e_.set_status(status);
  return *this;
}
EventSpec& EventSpec::RetryAfter(int64_t seconds) {
  e_.set_retry_after_s(seconds);
  return *this;
}
EventSpec& EventSpec::Rejected(pimsim::v1::Rejection why) {
  e_.set_status(429);
  e_.set_rejection(why);
  latency_ = 0.0002;
  return *this;
}
EventSpec& EventSpec::Connection(std::string connection) {
  e_.set_connection(std::move(connection));
  return *this;
}
EventSpec& EventSpec::Instance(std::string instance) {
  e_.set_instance(std::move(instance));
  return *this;
}
EventSpec& EventSpec::Body(const std::string& body) {
  e_.set_body_hash(body.empty() ? "" : Hex16(Fnv1a64(body)));
  e_.set_body_bytes(body.size());
  return *this;
}
EventSpec& EventSpec::BodyIncomplete() {
  body_incomplete_ = true;
  return *this;
}
EventSpec& EventSpec::Fault(std::string fault) {
  e_.set_fault(std::move(fault));
  return *this;
}
EventSpec& EventSpec::ClientAborted() {
  e_.set_client_aborted(true);
  e_.set_status(0);
  return *this;
}
EventSpec& EventSpec::Dropped() {
  e_.set_status(0);
  return *this;
}
EventSpec& EventSpec::Conditional() {
  e_.set_conditional(true);
  return *this;
}

EventSpec& EventSpec::Cut() {
  e_.set_response_cut(true);
  return *this;
}
EventSpec& EventSpec::IdempotencyKey(std::string key) {
  e_.set_idempotency_key(std::move(key));
  return *this;
}

pimsim::v1::JournalEvent EventSpec::ToEvent() const {
  pimsim::v1::JournalEvent e = e_;
  e.set_arrival_us(Us(arrival_));
  e.set_body_complete_us(body_incomplete_ ? -1 : Us(arrival_));
  e.set_response_us(Us(arrival_ + latency_));
  return e;
}

EventSpec& JournalBuilder::Send(std::string method, std::string path) {
  return specs_.emplace_back(std::move(method), std::move(path));
}

double JournalBuilder::Chain(const ChainSpec& spec) {
  double t = spec.start;
  const size_t attempts = spec.delays.size() + 1;
  for (size_t k = 0; k < attempts; ++k) {
    if (k > 0) t += spec.delays[k - 1];
    EventSpec& e = Send(spec.method, spec.path).Connection(spec.connection).At(t).Latency(
        spec.latency);
    if (!spec.body.empty()) e.Body(spec.body);
    const bool fails = k + 1 < attempts || spec.last_fails;
    if (fails) {
      e.Status(spec.fail_status);
      if (spec.fail_status == 0) e.Dropped();
      if (spec.retry_after >= 0) e.RetryAfter(spec.retry_after);
    }
    t = e.response();
  }
  return t;
}

void JournalBuilder::Background(double start, std::string connection, int count) {
  for (int k = 0; k < count; ++k) {
    Send("GET", absl::StrCat("/api/rest/v1/categories/background-", connection, "-", k))
        .Connection(connection)
        .At(start + k);
  }
}

std::vector<pimsim::v1::JournalEvent> JournalBuilder::Build() const {
  std::vector<pimsim::v1::JournalEvent> events;
  events.reserve(specs_.size());
  for (const EventSpec& s : specs_) events.push_back(s.ToEvent());
  std::stable_sort(events.begin(), events.end(),
                   [](const pimsim::v1::JournalEvent& a, const pimsim::v1::JournalEvent& b) {
                     return a.arrival_us() < b.arrival_us();
                   });
  for (size_t i = 0; i < events.size(); ++i) events[i].set_id(i + 1);
  return events;
}

pimsim::v1::Report JournalBuilder::Check() {
  built_ = Build();
  input_.events = &built_;
  return pimsim::checker::Check(input_);
}

const pimsim::v1::RuleResult& RuleOf(const pimsim::v1::Report& report, const std::string& rule) {
  for (const pimsim::v1::RuleResult& r : report.rules()) {
    if (r.rule() == rule) return r;
  }
  ADD_FAILURE() << "no result for rule " << rule;
  static const auto* const kNone = new pimsim::v1::RuleResult();
  return *kNone;
}

uint64_t ViolationsOf(const pimsim::v1::Report& report, const std::string& rule) {
  return RuleOf(report, rule).violations();
}

pimsim::v1::Violation FirstViolation(const pimsim::v1::Report& report, const std::string& rule) {
  for (const pimsim::v1::Violation& v : report.violations()) {
    if (v.rule() == rule) return v;
  }
  return pimsim::v1::Violation();
}

std::string Summary(const pimsim::v1::Report& report) {
  std::string out;
  for (const pimsim::v1::Violation& v : report.violations()) {
    absl::StrAppend(&out, "\n  ", v.rule(), ": ", v.message());
  }
  for (const pimsim::v1::RuleResult& r : report.rules()) {
    absl::StrAppend(&out, "\n  [", r.rule(), "] outcome=", r.outcome(), " samples=", r.samples(),
                    " ", r.detail());
  }
  return out;
}

}  // namespace pimsim::checker::testing
