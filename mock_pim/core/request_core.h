// RequestCore: the mock's per-request path, the same whatever carries the
// request (the HTTP server, or a virtual wire with no sockets).
//
// A Request comes in: method, target, the headers the core reads, body, the
// transport's connection id, arrival and body-complete times. The core
// resolves the instance (by path prefix), classifies the route, identifies
// the PIM connection (bearer token, or Basic credentials on the token
// route), asks the instance's admission controller whether the request may
// be served (concurrency, rate, protection), asks the fault injector
// whether to break it, and draws a service time from the latency model
// (plus any injected latency). It answers through the request's Wire,
// exactly once:
//   - at once: a 429 (with Retry-After as the limits say), a 401, a 503
//     while draining, or a disconnect before processing;
//   - when the service time has elapsed (a task on the Scheduler): the
//     response of the token service or the resource model, or an injected
//     status, a disconnect after processing (applied, answer lost) or a
//     response cut mid-body;
//   - a hang: a task at the hang's maximum, cancelled when the Wire reports
//     that the client went (Wire::OnClientGone). A hang costs two events
//     however long it lasts; nothing polls.
// The Wire's `done` call, when the transport has handed the answer over (or
// found the client gone), writes the journal event. The admission slot is
// freed just before the core hands its answer to the wire, so that a client
// that reads the answer and sends its next request at once, on any
// connection, finds the slot free (a real server frees it when its worker
// returns the response, before the bytes reach the client).
//
// Decisions are pure functions of the request, the scheduler's time and the
// seed: the latency of the n-th request is drawn from StreamSeed(seed, n),
// so a run with the same seed and the same traffic replays.
//
// Thread-safety: Begin may be called concurrently for different requests
// (the state's members are thread-safe); the calls for one request, and its
// Scheduler, belong to one thread (the HTTP server's loop of its
// connection).
//
//   RequestCore core(state.get());
//   core.Begin(request, scheduler, my_wire, my_exchange);
//   // MyWire::Send(exchange, reply, done): write it, then done(when, false).
#ifndef PIMSIM_MOCK_PIM_CORE_REQUEST_CORE_H_
#define PIMSIM_MOCK_PIM_CORE_REQUEST_CORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/http_response.h"
#include "common/scheduler.h"
#include "mock_pim/core/pim_state.h"
#include "proto/faults.pb.h"

namespace pimsim::core {

// What the core reads of a request. Every view must stay valid until the
// Wire's done call (the transport's handle owns the bytes).
struct Request {
  std::string_view method;
  std::string_view path;   // percent-encoded, without the query
  std::string_view query;  // after '?', "" when none
  // Header values, "" when absent (the first of a repeated header).
  std::string_view authorization;
  std::string_view content_type;
  std::string_view accept;
  std::string_view idempotency_key;
  // If-None-Match or If-Modified-Since with a value.
  bool conditional = false;
  std::string_view body;
  // The transport's connection (socket) id, journaled.
  uint64_t socket_id = 0;
  absl::Time arrival;        // the head was complete
  absl::Time body_complete;  // == arrival without a body
  // The transport is shutting down: answered 503 at once, neither admitted
  // nor faulted, journaled.
  bool draining = false;
};

// An answer to send: plain data (common/http_response.h), which the HTTP
// adapter writes as it is.
using Reply = ::pimsim::HttpResponse;

// Once per attempt: when the answer was handed over (client_aborted false),
// or the transport found the client gone first (true, at that time).
using Done = std::function<void(absl::Time, bool client_aborted)>;

// How the core answers: one per transport (the HTTP adapter, a virtual
// wire), stateless, told which request by the handle the transport gave
// Begin (its own per-request object: an exchange, a virtual call). For each
// attempt the core calls exactly one of Send and Cut, on the request's
// thread.
class Wire {
 public:
  using Handle = std::shared_ptr<void>;
  virtual ~Wire() = default;
  virtual void Send(const Handle& request, Reply&& reply, Done&& done) = 0;
  // Ends the exchange without a complete answer: a close (orderly: FIN, or
  // reset: RST), after the whole head and `partial_bytes` bytes of
  // `partial`'s body when it is given (a response cut mid-body).
  virtual void Cut(const Handle& request, pimsim::v1::CloseKind kind, std::optional<Reply> partial,
                   size_t partial_bytes, Done done) = 0;
  // Runs `fn` once, on the request's thread, if the client goes while the
  // request is unanswered (at once if it has already gone).
  virtual void OnClientGone(const Handle& request, std::function<void()> fn) = 0;
  // "https://host:port", what the answer's absolute URLs start with (the
  // scheme and host the client addressed); "" gives paths. Asked only when
  // the resource model answers.
  virtual std::string Origin(const Handle& request) const { return ""; }
};

class RequestCore {
 public:
  // `state` must outlive the core.
  explicit RequestCore(PimState* state) : state_(state) {}

  // One attempt: decides, and answers through `wire` now or from a task on
  // `scheduler`; both must outlive the attempt. `handle` is the transport's
  // object for this request, passed back to every Wire call and kept until
  // the journal event is written (so it may own the bytes `request` views).
  void Begin(const Request& request, Scheduler& scheduler, Wire& wire,
             std::shared_ptr<void> handle);

  // A request the transport could not parse (or whose head or body timed
  // out), which it answered itself with `status`: journaled on the first
  // instance as route "malformed".
  void RecordMalformed(uint64_t socket_id, int status, absl::Time when);

 private:
  struct Attempt;
  void Serve(const std::shared_ptr<Attempt>& attempt);
  void Hang(const std::shared_ptr<Attempt>& attempt, absl::Time until);
  // Ends an attempt without a (complete) answer.
  void Disconnect(const std::shared_ptr<Attempt>& attempt, pimsim::v1::CloseKind kind,
                  std::optional<Reply> partial, size_t partial_bytes);
  void Respond(const std::shared_ptr<Attempt>& attempt, Reply&& reply);
  // Gives an admitted attempt's slot back, once.
  void Release(Attempt& attempt);
  // Journals the attempt once the transport has handed its answer over.
  void Finish(const std::shared_ptr<Attempt>& attempt, absl::Time written, bool client_aborted);

  PimState* const state_;
};

}  // namespace pimsim::core

#endif  // PIMSIM_MOCK_PIM_CORE_REQUEST_CORE_H_
