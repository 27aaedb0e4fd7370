#include "client/akeneo_client.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/url.h"
#include "nlohmann/json.hpp"

namespace pimsim::client {
namespace {

constexpr char kTokenPath[] = "/api/oauth/v1/token";
// A token this close to its expiry is not used any more (at most a quarter
// of its lifetime).
constexpr absl::Duration kTokenExpiryGuard = absl::Seconds(5);
// expires_in is trusted up to this (a larger or negative one is clamped).
constexpr int64_t kMaxTokenLifetimeSeconds = 366 * 86400;
// Retries that found no budget token wait for one, then a little jitter so
// they do not all leave together.
constexpr absl::Duration kBudgetJitter = absl::Milliseconds(200);

bool IsPrefixOfPath(absl::string_view prefix, absl::string_view path) {
  return absl::StartsWith(path, prefix) &&
         (path.size() == prefix.size() || path[prefix.size()] == '/' ||
          path[prefix.size()] == '?');
}

// The path of a target without its query.
absl::string_view PathOf(absl::string_view target) {
  return target.substr(0, std::min(target.find('?'), target.size()));
}

// A collection path's reference-data resource: "/api/rest/v1/families" for
// "/api/rest/v1/families/shoes?x", "" when it is not reference data.
std::string ReferenceResource(absl::string_view target) {
  static const char* kResources[] = {"channels",        "locales",          "currencies",
                                     "families",        "attributes",       "attribute-groups",
                                     "association-types", "measure-families", "measurement-families",
                                     "reference-entities"};
  absl::string_view path = PathOf(target);
  constexpr absl::string_view kRest = "/api/rest/v1/";
  if (!absl::StartsWith(path, kRest)) return "";
  absl::string_view rest = path.substr(kRest.size());
  absl::string_view first = rest.substr(0, std::min(rest.find('/'), rest.size()));
  for (const char* r : kResources) {
    if (first == r) return std::string(path.substr(0, kRest.size() + first.size()));
  }
  return "";
}

}  // namespace

// ---------------------------------------------------------------------------
// Credentials

absl::StatusOr<Credentials> CredentialsFromEnvironment(Credentials given) {
  Credentials c = std::move(given);
  const std::pair<const char*, std::string*> vars[] = {
      {"PIM_BASE_URL", &c.base_url},   {"PIM_CLIENT_ID", &c.client_id},
      {"PIM_CLIENT_SECRET", &c.secret}, {"PIM_USERNAME", &c.username},
      {"PIM_PASSWORD", &c.password}};
  for (const auto& [name, field] : vars) {
    if (!field->empty()) continue;
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') {
      return absl::InvalidArgumentError(absl::StrCat(name, " is not set"));
    }
    *field = v;
  }
  return c;
}

std::string CaFileFromEnvironment() {
  for (const char* name : {"PIM_CA_FILE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return v;
  }
  return "";
}

absl::StatusOr<std::vector<Credentials>> ReadConnectionsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_array()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a JSON array of connections"));
  }
  std::vector<Credentials> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const nlohmann::json& o = j[i];
    Credentials c;
    const std::pair<const char*, std::string*> fields[] = {
        {"base_url", &c.base_url}, {"client_id", &c.client_id}, {"secret", &c.secret},
        {"username", &c.username}, {"password", &c.password}};
    for (const auto& [key, field] : fields) {
      auto it = o.is_object() ? o.find(key) : o.end();
      if (it == o.end() || !it->is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": connection ", i, " has no string \"", key, "\""));
      }
      *field = it->get<std::string>();
    }
    out.push_back(std::move(c));
  }
  if (out.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no connections"));
  return out;
}

// ---------------------------------------------------------------------------
// State

struct AkeneoClient::Op {
  enum Kind { kCall, kToken, kReadBack };
  Kind kind = kCall;
  Call call;
  Done done;
  int conn = 0;
  int attempts = 0;         // sent so far
  absl::Time first_attempt = absl::InfinitePast();
  bool refreshed_on_401 = false;
  uint64_t token_generation = 0;  // of the token the last attempt carried
  bool option_write = false;
  bool create = false;      // a POST other than the token route
  std::string own_token;    // policy.reuse_token off: this call's own token
  Op* parent = nullptr;     // kReadBack: the create; kToken: a call waiting for its own token
  HttpResponse failure;     // kCall under read-back: the ambiguous failure
  std::string cache_key;
};

struct AkeneoClient::Connection {
  Credentials credentials;
  int index = 0;
  int instance = 0;
  enum TokenState { kNone, kFetching, kValid, kFailed } token_state = kNone;
  std::string token;
  std::string bearer;  // "Bearer <token>"
  std::string refresh_token;
  // Refresh from this time on; no new request with the token from the
  // second (both derived from its lifetime, see OnTokenResponse) ...
  absl::Time token_refresh_at = absl::InfinitePast();
  absl::Time token_unusable_at = absl::InfinitePast();
  // ... except that a token just issued is used at least once, however
  // short its lifetime.
  bool token_fresh = false;
  uint64_t token_generation = 0;
  Outcome token_failure;
  // Token requests waiting to be sent (one for the shared token; with
  // policy.reuse_token off, one per call), ahead of every call.
  std::deque<Op*> token_ops;
  int in_flight = 0;
  absl::Time paused_until = absl::InfinitePast();
  std::deque<Op*> ready;
  int queued_or_in_flight = 0;  // calls assigned here and not finished
};

struct AkeneoClient::Instance {
  std::string base_url;
  int in_flight = 0;
  absl::Time next_request = absl::InfinitePast();
  absl::Time next_option_write = absl::InfinitePast();
  std::unique_ptr<RetryBudget> budget;
};

struct AkeneoClient::CacheEntry {
  absl::Time expires;
  Outcome outcome;
  bool fetching = false;
  // A write to its resource succeeded while it was being fetched: its
  // answer may predate the write, so it goes to its waiters but is not kept.
  bool stale = false;
  std::vector<Done> waiters;
};

AkeneoClient::AkeneoClient(Scheduler& scheduler, Transport& transport, Policy policy,
                           std::vector<Credentials> connections, uint64_t seed)
    : scheduler_(scheduler), transport_(transport), policy_(std::move(policy)), rng_(seed) {
  for (Credentials& cred : connections) {
    while (!cred.base_url.empty() && cred.base_url.back() == '/') cred.base_url.pop_back();
    auto c = std::make_unique<Connection>();
    c->index = static_cast<int>(connections_.size());
    int inst = -1;
    for (size_t i = 0; i < instances_.size(); ++i) {
      if (instances_[i]->base_url == cred.base_url) inst = static_cast<int>(i);
    }
    if (inst < 0) {
      auto in = std::make_unique<Instance>();
      in->base_url = cred.base_url;
      in->budget = std::make_unique<RetryBudget>(policy_, scheduler_.Now());
      inst = static_cast<int>(instances_.size());
      instances_.push_back(std::move(in));
    }
    c->instance = inst;
    c->credentials = std::move(cred);
    connections_.push_back(std::move(c));
  }
}

AkeneoClient::~AkeneoClient() {
  if (pump_task_) scheduler_.Cancel(pump_task_);
  // Calls still queued are dropped (see the header).
  for (const auto& c : connections_) {
    for (Op* op : c->ready) delete op;
    for (Op* op : c->token_ops) delete op;
  }
}

int AkeneoClient::in_flight(int connection) const { return connections_[connection]->in_flight; }
int AkeneoClient::instance_in_flight(int connection) const {
  return instances_[connections_[connection]->instance]->in_flight;
}
int AkeneoClient::load(int connection) const {
  return connections_[connection]->queued_or_in_flight;
}

bool AkeneoClient::IsAttributeOptionWrite(const Call& call) {
  if (call.method != "POST" && call.method != "PATCH") return false;
  absl::string_view path = PathOf(call.target);
  // /api/rest/v1/attributes/{code}/options[/{code}]
  const size_t at = path.find("/api/rest/v1/attributes/");
  if (at == absl::string_view::npos) return false;
  absl::string_view rest = path.substr(at + sizeof("/api/rest/v1/attributes/") - 1);
  const size_t slash = rest.find('/');
  return slash != absl::string_view::npos &&
         IsPrefixOfPath("options", rest.substr(slash + 1));
}

std::string AkeneoClient::Url(const Connection& c, const std::string& target) const {
  if (absl::StartsWith(target, "http://") || absl::StartsWith(target, "https://")) {
    // An href from the PIM: kept when it is under this connection's base URL,
    // otherwise its path and query are taken under the base URL (a PIM
    // behind a proxy may link to its own internal address).
    if (absl::StartsWith(target, c.credentials.base_url)) return target;
    const size_t scheme_end = target.find("://") + 3;
    const size_t path_start = target.find('/', scheme_end);
    return c.credentials.base_url +
           (path_start == std::string::npos ? std::string("/") : target.substr(path_start));
  }
  return c.credentials.base_url + target;
}

// ---------------------------------------------------------------------------
// Cache

bool AkeneoClient::Cacheable(const Call& call) const {
  return policy_.reference_cache_ttl > absl::ZeroDuration() && call.method == "GET" &&
         !ReferenceResource(call.target).empty();
}

std::string AkeneoClient::CacheKey(const Connection& c, const Call& call) const {
  return Url(c, call.target);
}

void AkeneoClient::InvalidateCache(const Connection& c, const Call& call) {
  if (cache_.empty()) return;
  const std::string resource = ReferenceResource(call.target);
  if (resource.empty()) return;
  const std::string prefix = c.credentials.base_url + resource;
  for (auto it = cache_.lower_bound(prefix); it != cache_.end() && absl::StartsWith(it->first, prefix);) {
    if (it->second.fetching) {
      it->second.stale = true;
      ++it;
    } else {
      it = cache_.erase(it);
    }
  }
}

// ---------------------------------------------------------------------------
// Sending

void AkeneoClient::Send(Call call, Done done) {
  ++open_calls_;
  int conn = call.connection;
  if (conn < 0 || conn >= connections()) {
    // The least busy connection whose credentials were not refused (any,
    // if all were: the call then fails with the refusal).
    conn = -1;
    for (int i = 0; i < connections(); ++i) {
      if (connections_[i]->token_state == Connection::kFailed) continue;
      if (conn < 0 ||
          connections_[i]->queued_or_in_flight < connections_[conn]->queued_or_in_flight) {
        conn = i;
      }
    }
    if (conn < 0) conn = 0;
  }
  Connection& c = *connections_[conn];
  bool cacheable = Cacheable(call);
  if (cacheable) {
    auto it = cache_.find(CacheKey(c, call));
    // A read after a write must not join a fetch from before it.
    if (it != cache_.end() && it->second.stale) cacheable = false;
  }
  if (cacheable) {
    const std::string key = CacheKey(c, call);
    auto it = cache_.find(key);
    const absl::Time now = scheduler_.Now();
    if (it != cache_.end() && (it->second.fetching || it->second.expires > now)) {
      ++stats_.cache_hits;
      if (it->second.fetching) {
        it->second.waiters.push_back(std::move(done));
        return;
      }
      Outcome o = it->second.outcome;
      o.from_cache = true;
      o.attempts = 0;
      scheduler_.RunAt(now, [this, o, done = std::move(done)] {
        --open_calls_;
        ++stats_.calls;
        done(o);
      });
      return;
    }
    CacheEntry& e = cache_[key];
    e.fetching = true;
    e.waiters.clear();
  }
  Op* op = new Op;
  op->call = std::move(call);
  op->done = std::move(done);
  op->conn = conn;
  op->option_write = IsAttributeOptionWrite(op->call);
  op->create = op->call.method == "POST" && PathOf(op->call.target) != kTokenPath;
  if (cacheable) op->cache_key = CacheKey(c, op->call);
  ++c.queued_or_in_flight;
  c.ready.push_back(op);
  Pump();
}

void AkeneoClient::Requeue(Op* op, bool front) {
  Connection& c = *connections_[op->conn];
  if (op->kind == Op::kToken) {
    c.token_ops.push_front(op);
  } else if (front) {
    c.ready.push_front(op);
  } else {
    c.ready.push_back(op);
  }
}

void AkeneoClient::SchedulePump(absl::Time when) {
  if (when >= pump_at_) return;
  if (pump_task_) scheduler_.Cancel(pump_task_);
  pump_at_ = when;
  pump_task_ = scheduler_.RunAt(when, [this] {
    pump_task_ = 0;
    pump_at_ = absl::InfiniteFuture();
    Pump();
  });
}

void AkeneoClient::Pump() {
  if (pumping_) {
    pump_again_ = true;
    return;
  }
  pumping_ = true;
  absl::Time wake = absl::InfiniteFuture();
  do {
    pump_again_ = false;
    const absl::Time now = scheduler_.Now();
    // One request per connection per pass, so connections share their
    // instance's limits fairly.
    bool sent = true;
    while (sent) {
      sent = false;
      const size_t n = connections_.size();
      for (size_t k = 0; k < n; ++k) {
        Connection& c = *connections_[(round_robin_ + k) % n];
        if (TryDispatch(c, now, &wake)) sent = true;
      }
      round_robin_ = (round_robin_ + 1) % std::max<size_t>(n, 1);
    }
  } while (pump_again_);
  pumping_ = false;
  if (wake != absl::InfiniteFuture()) SchedulePump(wake);
}

bool AkeneoClient::TryDispatch(Connection& c, absl::Time now, absl::Time* wake) {
  if (c.ready.empty() && c.token_ops.empty()) return false;
  if (c.token_state == Connection::kFailed) {
    FailConnection(c, c.token_failure);
    return false;
  }
  if (now < c.paused_until) {
    *wake = std::min(*wake, c.paused_until);
    return false;
  }
  const int max_conn = policy_.max_in_flight_per_connection;
  const int max_inst = policy_.max_in_flight_per_instance;
  Instance& in = *instances_[c.instance];
  if (max_conn > 0 && c.in_flight >= max_conn) return false;
  if (max_inst > 0 && in.in_flight >= max_inst) return false;

  Op* op = nullptr;
  if (!c.token_ops.empty()) {
    op = c.token_ops.front();
  } else if (policy_.reuse_token) {
    // While a refresh is on its way the old token is used until shortly
    // before it expires (a 401 clears it, see OnResponse).
    const bool usable = (c.token_state == Connection::kValid ||
                         (c.token_state == Connection::kFetching && !c.token.empty())) &&
                        (c.token_fresh || now < c.token_unusable_at);
    const bool refresh_due = c.token_state == Connection::kValid && !c.token_fresh &&
                             now >= c.token_refresh_at;
    if (c.token_state == Connection::kNone || (refresh_due && c.token_state != Connection::kFetching)) {
      RequestToken(c, nullptr);
      op = c.token_ops.front();
    } else if (!usable) {
      return false;  // the token request is on its way
    } else {
      op = c.ready.front();
    }
  } else {
    op = c.ready.front();
    if (op->kind != Op::kToken && op->own_token.empty()) {
      c.ready.pop_front();
      RequestToken(c, op);
      op = c.token_ops.front();
    }
  }

  // Pacing: every request of the instance, and attribute-option writes.
  const absl::Time due = std::max(in.next_request, op->option_write ? in.next_option_write
                                                                    : absl::InfinitePast());
  if (due > now) {
    *wake = std::min(*wake, due);
    return false;
  }
  if (policy_.instance_rate > 0) {
    const absl::Duration gap =
        absl::Seconds(1.0 / (policy_.instance_rate * (1 - policy_.safety_margin)));
    // A slot missed by less than one gap (a timer that fired late) is
    // caught up; an idle spell is not saved up, so no burst follows it.
    in.next_request = in.next_request >= now - gap ? in.next_request + gap : now + gap;
  }
  if (op->option_write && policy_.attribute_option_rate > 0) {
    in.next_option_write =
        now + absl::Seconds(1.0 / (policy_.attribute_option_rate * (1 - policy_.safety_margin)));
  }
  if (!c.token_ops.empty() && op == c.token_ops.front()) {
    c.token_ops.pop_front();
  } else {
    c.ready.pop_front();
  }
  Dispatch(op, c);
  return true;
}

void AkeneoClient::RequestToken(Connection& c, Op* waiting_for_own_token) {
  Op* op = new Op;
  op->kind = Op::kToken;
  op->conn = c.index;
  op->parent = waiting_for_own_token;
  op->call.method = "POST";
  op->call.target = kTokenPath;
  op->call.content_type = "application/json";
  nlohmann::json body;
  if (waiting_for_own_token == nullptr && c.token_state == Connection::kValid &&
      !c.refresh_token.empty()) {
    body["grant_type"] = "refresh_token";
    body["refresh_token"] = c.refresh_token;
  } else {
    body["grant_type"] = "password";
    body["username"] = c.credentials.username;
    body["password"] = c.credentials.password;
  }
  op->call.body = body.dump();
  if (waiting_for_own_token == nullptr) c.token_state = Connection::kFetching;
  c.token_ops.push_back(op);
}

void AkeneoClient::Dispatch(Op* op, Connection& c) {
  const absl::Time now = scheduler_.Now();
  HttpRequest req;
  req.method = op->call.method;
  req.url = Url(c, op->call.target);
  req.connect_timeout = policy_.connect_timeout;
  req.timeout = policy_.request_timeout;
  if (op->kind == Op::kToken) {
    req.headers.emplace_back(
        "Authorization",
        absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(c.credentials.client_id, ":",
                                                               c.credentials.secret))));
    ++stats_.token_requests;
  } else {
    if (policy_.reuse_token) {
      req.headers.emplace_back("Authorization", c.bearer);
      c.token_fresh = false;
    } else {
      req.headers.emplace_back("Authorization", absl::StrCat("Bearer ", op->own_token));
    }
    op->token_generation = c.token_generation;
    if (!policy_.reuse_token) op->own_token.clear();  // one use each
  }
  if (!op->call.body.empty() || op->call.method == "POST" || op->call.method == "PATCH") {
    req.headers.emplace_back("Content-Type", op->call.content_type.empty()
                                                  ? std::string("application/json")
                                                  : op->call.content_type);
  }
  req.body = op->call.body;
  if (op->attempts == 0) op->first_attempt = now;
  ++op->attempts;
  ++c.in_flight;
  ++instances_[c.instance]->in_flight;
  ++stats_.requests;
  transport_.Send(std::move(req), [this, op](HttpResponse r) { OnResponse(op, std::move(r)); });
}

// ---------------------------------------------------------------------------
// Responses

void AkeneoClient::OnResponse(Op* op, HttpResponse r) {
  Connection& c = *connections_[op->conn];
  Instance& in = *instances_[c.instance];
  --c.in_flight;
  --in.in_flight;
  const absl::Time now = scheduler_.Now();
  if (r.error == TransportError::kTimeout) ++stats_.timeouts;
  if (r.error == TransportError::kDisconnected) ++stats_.disconnects;
  if (r.status >= 500) ++stats_.server_errors;

  std::optional<absl::Duration> retry_after;
  if (r.status == 429 || r.status == 503) {
    if (const std::string* v = r.Header("retry-after")) {
      retry_after = ParseRetryAfter(*v, now, r.Header("date"));
    }
  }
  if (!policy_.honour_retry_after) retry_after.reset();
  if (r.status == 429) {
    ++stats_.throttled;
    if (policy_.pause_connection_on_429) {
      const absl::Duration wait = retry_after ? *retry_after : policy_.min_429_wait;
      c.paused_until = std::max(c.paused_until, now + wait);
    }
  }

  if (op->kind == Op::kToken) {
    OnTokenResponse(op, r, retry_after);
    Pump();
    return;
  }
  if (r.error == TransportError::kNone && r.status == 401 && !op->refreshed_on_401) {
    // An expired or revoked token: one new token (single-flight: only the
    // first 401 of a token generation asks for one) and the call again.
    op->refreshed_on_401 = true;
    if (policy_.reuse_token && op->token_generation == c.token_generation && !c.token.empty()) {
      // The token is refused: no call carries it again. If a refresh is on
      // its way, its answer is awaited; otherwise a new token is asked for.
      c.token.clear();
      c.bearer.clear();
      if (c.token_state == Connection::kValid) {
        c.token_state = Connection::kNone;
        c.refresh_token.clear();  // a refresh token of a revoked token is no use
      }
    }
    --op->attempts;  // a new token makes a new request, not a retry
    Requeue(op, /*front=*/true);
    Pump();
    return;
  }
  // kOther (a TLS verification failure, a malformed URL) is no transient
  // failure: sending again would fail the same way.
  const bool transport_failure =
      r.error != TransportError::kNone && r.error != TransportError::kOther;
  if (transport_failure || (r.error == TransportError::kNone && ShouldRetryStatus(r.status, policy_))) {
    Retry(op, r, retry_after);
    Pump();
    return;
  }
  Outcome o;
  o.status = r.status;
  o.body = std::move(r.body);
  o.error = r.error;
  o.message = r.error_message;
  o.attempts = op->attempts;
  if (o.ok()) {
    in.budget->OnSuccess();
    if (op->call.method != "GET") InvalidateCache(c, op->call);
  }
  Finish(op, std::move(o));
  Pump();
}

void AkeneoClient::OnTokenResponse(Op* op, const HttpResponse& r,
                                   std::optional<absl::Duration> retry_after) {
  Connection& c = *connections_[op->conn];
  const absl::Time now = scheduler_.Now();
  if (r.error == TransportError::kNone && r.status == 200) {
    nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    if (!j.is_discarded() && j.is_object() && j.contains("access_token") &&
        j["access_token"].is_string()) {
      instances_[c.instance]->budget->OnSuccess();
      int64_t expires_in = 3600;
      if (j.contains("expires_in") && j["expires_in"].is_number()) {
        const double e = j["expires_in"].get<double>();
        expires_in = e < 0 ? 0 : e > kMaxTokenLifetimeSeconds ? kMaxTokenLifetimeSeconds
                                                               : static_cast<int64_t>(e);
      }
      const std::string token = j["access_token"].get<std::string>();
      if (op->parent != nullptr) {
        // A call with a token of its own (policy.reuse_token off).
        op->parent->own_token = token;
        Requeue(op->parent, /*front=*/true);
      } else {
        c.token = token;
        c.bearer = absl::StrCat("Bearer ", token);
        c.refresh_token = j.contains("refresh_token") && j["refresh_token"].is_string()
                              ? j["refresh_token"].get<std::string>()
                              : "";
        const absl::Duration lifetime = absl::Seconds(expires_in);
        c.token_refresh_at = now + lifetime - std::min(policy_.token_refresh_margin, lifetime / 2);
        c.token_unusable_at = now + lifetime - std::min(kTokenExpiryGuard, lifetime / 4);
        c.token_fresh = true;
        ++c.token_generation;
        c.token_state = Connection::kValid;
      }
      delete op;
      return;
    }
  }
  const bool transient = (r.error != TransportError::kNone && r.error != TransportError::kOther) ||
                         (r.error == TransportError::kNone && IsTransientStatus(r.status));
  if (transient) {
    Retry(op, r, retry_after);
    return;
  }
  if (op->parent == nullptr && op->call.body.find("\"refresh_token\"") != std::string::npos) {
    // The refresh token was refused: start over with the password.
    c.token_state = Connection::kNone;
    c.refresh_token.clear();
    delete op;
    return;
  }
  Outcome why;
  why.status = r.status;
  why.body = r.body;
  why.connection = c.index;
  why.error = r.error;
  why.message = r.error != TransportError::kNone
                    ? absl::StrCat("the token request of connection ", c.credentials.client_id,
                                   " failed: ", r.error_message)
                    : absl::StrCat("the token request of connection ", c.credentials.client_id,
                                   " was refused (", r.status, ")");
  if (op->parent != nullptr) {
    Op* parent = op->parent;
    delete op;
    Finish(parent, why);
    return;
  }
  delete op;
  c.token_state = Connection::kFailed;
  c.token_failure = why;
  FailConnection(c, why);
}

void AkeneoClient::FailConnection(Connection& c, const Outcome& why) {
  // Each outcome is delivered from the scheduler, never from inside the
  // Send or the callback that got here.
  const absl::Time now = scheduler_.Now();
  while (!c.ready.empty()) {
    Op* op = c.ready.front();
    c.ready.pop_front();
    Outcome o = why;
    o.attempts = op->attempts;
    scheduler_.RunAt(now, [this, op, o = std::move(o)]() mutable { Finish(op, std::move(o)); });
  }
}

void AkeneoClient::Retry(Op* op, const HttpResponse& r, std::optional<absl::Duration> retry_after,
                         bool read_back_done) {
  Connection& c = *connections_[op->conn];
  const absl::Time now = scheduler_.Now();
  auto give_up = [&](std::string why) {
    Outcome o;
    o.status = r.status;
    o.body = r.body;
    o.error = r.error;
    o.attempts = op->attempts;
    o.gave_up = true;
    o.message = std::move(why);
    if (op->kind == Op::kToken) {
      if (op->parent != nullptr) {
        Op* parent = op->parent;
        delete op;
        Finish(parent, o);
        return;
      }
      delete op;
      // The calls waiting for it fail; the next call asks again (the
      // failure was transient, the PIM may be back by then).
      c.token_state = Connection::kNone;
      o.message = "the token request gave up: " + o.message;
      FailConnection(c, o);
      return;
    }
    Finish(op, std::move(o));
  };
  const std::string what =
      r.error != TransportError::kNone
          ? absl::StrCat(TransportErrorName(r.error),
                         r.error_message.empty() ? "" : absl::StrCat(" (", r.error_message, ")"))
          : absl::StrCat(r.status);
  // An ambiguous failure of a create: it may have been applied. Read back
  // first, whatever the limits (a read is no re-send), so that even the
  // last attempt's outcome is known.
  const bool ambiguous =
      op->kind == Op::kCall && op->create && !read_back_done &&
      ((r.error != TransportError::kNone && r.error != TransportError::kConnect) ||
       r.status == 500 || r.status == 502 || r.status == 504);
  if (ambiguous && policy_.verify_ambiguous_creates) {
    ReadBack(op, r);
    return;
  }
  if (op->attempts >= policy_.max_attempts) {
    give_up(absl::StrCat(what, " after ", op->attempts, " attempts"));
    return;
  }
  if (now - op->first_attempt >= policy_.max_retry_duration) {
    give_up(absl::StrCat(what, " after retrying for ",
                         absl::FormatDuration(now - op->first_attempt)));
    return;
  }
  if (retry_after && now + *retry_after - op->first_attempt >= policy_.max_retry_duration) {
    // Waiting it out would retry past the time limit; coming back sooner
    // would ignore it.
    give_up(absl::StrCat(what, " asking to come back in ", absl::FormatDuration(*retry_after),
                         ", past the retry time limit"));
    return;
  }
  absl::Duration delay = FullJitterBackoff(policy_, op->attempts, rng_);
  if (retry_after) delay += *retry_after;
  // A 429 without Retry-After waits a floor on top of the backoff (so the
  // waits still grow and differ).
  if (r.status == 429 && !retry_after) delay += policy_.min_429_wait;
  ++stats_.retries;
  scheduler_.RunAt(now + delay, [this, op] { RetryDue(op); });
}

// The budget is asked when a retry is due; a retry that finds it empty waits
// for the next token.
void AkeneoClient::RetryDue(Op* op) {
  Instance& in = *instances_[connections_[op->conn]->instance];
  const absl::Time now = scheduler_.Now();
  if (!in.budget->TrySpend(now)) {
    ++stats_.budget_exhausted;
    const absl::Duration jitter = kBudgetJitter * (static_cast<double>(rng_() >> 11) * 0x1.0p-53);
    scheduler_.RunAt(in.budget->NextToken(now) + jitter, [this, op] { RetryDue(op); });
    return;
  }
  Requeue(op, /*front=*/true);
  Pump();
}

void AkeneoClient::ReadBack(Op* op, const HttpResponse& failure) {
  Connection& c = *connections_[op->conn];
  std::string target = op->call.verify_target;
  if (target.empty()) {
    nlohmann::json j = nlohmann::json::parse(op->call.body, nullptr, false);
    std::string key;
    if (!j.is_discarded() && j.is_object()) {
      for (const char* field : {"identifier", "code"}) {
        if (j.contains(field) && j[field].is_string()) {
          key = j[field].get<std::string>();
          break;
        }
      }
    }
    if (!key.empty()) {
      target = absl::StrCat(PathOf(op->call.target), "/", url::PercentEncode(key));
    }
  }
  if (target.empty()) {
    Outcome o;
    o.status = failure.status;
    o.error = failure.error;
    o.attempts = op->attempts;
    o.gave_up = true;
    o.message = "an ambiguous failure of a create with no identifier or code to read it back "
                "by; not sent again";
    Finish(op, std::move(o));
    return;
  }
  ++stats_.read_backs;
  op->failure = failure;
  Op* rb = new Op;
  rb->kind = Op::kReadBack;
  rb->conn = op->conn;
  rb->parent = op;
  rb->call.method = "GET";
  rb->call.target = target;
  rb->done = [this, op](const Outcome& got) {
    if (got.ok()) {
      ++stats_.recovered_creates;
      Outcome o = got;
      o.attempts = op->attempts;
      o.recovered = true;
      Finish(op, std::move(o));
      return;
    }
    if (got.status == 404) {
      // Not applied: safe to send again, after the usual backoff.
      const HttpResponse failure = op->failure;
      Retry(op, failure, std::nullopt, /*read_back_done=*/true);
      return;
    }
    Outcome o;
    o.status = op->failure.status;
    o.error = op->failure.error;
    o.attempts = op->attempts;
    o.gave_up = true;
    o.message = absl::StrCat("could not tell whether the create was applied (read-back: ",
                             got.status ? absl::StrCat(got.status) : got.message, ")");
    Finish(op, std::move(o));
  };
  ++c.queued_or_in_flight;
  ++open_calls_;
  Requeue(rb, /*front=*/true);
  Pump();
}

void AkeneoClient::Finish(Op* op, Outcome outcome) {
  Connection& c = *connections_[op->conn];
  --c.queued_or_in_flight;
  --open_calls_;
  outcome.connection = op->conn;
  if (op->kind == Op::kCall) {
    ++stats_.calls;
    if (outcome.gave_up) {
      ++stats_.gave_up;
      if (on_gave_up_) on_gave_up_(op->call, outcome);
    }
  }
  if (!op->cache_key.empty()) {
    auto it = cache_.find(op->cache_key);
    if (it != cache_.end()) {
      std::vector<Done> waiters = std::move(it->second.waiters);
      if (outcome.ok() && !it->second.stale) {
        it->second.fetching = false;
        it->second.outcome = outcome;
        it->second.expires = scheduler_.Now() + policy_.reference_cache_ttl;
      } else {
        cache_.erase(it);
      }
      for (Done& w : waiters) {
        Outcome shared = outcome;
        shared.from_cache = true;
        shared.attempts = 0;
        --open_calls_;
        ++stats_.calls;
        w(shared);
      }
    }
  }
  Done done = std::move(op->done);
  delete op;
  if (done) done(outcome);
}

const char* TransportErrorName(TransportError e) {
  switch (e) {
    case TransportError::kNone: return "no error";
    case TransportError::kConnect: return "connection failed";
    case TransportError::kTimeout: return "timeout";
    case TransportError::kDisconnected: return "disconnected";
    case TransportError::kOther: return "transport error";
  }
  return "transport error";
}

}  // namespace pimsim::client
