#include "checker/attempts.h"

#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/fnv.h"

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

AttemptTable BuildAttemptTable(const journal::EventTable& events, const FaultKinds& fault_kinds,
                               int64_t epsilon_us) {
  AttemptTable t;
  t.attempts.resize(events.size());
  // Dense ids by the table's string ids.
  constexpr uint32_t kNone = UINT32_MAX;
  absl::flat_hash_map<journal::StringId, uint32_t> instance_of;
  absl::flat_hash_map<std::pair<uint32_t, journal::StringId>, uint32_t> connections;
  // Classification by (route, method) string ids, and whether a fault cut
  // the response by fault string id.
  absl::flat_hash_map<std::pair<journal::StringId, journal::StringId>, RouteClass> route_classes;
  absl::flat_hash_map<journal::StringId, bool> fault_cut;
  absl::flat_hash_map<std::tuple<uint32_t, journal::StringId, journal::StringId>, uint32_t> kinds;
  t.start_us = events.empty() ? 0 : events.record(0).arrival_us;
  t.end_us = t.start_us;
  // The last lookups, since consecutive events often share them.
  journal::StringId last_instance_name = kNone, last_connection_name = kNone;
  uint32_t last_instance = 0, last_connection = 0;
  std::pair<journal::StringId, journal::StringId> last_route_key(kNone, kNone);
  RouteClass last_route_class;
  for (size_t i = 0; i < events.size(); ++i) {
    const journal::EventRecord& e = events.record(i);
    Attempt& a = t.attempts[i];
    if (e.instance == last_instance_name && e.connection == last_connection_name) {
      a.instance = last_instance;
      a.connection = last_connection;
    } else {
      auto [in, new_instance] =
          instance_of.try_emplace(e.instance, static_cast<uint32_t>(t.instances.size()));
      if (new_instance) t.instances.emplace_back(events.str(e.instance));
      a.instance = in->second;
      auto [it, inserted] = connections.try_emplace(std::make_pair(a.instance, e.connection),
                                                    static_cast<uint32_t>(t.connections.size()));
      if (inserted) t.connections.push_back({std::string(events.str(e.connection)), a.instance});
      a.connection = it->second;
      last_instance_name = e.instance;
      last_connection_name = e.connection;
      last_instance = a.instance;
      last_connection = a.connection;
    }
    const std::pair<journal::StringId, journal::StringId> route_key(e.route, e.method);
    if (route_key != last_route_key) {
      auto [it, inserted] = route_classes.try_emplace(route_key);
      if (inserted) it->second = Classify(events.str(e.method), events.str(e.route));
      last_route_key = route_key;
      last_route_class = it->second;
    }
    const RouteClass rc = last_route_class;
    a.route = rc.flags;
    a.reference_collection = rc.reference;
    a.kind = kinds.try_emplace(std::make_tuple(a.connection, e.method, e.route), t.kinds)
                 .first->second;
    if (a.kind == t.kinds) ++t.kinds;

    a.arrival_us = e.arrival_us;
    a.body_complete_us =
        e.body_complete_us >= 0 && e.body_complete_us >= e.arrival_us ? e.body_complete_us : -1;
    a.response_us = std::max(e.response_us, e.arrival_us);
    a.end_us = a.response_us;
    if (e.client_aborted) a.end_us = std::max(a.arrival_us, a.response_us - epsilon_us);
    a.status = e.status;
    a.retry_after_s = static_cast<int32_t>(std::clamp<int64_t>(e.retry_after_s, -1, 1 << 30));
    a.rejected = e.status == 429 && e.rejection != pimsim::v1::REJECTION_NONE;
    a.conditional = e.conditional;
    a.client_aborted = e.client_aborted;
    a.idempotency_key = e.idempotency_key != 0;
    a.no_response = e.status == 0;
    bool cut_by_fault = false;
    if (e.fault != 0) {
      auto [it, inserted] = fault_cut.try_emplace(e.fault, false);
      if (inserted) it->second = FaultCutResponse(events.str(e.fault), fault_kinds);
      cut_by_fault = it->second;
    }
    const bool cut = e.response_cut || cut_by_fault;
    a.failed = IsRetryableStatus(e.status) || e.status == 0 || e.client_aborted || cut;
    const bool body_read = a.body_complete_us >= 0;
    a.ambiguous = body_read && (e.status == 0 || e.status == 500 || e.status == 502 ||
                                e.status == 504 || (cut && e.status < 300) ||
                                (e.client_aborted && e.status < 300));

    // Equal strings have equal ids in one table: the fingerprint hashes the
    // ids (one attempt's request is another's exactly when they are equal).
    uint64_t h = kFnv1a64Offset;
    for (uint32_t part : {a.connection, e.method, e.normalized_path, e.body_hash}) {
      h = Fnv1a64(std::string_view(reinterpret_cast<const char*>(&part), sizeof(part)), h);
    }
    a.fingerprint = h;

    t.start_us = std::min(t.start_us, a.arrival_us);
    t.end_us = std::max(t.end_us, a.response_us);
  }
  return t;
}

AttemptTable BuildAttemptTable(const std::vector<pimsim::v1::JournalEvent>& events,
                               const FaultKinds& fault_kinds, int64_t epsilon_us) {
  return BuildAttemptTable(journal::EventTable::FromEvents(events), fault_kinds, epsilon_us);
}

std::string Describe(const journal::EventView& e) {
  absl::string_view path = e.normalized_path();
  if (path.empty()) path = e.route();
  if (path.size() > 80) return absl::StrCat(e.method(), " ", path.substr(0, 77), "...");
  return absl::StrCat(e.method(), " ", path);
}

}  // namespace pimsim::checker
