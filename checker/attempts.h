// AttemptTable: the journal events (journal/event_table.h) in the classified
// form every rule reads. Instances and PIM connections get dense ids, the
// retry fingerprint (connection + method + normalized path + body hash) is
// hashed to 64 bits, and each attempt is classified once: did it fail in a
// way a client should retry, was the failure ambiguous for a write, which
// route family is it.
//
// A "connection" here is the pair (instance, PIM connection) so that equal
// client ids on two instances never mix; requests without a valid credential
// get the instance's empty connection.
//
// Thread-safety: immutable after BuildAttemptTable.
//
//   FaultKinds kinds = FaultKindsFromRules(scenario.faults());
//   AttemptTable table = BuildAttemptTable(events, kinds);
//   for (const Attempt& a : table.attempts) if (a.failed) ...
#ifndef PIMSIM_CHECKER_ATTEMPTS_H_
#define PIMSIM_CHECKER_ATTEMPTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "google/protobuf/repeated_field.h"
#include "journal/event_table.h"
#include "proto/faults.pb.h"
#include "proto/journal.pb.h"

namespace pimsim::checker {

// Fault rule name -> what the rule does. The journal marks a response cut
// off mid-body (`response_cut`); for journals without that mark, these kinds
// tell a truncated response (whose status is kept) from a success. An
// unknown fault on an answered request is read as a success: a missed retry
// is better than an invented one.
using FaultKinds = std::map<std::string, pimsim::v1::FaultAction::KindCase>;

FaultKinds FaultKindsFromRules(
    const google::protobuf::RepeatedPtrField<pimsim::v1::FaultRule>& rules);

// Route families, as bit flags.
enum RouteFlag : uint16_t {
  kRouteToken = 1 << 0,             // POST /api/oauth/v1/token
  kRouteAttributeOptionWrite = 1 << 1,  // POST/PATCH on .../options[/{code}]
  kRouteReferenceRead = 1 << 2,     // GET of channels, locales, currencies, families,
                                    // attributes (and options), categories
  kRouteSingleWrite = 1 << 3,       // one-item write to a collection with a batch PATCH
  kRouteBatchWrite = 1 << 4,        // PATCH on a batchable collection's list route
  kRouteWrite = 1 << 5,             // any method but GET/HEAD/OPTIONS
  kRouteGet = 1 << 6,               // GET or HEAD
  kRoutePost = 1 << 7,              // POST
};

// Reference collection of a route (for cache invalidation), or -1.
inline constexpr int kReferenceCollections = 7;

// Attempt i is event i of the table it was built from.
struct Attempt {
  int64_t arrival_us = 0;
  // -1 when the body never completed.
  int64_t body_complete_us = -1;
  // Last byte written or socket closed; arrival_us when the journal has no
  // response time.
  int64_t response_us = 0;
  // When the client last had the attempt in flight: response_us, less the
  // lag with which the mock notices a client's close (epsilon: its event
  // loop's, or the 20 ms poll of mocks before the close was a notice) when
  // the client closed first; >= arrival_us.
  int64_t end_us = 0;
  uint64_t fingerprint = 0;
  uint32_t instance = 0;
  uint32_t connection = 0;
  // The kind of request: (connection, method, route) interned. Attempts of
  // one kind share a background rate of independent repeats (retry_chains.h).
  uint32_t kind = 0;
  uint32_t status = 0;
  // Seconds; -1 when none was sent.
  int32_t retry_after_s = -1;
  uint16_t route = 0;  // RouteFlag bits
  int8_t reference_collection = -1;
  // 408, 429, 5xx, no response, client abort, truncated or cut response.
  bool failed = false;
  // The outcome is unknown to a client that sent a write: the body was read
  // and then no (complete) answer or a 500/502/504 came back.
  bool ambiguous = false;
  // 429 from the limiter (not an injected fault).
  bool rejected = false;
  bool conditional = false;
  bool client_aborted = false;
  bool idempotency_key = false;
  // No response at all: status 0.
  bool no_response = false;
};

struct ConnectionInfo {
  std::string name;  // empty: unauthenticated requests
  uint32_t instance = 0;
};

struct AttemptTable {
  std::vector<Attempt> attempts;
  std::vector<std::string> instances;
  std::vector<ConnectionInfo> connections;
  // Number of distinct Attempt::kind values.
  uint32_t kinds = 0;
  // First arrival and last response (or arrival) over all attempts.
  int64_t start_us = 0;
  int64_t end_us = 0;
};

// Events must be in id (arrival) order; `epsilon_us` is the clock tolerance.
// Attempt i is event i.
AttemptTable BuildAttemptTable(const journal::EventTable& events, const FaultKinds& fault_kinds,
                               int64_t epsilon_us);
// The same over events as protobuf messages (converted first).
AttemptTable BuildAttemptTable(const std::vector<pimsim::v1::JournalEvent>& events,
                               const FaultKinds& fault_kinds, int64_t epsilon_us);

// A short human label for an attempt: "POST /api/rest/v1/products".
std::string Describe(const journal::EventView& event);

}  // namespace pimsim::checker

#endif  // PIMSIM_CHECKER_ATTEMPTS_H_
