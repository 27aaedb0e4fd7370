// Exchange and Handler: what the HTTP server hands a request's handler, and
// the interface the handler implements. Apart from the server so that an
// adapter over it (mock_pim/mock_pim.h) and its tests need neither Asio nor
// sockets: a test implements Exchange over a VirtualScheduler.
//
// An Exchange is one request and the one answer it gets: a response
// (Respond) or a socket fault (Close). The handler may answer at once or
// later, from a task on the exchange's scheduler(); it learns that the
// client went away while it held the request from OnClientGone, not by
// polling.
//
// Thread-safety: Exchange methods may be called from any thread (they run
// on the connection's event loop, at once when called there, else posted to
// it), except scheduler(), which belongs to that loop: use it from Handle or
// from a task it runs. Handler methods are called on the loop and must not
// block.
//
//   void Handle(std::shared_ptr<Exchange> ex) override {
//     Scheduler& s = ex->scheduler();
//     s.RunAt(s.Now() + absl::Milliseconds(5), [ex] { ex->Respond({}, nullptr); });
//   }
#ifndef PIMSIM_MOCK_PIM_HTTP_EXCHANGE_H_
#define PIMSIM_MOCK_PIM_HTTP_EXCHANGE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/time/time.h"
#include "common/scheduler.h"
#include "mock_pim/http/http_message.h"

namespace pimsim::http {

// Unique per accepted TCP connection within the server's life, from 1.
using SocketId = uint64_t;

enum class CloseMode {
  kOrderly,  // FIN after flushing what was written.
  kReset,    // RST: SO_LINGER 0, then close.
};

// Called once when an exchange ends: after the last response byte was
// handed to the kernel (client_aborted = false; the time is read just before
// the write that handed over the rest of the response, or before the close,
// so that no reaction of the client can carry an earlier time), or when the
// write failed or the client had already gone (client_aborted = true; the
// time is when the failure was seen). May be empty. When the kernel takes
// the whole response at once (the usual case for small ones), it runs
// before Respond returns.
using DoneCallback = std::function<void(absl::Time, bool client_aborted)>;

// One request/response exchange. The handler owns it (std::shared_ptr) until
// it responds; dropping it without calling Respond or Close resets the
// connection.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual const HttpRequest& request() const = 0;
  // So the handler may move the body out.
  virtual HttpRequest& mutable_request() = 0;
  virtual SocketId socket_id() const = 0;
  // When the head was fully parsed (clock.Now()).
  virtual absl::Time arrival_time() const = 0;
  // When the body was fully read (== arrival_time() without a body).
  virtual absl::Time body_complete_time() const = 0;
  // The scheduler of the connection's loop: tasks run there, and its Now()
  // is the server's clock. Call it on that loop only.
  virtual Scheduler& scheduler() = 0;
  // Sends the response. Call exactly one of Respond/Close per exchange.
  virtual void Respond(HttpResponse response, DoneCallback done) = 0;
  // Fault: closes the TCP connection without a response, or, with `partial`,
  // after writing its whole head (announcing the full Content-Length) and
  // only the first `partial_bytes` bytes of its body: a response cut off
  // mid-body.
  virtual void Close(CloseMode mode, std::optional<HttpResponse> partial, size_t partial_bytes,
                     DoneCallback done) = 0;
  // True once the server saw the client reset the socket, a read or write
  // on it fail, or the client's FIN. The last may be a half-close, after
  // which Respond still delivers.
  virtual bool client_gone() const = 0;
  // Runs `fn` once, on the loop, when client_gone() turns true while the
  // exchange is not yet answered (posted at once if it already is true);
  // never after Respond or Close. For a handler that holds a request open
  // (a hang) and ends it when nobody waits any more. A later call replaces
  // the function.
  virtual void OnClientGone(std::function<void()> fn) = 0;
  // The request arrived after Shutdown began: the handler should answer at
  // once (the response says Connection: close whatever it is).
  virtual bool server_draining() const { return false; }
  // The request came over TLS (the server serves HTTPS): the scheme of the
  // URLs a response names, unless a proxy's X-Forwarded-Proto says otherwise.
  virtual bool secure() const { return false; }
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Called on the connection's loop; must not block.
  virtual void Handle(std::shared_ptr<Exchange> exchange) = 0;
  // A request could not be parsed (or its head/body timed out: 408); the
  // server answers it itself with `status` and closes the connection. For
  // the journal.
  virtual void OnParseError(SocketId socket, int status, std::string_view reason,
                            absl::Time when) {}
};

}  // namespace pimsim::http

#endif  // PIMSIM_MOCK_PIM_HTTP_EXCHANGE_H_
