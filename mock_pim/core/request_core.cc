#include "mock_pim/core/request_core.h"

#include <algorithm>
#include <utility>

#include "common/http_response.h"
#include "common/random.h"
#include "mock_pim/faults/fault_spec.h"
#include "mock_pim/journal/fingerprint.h"
#include "mock_pim/limits/retry_after.h"

namespace pimsim::core {
namespace {

constexpr char kRateLimitedBody[] =
    R"({"code":429,"message":"You have exceeded the limit of API requests per second."})";
constexpr char kJson[] = "application/json";
constexpr char kDrainingMessage[] = "The server is shutting down; retry on a new connection.";

Reply JsonError(int status, std::string_view message) {
  Reply reply;
  reply.status = status;
  reply.headers.push_back({"Content-Type", kJson});
  reply.body = JsonErrorBody(status, message);
  return reply;
}

// 401 for a request without a valid token; `body` is a constant of the
// token service.
Reply Unauthorized(std::string_view body) {
  Reply reply;
  reply.status = 401;
  reply.constant_body = body;
  reply.content_type = kJson;
  reply.headers.push_back({"WWW-Authenticate", "Bearer realm=\"Service\""});
  return reply;
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

// One request attempt, from arrival until its journal event is written.
struct RequestCore::Attempt {
  Attempt(const Request& r, Scheduler* s, Wire* w, std::shared_ptr<void> h)
      : request(r), scheduler(s), wire(w), handle(std::move(h)) {}

  Request request;
  Scheduler* scheduler = nullptr;
  Wire* wire = nullptr;
  // The transport's object for this request, kept until the journal event
  // is written: it owns what `request` and the record view.
  std::shared_ptr<void> handle;
  Instance* instance = nullptr;
  api::Route route;
  std::string_view api_path;  // into request.path
  bool admitted = false;
  bool released = false;  // the admission slot was given back
  bool answered = false;  // Send or Cut was called
  // The request needs a token and had none valid at arrival: the token
  // service's constant error body, answered at once with 401.
  std::string_view auth_error_body;
  // The fault to inject, if any (never a latency action: that is folded
  // into the delay).
  std::optional<pimsim::v1::FaultAction> fault;
  Scheduler::TaskId hang_end = 0;
  // The text the record views that neither the request, the instance nor
  // its token service holds.
  std::string basic_client;     // client id of a token request's credentials
  std::string normalized_path;  // when the query has to be normalized
  std::string body_hash;
  std::string fault_name;
  JournalRecord record;
};

void RequestCore::Begin(const Request& request, Scheduler& scheduler, Wire& wire,
                        std::shared_ptr<void> handle) {
  auto attempt = std::make_shared<Attempt>(request, &scheduler, &wire, std::move(handle));
  const Request& r = attempt->request;
  Instance& instance = state_->Resolve(r.path, &attempt->api_path);
  attempt->instance = &instance;
  attempt->route = api::Classify(r.method, attempt->api_path, r.body);

  JournalRecord& rec = attempt->record;
  if (attempt->route.kind == api::RouteKind::kToken) {
    attempt->basic_client = instance.tokens->ClientFromBasic(r.authorization);
    rec.connection = attempt->basic_client;
  } else if (attempt->route.needs_auth) {
    // The connection's client id lives as long as the token service.
    auth::AuthResult who = instance.tokens->Authenticate(r.authorization, r.arrival);
    if (who.outcome == auth::AuthResult::Outcome::kOk) {
      rec.connection = who.connection;
    } else {
      attempt->auth_error_body = who.error_body;
    }
  }

  Journal& journal = state_->journal();
  rec.id = journal.NextId();
  rec.instance = instance.name;
  rec.socket_id = r.socket_id;
  rec.method = r.method;
  rec.route = attempt->route.name;
  rec.normalized_path = NormalizePath(r.path, r.query, &attempt->normalized_path);
  rec.idempotency_key = r.idempotency_key;
  if (!r.body.empty()) {
    attempt->body_hash = BodyHash(r.body);
    rec.body_hash = attempt->body_hash;
  }
  rec.body_bytes = r.body.size();
  rec.arrival = r.arrival;
  rec.body_complete = r.body_complete;
  rec.conditional = r.conditional;

  if (r.draining) {
    // Shutting down: said at once, without taking a slot, so that the client
    // knows this attempt failed (the answer closes the connection).
    rec.status = 503;
    Reply reply = JsonError(503, kDrainingMessage);
    reply.close = true;
    Respond(attempt, std::move(reply));
    return;
  }
  AdmissionDecision decision =
      instance.admission->Admit(r.arrival, rec.connection, attempt->route.attribute_option_write);
  rec.in_flight_connection = decision.in_flight_connection;
  rec.in_flight_instance = decision.in_flight_instance;
  rec.instance_bucket_available = decision.instance_bucket_available;
  rec.rejection = ToProto(decision.rejection);

  if (!decision.admitted) {
    instance.counters.rejected[static_cast<int>(decision.rejection)]->Increment();
    const pimsim::v1::RetryAfterForm form = decision.retry_after_form;
    Reply reply;
    reply.status = 429;
    reply.content_type = kJson;
    reply.constant_body = kRateLimitedBody;
    if (std::optional<std::string> value = RetryAfterHeader(decision.retry_after, form, r.arrival)) {
      reply.headers.push_back({"Retry-After", *std::move(value)});
    }
    rec.status = 429;
    rec.retry_after_s = JournalRetryAfterSeconds(decision.retry_after, form, r.arrival);
    Respond(attempt, std::move(reply));
    return;
  }
  attempt->admitted = true;
  instance.counters.admitted->Increment();
  if (!attempt->auth_error_body.empty()) {
    // Authentication fails before any work: no service time, no fault.
    rec.status = 401;
    Respond(attempt, Unauthorized(attempt->auth_error_body));
    return;
  }
  SplitMix64 rng(StreamSeed(state_->seed(), rec.id));
  const pimsim::v1::RouteKind kind = ToProto(attempt->route.kind);
  absl::Duration delay = state_->latency().Draw(kind, attempt->route.batch_lines, rng);
  FaultDecision fault = state_->faults().Select(
      FaultRequest{instance.name, rec.connection, r.method, attempt->api_path, kind}, r.arrival);
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
      Disconnect(attempt, action.disconnect().close(), std::nullopt, 0);
      return;
    }
    if (action.has_hang()) {
      Hang(attempt, r.arrival + HangMax(action.hang()));
      return;
    }
  }
  if (delay <= absl::ZeroDuration()) {
    Serve(attempt);
  } else {
    scheduler.RunAt(scheduler.Now() + delay, [this, attempt] { Serve(attempt); });
  }
}

void RequestCore::Serve(const std::shared_ptr<Attempt>& attempt) {
  const Request& r = attempt->request;
  Instance& instance = *attempt->instance;
  const absl::Time now = attempt->scheduler->Now();
  Reply reply;
  reply.headers.reserve(3);
  if (attempt->fault.has_value() && attempt->fault->has_status()) {
    // An injected failure: the request is not applied.
    const pimsim::v1::StatusFault& status = attempt->fault->status();
    const int code = static_cast<int>(status.code());
    reply = JsonError(code, ReasonPhrase(code));
    if (status.has_retry_after()) {
      const absl::Duration wait = absl::Seconds(status.retry_after().seconds()) +
                                  absl::Nanoseconds(status.retry_after().nanos());
      const pimsim::v1::RetryAfterForm form = instance.admission->limits().retry_after;
      if (std::optional<std::string> value = RetryAfterHeader(wait, form, now)) {
        reply.headers.push_back({"Retry-After", *std::move(value)});
      }
      attempt->record.retry_after_s = JournalRetryAfterSeconds(wait, form, now);
    }
    attempt->record.status = reply.status;
    Respond(attempt, std::move(reply));
    return;
  }
  if (attempt->route.kind == api::RouteKind::kToken) {
    auth::TokenReply token =
        instance.tokens->HandleTokenRequest(r.authorization, r.content_type, r.body, now);
    reply.status = token.status;
    reply.body = std::move(token.body);
    reply.headers.push_back({"Content-Type", kJson});
    reply.headers.push_back({"Cache-Control", "no-store"});
  } else {
    auth::AuthResult who;
    if (attempt->route.needs_auth) {
      // Checked again: the token may have expired while the request waited.
      who = instance.tokens->Authenticate(r.authorization, now);
    }
    if (attempt->route.needs_auth && who.outcome != auth::AuthResult::Outcome::kOk) {
      reply = Unauthorized(who.error_body);
    } else {
      api::ApiRequest api_request;
      api_request.method = r.method;
      api_request.path = attempt->api_path;
      api_request.query = r.query;
      api_request.content_type = r.content_type;
      api_request.accept = r.accept;
      api_request.body = r.body;
      api_request.connection = who.connection;
      api_request.username = who.username;
      const std::string origin = attempt->wire->Origin(attempt->handle);
      api_request.origin = origin;
      api::ApiResponse api_response = instance.api->Handle(api_request, now);
      reply.status = api_response.status;
      reply.body = std::move(api_response.body);
      if (!api_response.content_type.empty()) {
        reply.headers.push_back({"Content-Type", std::move(api_response.content_type)});
      }
      if (!api_response.location.empty()) {
        reply.headers.push_back({"Location", std::move(api_response.location)});
      }
      if (!api_response.allow.empty()) {
        reply.headers.push_back({"Allow", std::move(api_response.allow)});
      }
    }
  }
  if (attempt->fault.has_value() && attempt->fault->has_disconnect()) {
    // Applied, and the answer is lost: the ambiguous failure.
    Disconnect(attempt, attempt->fault->disconnect().close(), std::nullopt, 0);
    return;
  }
  if (attempt->fault.has_value() && attempt->fault->has_truncate()) {
    const pimsim::v1::TruncateFault& truncate = attempt->fault->truncate();
    size_t bytes = truncate.has_body_bytes() ? truncate.body_bytes() : reply.body.size() / 2;
    bytes = std::min(bytes, reply.body.size() > 0 ? reply.body.size() - 1 : 0);
    attempt->record.status = reply.status;
    Disconnect(attempt, truncate.close(), std::move(reply), bytes);
    return;
  }
  attempt->record.status = reply.status;
  Respond(attempt, std::move(reply));
}

void RequestCore::Hang(const std::shared_ptr<Attempt>& attempt, absl::Time until) {
  // A hung request keeps its concurrency slot until the client gives up or
  // the hang's maximum, as on a real server; one task and one notice, never
  // a poll.
  Scheduler& scheduler = *attempt->scheduler;
  attempt->hang_end = scheduler.RunAt(until, [this, attempt] {
    attempt->hang_end = 0;
    Disconnect(attempt, pimsim::v1::CLOSE_KIND_ORDERLY, std::nullopt, 0);
  });
  attempt->wire->OnClientGone(attempt->handle, [this, attempt] {
    if (attempt->answered) return;
    attempt->scheduler->Cancel(attempt->hang_end);
    attempt->hang_end = 0;
    Disconnect(attempt, pimsim::v1::CLOSE_KIND_ORDERLY, std::nullopt, 0);
  });
}

void RequestCore::Disconnect(const std::shared_ptr<Attempt>& attempt, pimsim::v1::CloseKind kind,
                             std::optional<Reply> partial, size_t partial_bytes) {
  if (attempt->answered) return;
  attempt->answered = true;
  if (!partial.has_value()) attempt->record.status = 0;
  Release(*attempt);
  attempt->wire->Cut(attempt->handle, kind, std::move(partial), partial_bytes,
                     [this, attempt](absl::Time t, bool aborted) { Finish(attempt, t, aborted); });
}

void RequestCore::Respond(const std::shared_ptr<Attempt>& attempt, Reply&& reply) {
  if (attempt->answered) return;
  attempt->answered = true;
  Release(*attempt);
  attempt->wire->Send(attempt->handle, std::move(reply),
                      [this, attempt](absl::Time t, bool aborted) { Finish(attempt, t, aborted); });
}

void RequestCore::Release(Attempt& attempt) {
  if (!attempt.admitted || attempt.released) return;
  attempt.released = true;
  attempt.instance->admission->Release(attempt.record.connection);
}

void RequestCore::Finish(const std::shared_ptr<Attempt>& attempt, absl::Time written,
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
  state_->CountStatus(*attempt->instance, rec.status);
  state_->journal().Append(rec);
  // The handle (and the bytes the record viewed) goes with the attempt,
  // once the transport has dropped this call: not here, since the transport
  // may be inside Send still.
}

void RequestCore::RecordMalformed(uint64_t socket_id, int status, absl::Time when) {
  Instance& first = *state_->instances().front();
  JournalRecord rec;
  rec.id = state_->journal().NextId();
  rec.instance = first.name;
  rec.socket_id = socket_id;
  rec.route = "malformed";
  rec.arrival = when;
  rec.body_complete = when;
  rec.response = when;
  rec.status = status;
  state_->CountStatus(first, status);
  state_->journal().Append(rec);
}

}  // namespace pimsim::core
