#include "mock_pim/control/control_service.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "mock_pim/control/live_report.h"
#include "mock_pim/control/status_convert.h"
#include "mock_pim/faults/fault_injector.h"
#include "mock_pim/faults/fault_spec.h"
#include "limits/limits_config.h"

namespace pimsim::control {
namespace {

using pimsim::v1::JournalEvent;

grpc::Status InvalidArgument(std::string message) {
  return BoundedStatus(grpc::StatusCode::INVALID_ARGUMENT, std::move(message));
}

// Compares in time independent of where the first difference is, so a
// client cannot guess the token byte by byte.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// Complete journal events after `after_id`: at most `max` of them and about
// `max_bytes`, never one past CompleteThrough() (an in-flight request with a
// smaller id may still land before it). `next_after_id` is where to read on:
// CompleteThrough() once everything up to it was returned, so ids that will
// never be stored (overflow) are not asked for again.
struct Page {
  std::vector<JournalEvent> events;
  uint64_t next_after_id = 0;
};

Page ReadCompletePage(const Journal& journal, uint64_t after_id, size_t max, size_t max_bytes) {
  Page page;
  page.next_after_id = after_id;
  const uint64_t complete = journal.CompleteThrough();
  if (complete <= after_id) return page;
  std::vector<JournalEvent> events = journal.Read(after_id, max);
  bool truncated = events.size() == max;
  size_t bytes = 0;
  for (JournalEvent& event : events) {
    if (event.id() > complete) {
      truncated = false;
      break;
    }
    bytes += event.ByteSizeLong();
    if (!page.events.empty() && bytes > max_bytes) {
      truncated = true;
      break;
    }
    page.events.push_back(std::move(event));
  }
  page.next_after_id = truncated && !page.events.empty() ? page.events.back().id() : complete;
  return page;
}

}  // namespace

class ControlService::StreamSlot {
 public:
  explicit StreamSlot(std::atomic<int>& streams) : streams_(streams) {
    taken_ = streams_.fetch_add(1) < kMaxStreams;
    if (!taken_) streams_.fetch_sub(1);
  }
  ~StreamSlot() {
    if (taken_) streams_.fetch_sub(1);
  }
  grpc::Status status() const {
    return taken_ ? grpc::Status::OK
                  : grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 absl::StrCat("at most ", kMaxStreams,
                                              " WatchJournal and WatchViolations streams are "
                                              "served at once; close one first"));
  }

 private:
  std::atomic<int>& streams_;
  bool taken_ = false;
};

ControlService::ControlService(MockPim& pim, ControlServiceOptions options)
    : pim_(pim), options_(std::move(options)) {}

std::shared_ptr<const pimsim::v1::Report> ControlService::SharedLiveReport(
    absl::Duration max_age, absl::Duration* cost) {
  std::lock_guard<std::mutex> lock(report_mu_);
  const absl::Time now = absl::Now();
  if (report_ == nullptr || now - report_at_ >= max_age) {
    report_ = std::make_shared<const pimsim::v1::Report>(LiveReport(pim_));
    report_at_ = absl::Now();
    report_cost_ = report_at_ - now;
  }
  *cost = report_cost_;
  return report_;
}

ControlService::~ControlService() { Stop(); }

void ControlService::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
}

bool ControlService::stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

grpc::Status ControlService::Authorize(const grpc::ServerContext& context) const {
  if (options_.token.empty()) return grpc::Status::OK;
  const std::string expected = absl::StrCat("Bearer ", options_.token);
  const auto& metadata = context.client_metadata();
  for (auto [it, end] = metadata.equal_range("authorization"); it != end; ++it) {
    if (ConstantTimeEquals(std::string_view(it->second.data(), it->second.size()), expected)) {
      return grpc::Status::OK;
    }
  }
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      "this control server needs the metadata \"authorization: Bearer <token>\" "
                      "with its --control_token");
}

absl::StatusOr<std::string> ControlService::ResolveInstance(const std::string& name) const {
  const std::vector<std::string> names = pim_.instance_names();
  if (name.empty() && !names.empty()) return names.front();
  for (const std::string& n : names) {
    if (n == name) return n;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "instance \"", name, "\" does not exist (instances: ", absl::StrJoin(names, ", "), ")"));
}

grpc::Status ControlService::GetLimits(grpc::ServerContext* context,
                                       const pimsim::v1::GetLimitsRequest* request,
                                       pimsim::v1::GetLimitsResponse* response) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  absl::StatusOr<std::string> instance = ResolveInstance(request->instance());
  if (!instance.ok()) return ToGrpcStatus(instance.status());
  absl::StatusOr<pimsim::v1::Limits> limits = pim_.GetLimits(*instance);
  if (!limits.ok()) return ToGrpcStatus(limits.status());
  response->set_instance(*instance);
  *response->mutable_limits() = *std::move(limits);
  return grpc::Status::OK;
}

grpc::Status ControlService::SetLimits(grpc::ServerContext* context,
                                       const pimsim::v1::SetLimitsRequest* request,
                                       pimsim::v1::SetLimitsResponse* response) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  absl::StatusOr<std::string> instance = ResolveInstance(request->instance());
  if (!instance.ok()) return ToGrpcStatus(instance.status());
  if (absl::Status valid = ValidateLimits(request->limits()); !valid.ok()) {
    return InvalidArgument(absl::StrCat("limits.", valid.message()));
  }
  absl::StatusOr<pimsim::v1::Limits> limits = pim_.SetLimits(*instance, request->limits());
  if (!limits.ok()) return ToGrpcStatus(limits.status());
  *response->mutable_limits() = *std::move(limits);
  return grpc::Status::OK;
}

grpc::Status ControlService::ListFaults(grpc::ServerContext* context,
                                        const pimsim::v1::ListFaultsRequest* /*request*/,
                                        pimsim::v1::ListFaultsResponse* response) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  for (pimsim::v1::FaultRule& rule : pim_.faults().Rules()) {
    *response->add_rules() = std::move(rule);
  }
  return grpc::Status::OK;
}

grpc::Status ControlService::SetFaults(grpc::ServerContext* context,
                                       const pimsim::v1::SetFaultsRequest* request,
                                       pimsim::v1::SetFaultsResponse* response) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  std::vector<pimsim::v1::FaultRule> rules(request->rules().begin(), request->rules().end());
  if (absl::Status s = pim_.faults().SetRules(std::move(rules)); !s.ok()) {
    return ToGrpcStatus(s);
  }
  for (pimsim::v1::FaultRule& rule : pim_.faults().Rules()) {
    *response->add_rules() = std::move(rule);
  }
  return grpc::Status::OK;
}

grpc::Status ControlService::AddFault(grpc::ServerContext* context,
                                      const pimsim::v1::AddFaultRequest* request,
                                      pimsim::v1::AddFaultResponse* response) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  const bool has_rule = request->has_rule();
  const bool has_spec = !request->spec().empty();
  if (has_rule == has_spec) {
    return InvalidArgument(has_rule ? "give either rule or spec, not both"
                                    : "rule or spec is required");
  }
  pimsim::v1::FaultRule rule;
  if (has_spec) {
    absl::StatusOr<pimsim::v1::FaultRule> parsed = ParseFaultSpec(request->spec());
    if (!parsed.ok()) {
      return InvalidArgument(absl::StrCat("spec: ", parsed.status().message()));
    }
    rule = *std::move(parsed);
  } else {
    rule = request->rule();
  }
  absl::StatusOr<pimsim::v1::FaultRule> added = pim_.faults().AddRule(std::move(rule));
  if (!added.ok()) return ToGrpcStatus(added.status());
  *response->mutable_rule() = *std::move(added);
  return grpc::Status::OK;
}

grpc::Status ControlService::ClearFaults(grpc::ServerContext* context,
                                         const pimsim::v1::ClearFaultsRequest* request,
                                         pimsim::v1::ClearFaultsResponse* response) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  std::vector<std::string> names(request->names().begin(), request->names().end());
  response->set_removed(static_cast<uint32_t>(pim_.faults().ClearRules(std::move(names))));
  return grpc::Status::OK;
}

grpc::Status ControlService::StartPhase(grpc::ServerContext* context,
                                        const pimsim::v1::StartPhaseRequest* request,
                                        pimsim::v1::StartPhaseResponse* response) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  response->set_previous(pim_.faults().StartPhase(request->name()));
  return grpc::Status::OK;
}

grpc::Status ControlService::Reset(grpc::ServerContext* context,
                                   const pimsim::v1::ResetRequest* request,
                                   pimsim::v1::ResetResponse* /*response*/) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  MockPim::ResetParts parts;
  parts.store = request->store();
  parts.journal = request->journal();
  parts.counters = request->counters();
  parts.limiter = request->limiter();
  pim_.Reset(parts);
  return grpc::Status::OK;
}

grpc::Status ControlService::GetJournal(grpc::ServerContext* context,
                                        const pimsim::v1::GetJournalRequest* request,
                                        pimsim::v1::GetJournalResponse* response) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  if (request->max_events() > kMaxJournalPage) {
    return InvalidArgument(
        absl::StrCat("max_events must be <= ", kMaxJournalPage, ", got ", request->max_events()));
  }
  const size_t max = request->max_events() == 0 ? kDefaultJournalPage : request->max_events();
  Page page = ReadCompletePage(pim_.journal(), request->after_id(), max, kMaxJournalPageBytes);
  for (JournalEvent& event : page.events) *response->add_events() = std::move(event);
  response->set_next_after_id(page.next_after_id);
  *response->mutable_summary() = pim_.journal().Summary();
  return grpc::Status::OK;
}

grpc::Status ControlService::WatchJournal(grpc::ServerContext* context,
                                          const pimsim::v1::WatchJournalRequest* request,
                                          grpc::ServerWriter<JournalEvent>* writer) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  StreamSlot slot(streams_);
  if (!slot.status().ok()) return slot.status();
  uint64_t cursor = request->after_id();
  const auto poll = std::chrono::microseconds(
      std::max<int64_t>(1, absl::ToInt64Microseconds(options_.poll_interval)));
  while (true) {
    // Read the flag before flushing, so that the events completed before
    // Stop() are all sent.
    const bool stop = stopping();
    if (context->IsCancelled()) return grpc::Status::CANCELLED;
    while (true) {
      Page page =
          ReadCompletePage(pim_.journal(), cursor, kDefaultJournalPage, kMaxJournalPageBytes);
      cursor = page.next_after_id;
      if (page.events.empty()) break;
      for (const JournalEvent& event : page.events) {
        if (!writer->Write(event)) return grpc::Status::CANCELLED;  // the client went away
      }
    }
    if (stop) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the control server is shutting down");
    }
    std::unique_lock<std::mutex> lock(mu_);
    stop_cv_.wait_for(lock, poll, [this] { return stopping_; });
  }
}

grpc::Status ControlService::GetReport(grpc::ServerContext* context,
                                       const pimsim::v1::GetReportRequest* request,
                                       pimsim::v1::Report* response) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  *response = LiveReport(pim_, /*live=*/!request->final());
  return grpc::Status::OK;
}

grpc::Status ControlService::WatchViolations(grpc::ServerContext* context,
                                             const pimsim::v1::WatchViolationsRequest* request,
                                             grpc::ServerWriter<pimsim::v1::Violation>* writer) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  StreamSlot slot(streams_);
  if (!slot.status().ok()) return slot.status();
  const absl::Duration asked = request->interval_ms() == 0
                                   ? kMinViolationsInterval
                                   : absl::Milliseconds(request->interval_ms());
  // A violation is identified by its rule and its first piece of evidence
  // (later passes may add evidence to the same episode); each is sent once.
  std::set<std::pair<std::string, uint64_t>> sent;
  absl::Duration cost;
  while (true) {
    const bool stop = stopping();
    if (context->IsCancelled()) return grpc::Status::CANCELLED;
    const absl::Duration interval = std::max({asked, kMinViolationsInterval, 2 * cost});
    // The last pass before the end judges everything there is.
    const std::shared_ptr<const pimsim::v1::Report> report =
        SharedLiveReport(stop ? absl::ZeroDuration() : interval, &cost);
    for (const pimsim::v1::Violation& v : report->violations()) {
      const uint64_t anchor = v.event_ids().empty() ? 0 : v.event_ids(0);
      if (!sent.insert({v.rule(), anchor}).second) continue;
      if (!writer->Write(v)) return grpc::Status::CANCELLED;
    }
    if (stop) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the control server is shutting down");
    }
    std::unique_lock<std::mutex> lock(mu_);
    stop_cv_.wait_for(lock,
                      std::chrono::microseconds(absl::ToInt64Microseconds(
                          std::max({asked, kMinViolationsInterval, 2 * cost}))),
                      [this] { return stopping_; });
  }
}

grpc::Status ControlService::GetCounters(grpc::ServerContext* context,
                                         const pimsim::v1::GetCountersRequest* /*request*/,
                                         pimsim::v1::GetCountersResponse* response) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  ParsePrometheusText(pim_.metrics().RenderPrometheus(), response->mutable_counters());
  return grpc::Status::OK;
}

grpc::Status ControlService::GetServerInfo(grpc::ServerContext* context,
                                           const pimsim::v1::GetServerInfoRequest* /*request*/,
                                           pimsim::v1::GetServerInfoResponse* response) {
  if (grpc::Status s = Authorize(*context); !s.ok()) return s;
  response->set_http_address(pim_.http_address());
  response->set_tls(pim_.http_tls());
  if (response->tls()) response->set_tls_trust_pem(pim_.tls_trust_pem());
  *response->mutable_scenario() = pim_.scenario();
  response->set_requests_arrived(pim_.journal().LastId());
  response->set_journal_now_us(pim_.JournalMicrosNow());
  response->set_phase(pim_.faults().phase());
  return grpc::Status::OK;
}

void ParsePrometheusText(std::string_view page,
                         google::protobuf::Map<std::string, double>* counters) {
  while (!page.empty()) {
    const size_t eol = page.find('\n');
    std::string_view line = page.substr(0, eol);
    page.remove_prefix(eol == std::string_view::npos ? page.size() : eol + 1);
    if (line.empty() || line.front() == '#') continue;
    // Label values escape only \ " and newline, so the value is after the
    // last space (this exposition has no timestamps).
    const size_t space = line.rfind(' ');
    if (space == std::string_view::npos || space == 0) continue;
    double value = 0;
    if (!absl::SimpleAtod(absl::string_view(line.data() + space + 1, line.size() - space - 1),
                          &value)) {
      continue;
    }
    (*counters)[std::string(line.substr(0, space))] = value;
  }
}

}  // namespace pimsim::control
