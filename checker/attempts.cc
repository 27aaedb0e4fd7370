#include "checker/attempts.h"

#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace pimsim::checker {
namespace {

constexpr absl::string_view kTokenRoute = "/api/oauth/v1/token";
constexpr absl::string_view kApiPrefix = "/api/rest/v1/";

// Reference data a client should cache, in kReferenceCollections order.
constexpr absl::string_view kReferenceCollectionNames[kReferenceCollections] = {
    "channels", "locales", "currencies", "families", "attributes", "categories",
    "measurement-families"};

// Collections with a batch (collection+json) PATCH in the Akeneo API.
constexpr absl::string_view kBatchable[] = {
    "products",   "products-uuid", "product-models",    "attributes",
    "families",   "categories",    "association-types", "channels"};

uint64_t Fnv1a(uint64_t h, absl::string_view data) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

struct RouteClass {
  uint16_t flags = 0;
  int8_t reference = -1;
};

RouteClass Classify(absl::string_view method, absl::string_view route) {
  RouteClass rc;
  const bool get = method == "GET" || method == "HEAD";
  const bool post = method == "POST";
  const bool patch = method == "PATCH";
  if (get) rc.flags |= kRouteGet;
  if (post) rc.flags |= kRoutePost;
  if (!get && method != "OPTIONS") rc.flags |= kRouteWrite;
  if (route == kTokenRoute) {
    if (post) rc.flags |= kRouteToken;
    return rc;
  }
  if (!absl::StartsWith(route, kApiPrefix)) return rc;
  const std::vector<absl::string_view> seg =
      absl::StrSplit(route.substr(kApiPrefix.size()), '/', absl::SkipEmpty());
  if (seg.empty()) return rc;
  for (int i = 0; i < kReferenceCollections; ++i) {
    if (seg[0] == kReferenceCollectionNames[i]) rc.reference = static_cast<int8_t>(i);
  }
  if (get && rc.reference >= 0) rc.flags |= kRouteReferenceRead;
  const bool options = seg.size() >= 3 && seg[0] == "attributes" && seg[2] == "options";
  if (options && (post || patch)) rc.flags |= kRouteAttributeOptionWrite;
  bool batchable = options && seg.size() <= 4;
  if (!options && seg.size() <= 2) {
    for (absl::string_view b : kBatchable) batchable = batchable || seg[0] == b;
  }
  if (batchable) {
    const bool list = options ? seg.size() == 3 : seg.size() == 1;
    if (list && patch) rc.flags |= kRouteBatchWrite;
    if ((list && post) || (!list && patch)) rc.flags |= kRouteSingleWrite;
  }
  return rc;
}

bool IsRetryableStatus(uint32_t s) { return s == 408 || s == 429 || (s >= 500 && s <= 599); }

// Interns strings to dense ids.
class Interner {
 public:
  uint32_t Id(absl::string_view s, std::vector<std::string>* names) {
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    const uint32_t id = static_cast<uint32_t>(names->size());
    names->emplace_back(s);
    ids_.emplace(std::string(s), id);
    return id;
  }

 private:
  absl::flat_hash_map<std::string, uint32_t> ids_;
};

// Kinds of the comma-separated fault rules that fired: true if any of them
// cut the response (truncate) or dropped it (disconnect, hang).
bool FaultCutResponse(absl::string_view fault, const FaultKinds& kinds) {
  if (fault.empty() || kinds.empty()) return false;
  for (absl::string_view name : absl::StrSplit(fault, ',')) {
    auto it = kinds.find(std::string(name));
    if (it == kinds.end()) continue;
    switch (it->second) {
      case pimsim::v1::FaultAction::kTruncate:
      case pimsim::v1::FaultAction::kDisconnect:
      case pimsim::v1::FaultAction::kHang:
        return true;
      default:
        break;
    }
  }
  return false;
}

}  // namespace

FaultKinds FaultKindsFromRules(
    const google::protobuf::RepeatedPtrField<pimsim::v1::FaultRule>& rules) {
  // Unnamed rules get the fault injector's default names: "fault-<k>" for
  // the first k >= index + 1 no other rule uses.
  FaultKinds kinds;
  for (const pimsim::v1::FaultRule& r : rules) {
    if (!r.name().empty()) kinds[r.name()] = r.action().kind_case();
  }
  for (int i = 0; i < rules.size(); ++i) {
    if (!rules[i].name().empty()) continue;
    for (int k = i + 1;; ++k) {
      std::string name = absl::StrCat("fault-", k);
      if (kinds.count(name) == 0) {
        kinds[std::move(name)] = rules[i].action().kind_case();
        break;
      }
    }
  }
  return kinds;
}

AttemptTable BuildAttemptTable(const std::vector<pimsim::v1::JournalEvent>& events,
                               const FaultKinds& fault_kinds, int64_t epsilon_us) {
  AttemptTable t;
  t.attempts.resize(events.size());
  Interner instances;
  absl::flat_hash_map<std::pair<uint32_t, std::string>, uint32_t> connections;
  Interner routes;
  std::vector<std::string> route_names;
  // Classification cache by route id * kMethodSlots + method id.
  constexpr uint32_t kMethodSlots = 16;
  std::vector<RouteClass> route_classes;
  Interner methods;
  std::vector<std::string> method_names;
  absl::flat_hash_map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> kinds;
  t.start_us = events.empty() ? 0 : events.front().arrival_us();
  t.end_us = t.start_us;
  // The last connection looked up, since consecutive events often share it.
  uint32_t last_instance = UINT32_MAX, last_connection = 0;
  std::string last_connection_name;
  for (size_t i = 0; i < events.size(); ++i) {
    const pimsim::v1::JournalEvent& e = events[i];
    Attempt& a = t.attempts[i];
    a.event = static_cast<uint32_t>(i);
    a.instance = instances.Id(e.instance(), &t.instances);
    if (a.instance == last_instance && e.connection() == last_connection_name) {
      a.connection = last_connection;
    } else {
      auto [it, inserted] = connections.try_emplace(std::make_pair(a.instance, e.connection()),
                                                    static_cast<uint32_t>(t.connections.size()));
      if (inserted) t.connections.push_back({e.connection(), a.instance});
      a.connection = it->second;
      last_instance = a.instance;
      last_connection = a.connection;
      last_connection_name = e.connection();
    }
    const uint32_t method = methods.Id(e.method(), &method_names);
    const uint32_t route = routes.Id(e.route(), &route_names);
    RouteClass rc;
    if (method < kMethodSlots) {
      const size_t slot = size_t{route} * kMethodSlots + method;
      if (slot >= route_classes.size()) route_classes.resize(slot + 64, RouteClass{0xffff, -1});
      if (route_classes[slot].flags == 0xffff) route_classes[slot] = Classify(e.method(), e.route());
      rc = route_classes[slot];
    } else {
      rc = Classify(e.method(), e.route());
    }
    a.route = rc.flags;
    a.reference_collection = rc.reference;
    a.kind = kinds.try_emplace(std::make_tuple(a.connection, method, route), t.kinds).first->second;
    if (a.kind == t.kinds) ++t.kinds;

    a.arrival_us = e.arrival_us();
    a.body_complete_us =
        e.body_complete_us() >= 0 && e.body_complete_us() >= e.arrival_us() ? e.body_complete_us()
                                                                             : -1;
    a.response_us = std::max(e.response_us(), e.arrival_us());
    a.end_us = a.response_us;
    if (e.client_aborted()) a.end_us = std::max(a.arrival_us, a.response_us - epsilon_us);
    a.status = e.status();
    a.retry_after_s = static_cast<int32_t>(std::clamp<int64_t>(e.retry_after_s(), -1, 1 << 30));
    a.rejected = e.status() == 429 && e.rejection() != pimsim::v1::REJECTION_NONE;
    a.conditional = e.conditional();
    a.client_aborted = e.client_aborted();
    a.idempotency_key = !e.idempotency_key().empty();
    a.no_response = e.status() == 0;
    const bool cut = e.response_cut() || FaultCutResponse(e.fault(), fault_kinds);
    a.failed = IsRetryableStatus(e.status()) || e.status() == 0 || e.client_aborted() || cut;
    const bool body_read = a.body_complete_us >= 0;
    a.ambiguous = body_read && (e.status() == 0 || e.status() == 500 || e.status() == 502 ||
                                e.status() == 504 || (cut && e.status() < 300) ||
                                (e.client_aborted() && e.status() < 300));

    uint64_t h = 14695981039346656037ull;
    const uint32_t c = a.connection;
    h = Fnv1a(h, absl::string_view(reinterpret_cast<const char*>(&c), sizeof(c)));
    h = Fnv1a(h, e.method());
    h = Fnv1a(h, absl::string_view("\0", 1));
    h = Fnv1a(h, e.normalized_path());
    h = Fnv1a(h, absl::string_view("\0", 1));
    h = Fnv1a(h, e.body_hash());
    a.fingerprint = h;

    t.start_us = std::min(t.start_us, a.arrival_us);
    t.end_us = std::max(t.end_us, a.response_us);
  }
  return t;
}

std::string Describe(const pimsim::v1::JournalEvent& e) {
  absl::string_view path = e.normalized_path();
  if (path.empty()) path = e.route();
  if (path.size() > 80) return absl::StrCat(e.method(), " ", path.substr(0, 77), "...");
  return absl::StrCat(e.method(), " ", path);
}

}  // namespace pimsim::checker
