#include "mock_pim/mock_pim.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/mutex.h"
#include "common/random.h"
#include "google/protobuf/util/time_util.h"
#include "mock_pim/faults/fault_spec.h"
#include "mock_pim/http/ascii_util.h"
#include "mock_pim/journal/fingerprint.h"
#include "limits/limits_config.h"
#include "mock_pim/limits/retry_after.h"

namespace pimsim {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kRateLimitedBody[] =
    R"({"code":429,"message":"You have exceeded the limit of API requests per second."})";
constexpr char kJson[] = "application/json";
constexpr char kDrainingMessage[] = "The server is shutting down; retry on a new connection.";

absl::Duration OrDefault(bool has, const google::protobuf::Duration& d, absl::Duration def) {
  return has ? absl::Nanoseconds(TimeUtil::DurationToNanoseconds(d)) : def;
}

absl::Status InstanceNotFound(std::string_view name) {
  return absl::NotFoundError(
      absl::StrCat("instance \"", absl::string_view(name.data(), name.size()), "\" does not exist"));
}

// The request headers the core reads on every request, found in one pass.
struct JournaledHeaders {
  std::string_view authorization;
  std::string_view idempotency_key;
  bool conditional = false;  // If-None-Match or If-Modified-Since
};

JournaledHeaders ScanHeaders(const http::HttpRequest& request) {
  JournaledHeaders found;
  bool have_authorization = false;
  bool have_key = false;
  for (const http::RequestHeader& h : request.headers) {
    const std::string_view name = h.name;
    switch (name.size()) {
      case 13:
        if (!have_authorization && http::EqualsIgnoreCase(name, "Authorization")) {
          found.authorization = h.value;
          have_authorization = true;
        } else if (!h.value.empty() && http::EqualsIgnoreCase(name, "If-None-Match")) {
          found.conditional = true;
        }
        break;
      case 15:
        if (!have_key && http::EqualsIgnoreCase(name, "Idempotency-Key")) {
          found.idempotency_key = h.value;
          have_key = true;
        }
        break;
      case 17:
        if (!h.value.empty() && http::EqualsIgnoreCase(name, "If-Modified-Since")) {
          found.conditional = true;
        }
        break;
      default:
        break;
    }
  }
  return found;
}

// 401 for a request without a valid token; `body` is a constant of the
// token service.
http::HttpResponse Unauthorized(std::string_view body) {
  http::HttpResponse response;
  response.status = 401;
  response.constant_body = body;
  response.content_type = kJson;
  response.headers.push_back({"WWW-Authenticate", "Bearer realm=\"Service\""});
  return response;
}

pimsim::v1::RouteKind ToProto(api::RouteKind kind) {
  switch (kind) {
    case api::RouteKind::kToken: return pimsim::v1::ROUTE_KIND_TOKEN;
    case api::RouteKind::kGetItem: return pimsim::v1::ROUTE_KIND_GET_ITEM;
    case api::RouteKind::kList: return pimsim::v1::ROUTE_KIND_LIST;
    case api::RouteKind::kWriteItem: return pimsim::v1::ROUTE_KIND_WRITE_ITEM;
    case api::RouteKind::kBatch: return pimsim::v1::ROUTE_KIND_BATCH;
    case api::RouteKind::kOther: return pimsim::v1::ROUTE_KIND_OTHER;
  }
  return pimsim::v1::ROUTE_KIND_OTHER;
}

}  // namespace

struct MockPim::Instance {
  // Counters of this instance, resolved once so that the hot path does one
  // atomic add per request.
  struct Counters {
    Counter* admitted = nullptr;
    std::array<Counter*, kNumRejectionKinds> rejected = {};
    // requests_total by status code, created on first use.
    std::array<std::atomic<Counter*>, 600> by_status = {};
  };
  std::string name;
  // "" for the first instance, "/<name>" for the others.
  std::string base_path;
  std::unique_ptr<api::Api> api;
  std::unique_ptr<auth::TokenService> tokens;
  std::unique_ptr<AdmissionController> admission;
  Counters counters;
  // Held while the limits in force change and are recorded in the journal
  // (taken before the admission controller's lock), and by a journal reset
  // while it clears the journal and records the limits in force: so the
  // journal's record always starts with the limits in force after a reset
  // and holds every change after it.
  Mutex limits_mu;
};

// One request attempt, from arrival until its journal event is written.
struct MockPim::Attempt {
  Instance* instance = nullptr;
  // Held until the journal event is written: the record views its request.
  std::shared_ptr<http::Exchange> exchange;
  api::Route route;
  // Into the exchange's request.
  std::string_view api_path;
  bool admitted = false;
  // The admission slot was given back (see Release).
  bool released = false;
  // The request needs a token and had none valid at arrival: the token
  // service's constant error body, answered at once with 401.
  std::string_view auth_error_body;
  // The fault to inject, if any (never a latency action: that is folded
  // into the delay).
  std::optional<pimsim::v1::FaultAction> fault;
  // The text the record views that neither the request, the instance nor its
  // token service holds.
  std::string basic_client;     // client id of a token request's credentials
  std::string normalized_path;  // when the query has to be normalized
  std::string body_hash;
  std::string fault_name;
  JournalRecord record;
};

MockPim::MockPim(const pimsim::v1::Scenario& scenario, Clock* clock, MockPimOptions options,
                 LatencyModel latency)
    : clock_(clock),
      scenario_(scenario),
      seed_(scenario.seed()),
      latency_(std::move(latency)),
      journal_(options.journal_capacity, clock->Now()),
      faults_(scenario.seed(), clock->Now()),
      tls_trust_pem_(std::move(options.tls_trust_pem)) {}

MockPim::~MockPim() = default;

absl::StatusOr<std::unique_ptr<MockPim>> MockPim::Create(const pimsim::v1::Scenario& scenario,
                                                         Clock* clock, MockPimOptions options) {
  if (scenario.instances_size() == 0) {
    return absl::InvalidArgumentError("scenario has no instance (apply config::WithDefaults)");
  }
  absl::StatusOr<LatencyModel> latency = LatencyModel::Create(scenario.latency());
  if (!latency.ok()) return latency.status();
  std::unique_ptr<MockPim> pim(new MockPim(scenario, clock, options, *std::move(latency)));
  if (absl::Status s = pim->faults_.SetRules({scenario.faults().begin(), scenario.faults().end()});
      !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("faults: ", s.message()));
  }
  for (int i = 0; i < scenario.instances_size(); ++i) {
    const pimsim::v1::Instance& config = scenario.instances(i);
    if (absl::Status s = ValidateLimits(config.limits()); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("instances[", i, "].limits.", s.message()));
    }
    auto instance = std::make_unique<Instance>();
    instance->name = config.name();
    instance->base_path = i == 0 ? "" : absl::StrCat("/", config.name());
    uint64_t instance_seed = StreamSeed(scenario.seed(), i, /*stream=*/1);
    absl::StatusOr<std::unique_ptr<api::Api>> api =
        api::Api::Create(instance->base_path, config.seed(), instance_seed);
    if (!api.ok()) {
      return absl::Status(api.status().code(),
                          absl::StrCat("instance \"", config.name(), "\": ", api.status().message()));
    }
    instance->api = *std::move(api);
    instance->tokens = std::make_unique<auth::TokenService>(
        std::vector<pimsim::v1::Connection>(config.connections().begin(),
                                            config.connections().end()),
        OrDefault(config.has_access_token_lifetime(), config.access_token_lifetime(),
                  absl::Hours(1)),
        OrDefault(config.has_refresh_token_lifetime(), config.refresh_token_lifetime(),
                  absl::Seconds(1'209'600)));
    instance->admission = std::make_unique<AdmissionController>(ResolveLimits(config.limits()));
    pim->journal_.RecordLimits(pim->clock_->Now(), instance->name,
                               LimitsToProto(instance->admission->limits()));
    instance->counters.admitted = &pim->metrics_.pimsim().admitted_total->Get({instance->name});
    for (int r = 1; r < kNumRejectionKinds; ++r) {
      instance->counters.rejected[r] = &pim->metrics_.pimsim().rejected_total->Get(
          {instance->name, RejectionName(static_cast<Rejection>(r))});
    }
    pim->instances_.push_back(std::move(instance));
  }
  // Every rendering (/metrics, the control plane's GetCounters) is current.
  pim->metrics_.AddCollectHook([p = pim.get()] { p->RefreshGauges(); });
  return pim;
}

std::vector<std::string> MockPim::instance_names() const {
  std::vector<std::string> names;
  for (const auto& i : instances_) names.push_back(i->name);
  return names;
}

MockPim::Instance* MockPim::Find(std::string_view name) const {
  if (name.empty()) return instances_.front().get();
  for (const auto& i : instances_) {
    if (i->name == name) return i.get();
  }
  return nullptr;
}

std::string MockPim::http_address() const {
  const http::Server* server = server_.load(std::memory_order_acquire);
  return server == nullptr ? "" : server->address();
}

bool MockPim::http_tls() const {
  const http::Server* server = server_.load(std::memory_order_acquire);
  return server != nullptr && server->tls();
}

AdmissionController* MockPim::admission(std::string_view name) {
  Instance* instance = Find(name);
  return instance == nullptr ? nullptr : instance->admission.get();
}

absl::StatusOr<pimsim::v1::Limits> MockPim::GetLimits(std::string_view name) const {
  Instance* instance = Find(name);
  if (instance == nullptr) return InstanceNotFound(name);
  return LimitsToProto(instance->admission->limits());
}

absl::StatusOr<pimsim::v1::Limits> MockPim::SetLimits(std::string_view name,
                                                      const pimsim::v1::Limits& limits) {
  Instance* instance = Find(name);
  if (instance == nullptr) return InstanceNotFound(name);
  if (absl::Status s = ValidateLimits(limits); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("limits.", s.message()));
  }
  EffectiveLimits resolved = ResolveLimits(limits);
  pimsim::v1::Limits wanted = LimitsToProto(resolved);
  MutexLock lock(&instance->limits_mu);
  pimsim::v1::Limits in_force = LimitsToProto(instance->admission->limits());
  // No change: nothing to apply or to record (a controller that restores
  // the same limits every round must not fill the journal's record).
  if (wanted.SerializeAsString() == in_force.SerializeAsString()) return in_force;
  if (!journal_.RecordLimits(clock_->Now(), instance->name, wanted)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the limits changed ", Journal::kMaxLimitChanges,
        " times since the journal was last reset; reset it (pimsim ctl reset --journal) to "
        "change them again"));
  }
  instance->admission->SetLimits(resolved);
  return LimitsToProto(instance->admission->limits());
}

void MockPim::Reset(ResetParts parts) {
  bool all = !parts.store && !parts.journal && !parts.counters && !parts.limiter;
  absl::Time now = clock_->Now();
  for (const auto& instance : instances_) {
    if (all || parts.store) {
      instance->api->Reset();
      instance->tokens->Reset();
    }
    if (all || parts.limiter) instance->admission->Reset();
  }
  if (all || parts.journal) {
    // The journal restarts with the limits in force; no change may fall
    // between the clear and that record.
    std::vector<std::unique_ptr<MutexLock>> held;
    for (const auto& instance : instances_) {
      held.push_back(std::make_unique<MutexLock>(&instance->limits_mu));
    }
    journal_.Clear(now);
    for (const auto& instance : instances_) {
      journal_.RecordLimits(now, instance->name, LimitsToProto(instance->admission->limits()));
    }
  }
  if (all || parts.counters) faults_.Reset(now);
}

MockPim::Instance& MockPim::Resolve(std::string_view path, std::string_view* api_path) {
  *api_path = path;
  if (path.size() > 1 && path[0] == '/' && !absl::StartsWith(absl::string_view(path.data(), path.size()), "/api/")) {
    std::string_view rest = path.substr(1);
    std::string_view first = rest.substr(0, rest.find('/'));
    for (const auto& instance : instances_) {
      if (instance->name == first) {
        *api_path = path.substr(1 + first.size());
        if (api_path->empty()) *api_path = "/";
        return *instance;
      }
    }
  }
  return *instances_.front();
}

void MockPim::Handle(std::shared_ptr<http::Exchange> exchange) {
  const http::HttpRequest& request = exchange->request();
  if (request.path == "/metrics" && request.method == "GET") {
    exchange->Respond(MetricsResponse(), [](absl::Time, bool) {});
    return;
  }
  auto attempt = std::make_shared<Attempt>();
  attempt->exchange = exchange;
  std::string_view api_path;
  Instance& instance = Resolve(request.path, &api_path);
  attempt->instance = &instance;
  attempt->api_path = api_path;
  attempt->route = api::Classify(request.method, attempt->api_path, request.body);

  JournalRecord& rec = attempt->record;
  const JournaledHeaders headers = ScanHeaders(request);
  if (attempt->route.kind == api::RouteKind::kToken) {
    attempt->basic_client = instance.tokens->ClientFromBasic(headers.authorization);
    rec.connection = attempt->basic_client;
  } else if (attempt->route.needs_auth) {
    // The connection's client id lives as long as the token service.
    auth::AuthResult who =
        instance.tokens->Authenticate(headers.authorization, exchange->arrival_time());
    if (who.outcome == auth::AuthResult::Outcome::kOk) {
      rec.connection = who.connection;
    } else {
      attempt->auth_error_body = who.error_body;
    }
  }

  rec.id = journal_.NextId();
  rec.instance = instance.name;
  rec.socket_id = exchange->socket_id();
  rec.method = request.method;
  rec.route = attempt->route.name;
  rec.normalized_path = NormalizePath(request.path, request.query, &attempt->normalized_path);
  rec.idempotency_key = headers.idempotency_key;
  if (!request.body.empty()) {
    attempt->body_hash = BodyHash(request.body);
    rec.body_hash = attempt->body_hash;
  }
  rec.body_bytes = request.body.size();
  rec.arrival = exchange->arrival_time();
  rec.body_complete = exchange->body_complete_time();
  rec.conditional = headers.conditional;

  if (exchange->server_draining()) {
    // Shutting down: said at once, without taking a slot, so that the client
    // knows this attempt failed (the response closes the connection).
    rec.status = 503;
    http::HttpResponse response = http::JsonErrorResponse(503, kDrainingMessage);
    response.close = true;
    Respond(exchange, attempt, std::move(response));
    return;
  }
  AdmissionDecision decision = instance.admission->Admit(
      exchange->arrival_time(), attempt->record.connection, attempt->route.attribute_option_write);
  rec.in_flight_connection = decision.in_flight_connection;
  rec.in_flight_instance = decision.in_flight_instance;
  rec.instance_bucket_available = decision.instance_bucket_available;
  rec.rejection = ToProto(decision.rejection);

  if (!decision.admitted) {
    instance.counters.rejected[static_cast<int>(decision.rejection)]->Increment();
    const pimsim::v1::RetryAfterForm form = decision.retry_after_form;
    http::HttpResponse response;
    response.status = 429;
    response.content_type = kJson;
    response.constant_body = kRateLimitedBody;
    if (std::optional<std::string> value =
            RetryAfterHeader(decision.retry_after, form, exchange->arrival_time())) {
      response.headers.push_back({"Retry-After", *std::move(value)});
    }
    rec.status = 429;
    rec.retry_after_s = JournalRetryAfterSeconds(decision.retry_after, form, exchange->arrival_time());
    Respond(exchange, attempt, std::move(response));
    return;
  }
  attempt->admitted = true;
  instance.counters.admitted->Increment();
  if (!attempt->auth_error_body.empty()) {
    // Authentication fails before any work: no service time, no fault.
    rec.status = 401;
    Respond(exchange, attempt, Unauthorized(attempt->auth_error_body));
    return;
  }
  SplitMix64 rng(StreamSeed(seed_, rec.id));
  pimsim::v1::RouteKind kind = ToProto(attempt->route.kind);
  absl::Duration delay = latency_.Draw(kind, attempt->route.batch_lines, rng);
  FaultDecision fault = faults_.Select(
      FaultRequest{instance.name, rec.connection, request.method, attempt->api_path, kind},
      exchange->arrival_time());
  if (fault.any()) {
    attempt->fault_name = std::move(fault.fired);
    rec.fault = attempt->fault_name;
    delay += fault.extra_latency;
    attempt->fault = std::move(fault.action);
  }
  if (attempt->fault.has_value()) {
    const pimsim::v1::FaultAction& action = *attempt->fault;
    if (action.has_disconnect() &&
        action.disconnect().point() != pimsim::v1::DISCONNECT_POINT_AFTER_PROCESSING) {
      Disconnect(exchange, attempt, action.disconnect().close(), std::nullopt, 0);
      return;
    }
    if (action.has_hang()) {
      Hang(exchange, std::move(attempt), exchange->arrival_time() + HangMax(action.hang()));
      return;
    }
  }
  if (delay <= absl::ZeroDuration()) {
    Serve(exchange, std::move(attempt));
  } else {
    exchange->After(delay, [this, exchange, attempt]() mutable {
      Serve(exchange, std::move(attempt));
    });
  }
}

void MockPim::Serve(const std::shared_ptr<http::Exchange>& exchange,
                    std::shared_ptr<Attempt> attempt) {
  const http::HttpRequest& request = exchange->request();
  Instance& instance = *attempt->instance;
  absl::Time now = clock_->Now();
  http::HttpResponse response;
  response.headers.reserve(3);
  if (attempt->fault.has_value() && attempt->fault->has_status()) {
    // An injected failure: the request is not applied.
    const pimsim::v1::StatusFault& status = attempt->fault->status();
    response = http::JsonErrorResponse(static_cast<int>(status.code()),
                                       http::ReasonPhrase(static_cast<int>(status.code())));
    if (status.has_retry_after()) {
      absl::Duration wait = absl::Seconds(status.retry_after().seconds()) +
                            absl::Nanoseconds(status.retry_after().nanos());
      pimsim::v1::RetryAfterForm form = instance.admission->limits().retry_after;
      if (std::optional<std::string> value = RetryAfterHeader(wait, form, now)) {
        response.headers.push_back({"Retry-After", *std::move(value)});
      }
      attempt->record.retry_after_s = JournalRetryAfterSeconds(wait, form, now);
    }
    attempt->record.status = response.status;
    Respond(exchange, attempt, std::move(response));
    return;
  }
  if (attempt->route.kind == api::RouteKind::kToken) {
    auth::TokenReply reply = instance.tokens->HandleTokenRequest(
        request.Get("Authorization"), request.Get("Content-Type"), request.body, now);
    response.status = reply.status;
    response.body = std::move(reply.body);
    response.headers.push_back({"Content-Type", kJson});
    response.headers.push_back({"Cache-Control", "no-store"});
  } else {
    auth::AuthResult who;
    if (attempt->route.needs_auth) {
      // Checked again: the token may have expired while the request waited.
      who = instance.tokens->Authenticate(request.Get("Authorization"), now);
    }
    if (attempt->route.needs_auth && who.outcome != auth::AuthResult::Outcome::kOk) {
      response = Unauthorized(who.error_body);
    } else {
      api::ApiRequest api_request;
      api_request.method = request.method;
      api_request.path = attempt->api_path;
      api_request.query = request.query;
      api_request.content_type = request.Get("Content-Type");
      api_request.accept = request.Get("Accept");
      api_request.body = request.body;
      api_request.connection = who.connection;
      api_request.username = who.username;
      const std::string origin = http::RequestOrigin(request, exchange->secure());
      api_request.origin = origin;
      api::ApiResponse api_response = instance.api->Handle(api_request, now);
      response.status = api_response.status;
      response.body = std::move(api_response.body);
      if (!api_response.content_type.empty()) {
        response.headers.push_back({"Content-Type", std::move(api_response.content_type)});
      }
      if (!api_response.location.empty()) {
        response.headers.push_back({"Location", std::move(api_response.location)});
      }
      if (!api_response.allow.empty()) {
        response.headers.push_back({"Allow", std::move(api_response.allow)});
      }
    }
  }
  if (attempt->fault.has_value() && attempt->fault->has_disconnect()) {
    // Applied, and the response is lost: the ambiguous failure.
    Disconnect(exchange, attempt, attempt->fault->disconnect().close(), std::nullopt, 0);
    return;
  }
  if (attempt->fault.has_value() && attempt->fault->has_truncate()) {
    const pimsim::v1::TruncateFault& truncate = attempt->fault->truncate();
    size_t bytes = truncate.has_body_bytes() ? truncate.body_bytes() : response.body.size() / 2;
    bytes = std::min(bytes, response.body.size() > 0 ? response.body.size() - 1 : 0);
    attempt->record.status = response.status;
    Disconnect(exchange, attempt, truncate.close(), std::move(response), bytes);
    return;
  }
  attempt->record.status = response.status;
  Respond(exchange, attempt, std::move(response));
}

void MockPim::Hang(const std::shared_ptr<http::Exchange>& exchange,
                   std::shared_ptr<Attempt> attempt, absl::Time until) {
  // The client giving up is only seen by polling the exchange; a hung
  // request keeps its concurrency slot until then, as on a real server.
  constexpr absl::Duration kPoll = absl::Milliseconds(20);
  absl::Time now = clock_->Now();
  if (exchange->client_gone() || now >= until) {
    Disconnect(exchange, attempt, pimsim::v1::CLOSE_KIND_ORDERLY, std::nullopt, 0);
    return;
  }
  exchange->After(std::min(kPoll, until - now), [this, exchange, attempt, until]() mutable {
    Hang(exchange, std::move(attempt), until);
  });
}

void MockPim::Disconnect(const std::shared_ptr<http::Exchange>& exchange,
                         const std::shared_ptr<Attempt>& attempt, pimsim::v1::CloseKind kind,
                         std::optional<http::HttpResponse> partial, size_t partial_bytes) {
  if (!partial.has_value()) attempt->record.status = 0;
  http::CloseMode mode =
      kind == pimsim::v1::CLOSE_KIND_ORDERLY ? http::CloseMode::kOrderly : http::CloseMode::kReset;
  Release(*attempt);
  exchange->Close(mode, std::move(partial), partial_bytes,
                  [this, attempt](absl::Time t, bool aborted) { Finish(attempt, t, aborted); });
}

void MockPim::Respond(const std::shared_ptr<http::Exchange>& exchange,
                      const std::shared_ptr<Attempt>& attempt, http::HttpResponse response) {
  Release(*attempt);
  exchange->Respond(std::move(response), [this, attempt](absl::Time t, bool aborted) {
    Finish(attempt, t, aborted);
  });
}

void MockPim::Release(Attempt& attempt) {
  // The slot is free once the mock has its answer, before the server hands
  // it to the kernel: a client that reads the response and sends its next
  // request at once, on any socket and any loop, finds it free.
  if (!attempt.admitted || attempt.released) return;
  attempt.released = true;
  attempt.instance->admission->Release(attempt.record.connection);
}

void MockPim::Finish(const std::shared_ptr<Attempt>& attempt, absl::Time written,
                     bool client_aborted) {
  Release(*attempt);
  JournalRecord& rec = attempt->record;
  rec.response = written;
  rec.client_aborted = client_aborted;
  // The journal records what the client received. A client that went away
  // first saw no status and no Retry-After; a response cut off by a fault
  // keeps its status, since its head was sent.
  const bool truncated = attempt->fault.has_value() && attempt->fault->has_truncate();
  rec.response_cut = truncated;
  if (client_aborted && !truncated) {
    rec.status = 0;
    rec.retry_after_s = -1;
  }
  CountStatus(*attempt->instance, rec.status);
  journal_.Append(rec);
  // The record no longer needs the request it viewed.
  attempt->exchange.reset();
}

void MockPim::CountStatus(Instance& instance, uint32_t status) {
  if (status >= instance.counters.by_status.size()) status = 0;
  std::atomic<Counter*>& slot = instance.counters.by_status[status];
  Counter* counter = slot.load(std::memory_order_acquire);
  if (counter == nullptr) {
    // Family::Get returns the same series for the same labels, so a race
    // here stores the same pointer twice.
    counter = &metrics_.pimsim().requests_total->Get({instance.name, absl::StrCat(status)});
    slot.store(counter, std::memory_order_release);
  }
  counter->Increment();
}

void MockPim::OnParseError(http::SocketId socket, int status, std::string_view reason,
                           absl::Time when) {
  JournalRecord rec;
  rec.id = journal_.NextId();
  rec.instance = instances_.front()->name;
  rec.socket_id = socket;
  rec.route = "malformed";
  rec.arrival = when;
  rec.body_complete = when;
  rec.response = when;
  rec.status = status;
  CountStatus(*instances_.front(), status);
  journal_.Append(rec);
}

void MockPim::RefreshGauges() {
  for (const auto& instance : instances_) {
    metrics_.SetInFlight(instance->name, instance->admission->in_flight_instance());
  }
  metrics_.SetJournal(journal_.size(), journal_.overflowed(), journal_.MemoryBytes());
  if (const http::Server* server = server_.load(std::memory_order_acquire)) {
    const http::ServerStats stats = server->stats();
    HttpServerCounts counts;
    counts.accepted = stats.connections_accepted;
    counts.evicted = stats.connections_evicted;
    counts.refused = stats.connections_rejected;
    counts.open = stats.connections_open;
    counts.limit = stats.connections_limit;
    counts.timeouts = stats.timeouts;
    counts.write_timeouts = stats.write_timeouts;
    counts.tls_handshakes = stats.tls_handshakes;
    counts.tls_handshake_failures = stats.tls_handshake_failures;
    counts.tls_handshake_timeouts = stats.tls_handshake_timeouts;
    metrics_.SetHttpServer(counts);
  }
  for (const auto& [kind, count] : faults_.InjectedCounts()) {
    metrics_.pimsim().faults_injected_total->Get({kind}).Set(count);
  }
}

http::HttpResponse MockPim::MetricsResponse() {
  http::HttpResponse response;
  response.body = metrics_.RenderPrometheus();
  response.headers.push_back({"Content-Type", std::string(Metrics::kContentType)});
  return response;
}

}  // namespace pimsim
