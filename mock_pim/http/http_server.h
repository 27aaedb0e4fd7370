// The mock PIM's HTTP/1.1 server: the I/O shell around the pure core.
//
// It accepts TCP connections, parses requests (http_parser.h), time-stamps
// them with the injected Clock and hands each complete request to a Handler
// as an Exchange. The handler answers whenever it likes (the core delays
// answers to model service time) or injects a socket-level fault instead:
// a reset, an orderly close, a response cut off mid-body, or a hang (simply
// never answering).
//
// Threading: `threads` event loops (Boost.Asio io_contexts), one per thread;
// accepted connections are spread round-robin and stay on their loop. A
// connection handles one exchange at a time: pipelined requests wait in its
// buffer until the current response is written. While an exchange is
// pending the server keeps reading, so a client that closes or resets is
// noticed (Exchange::client_gone()).
//
// Half-close: a client may send FIN after its requests (shutdown(SHUT_WR)),
// as HTTP/1.1 allows. Every request it sent in full is still answered, in
// order, and the connection closes after the last; an incomplete one is
// dropped. A response written after a FIN is not aborted (only a reset or a
// failed read or write is); but a FIN turns client_gone() true, since it
// may as well come from a client that gave up and closed, and an exchange
// then ended by Close() without an answer is client_aborted, at the FIN.
//
// Timeouts (real time, not the injected clock: they protect the process):
// a connection idle between requests for `idle_timeout` is closed silently;
// a request whose head is not complete `header_timeout` after its first byte
// (slowloris), or whose body is not complete `body_timeout` after the head
// or stalls for `idle_timeout` between bytes, gets 408 and is closed. A
// response the client leaves unread for `idle_timeout` (the kernel would not
// take all of it) is abandoned: the connection closes and the exchange ends
// client_aborted. A pending exchange never times out: hangs are the core's
// call.
//
// The connection table: at `max_connections` open connections a newcomer
// takes the place of the least useful one on its loop (or, failing that, on
// the next loops): a connection closing after its last response first, then
// the one whose last response (or accept) is oldest, be it idle or stalled
// mid-request. Only a connection whose request the handler holds unanswered
// is never evicted; when every one is such, the newcomer is refused. So
// slow or idle sockets cannot lock a client out; they age while a working
// client's connections stay fresh. The eviction closes the socket at once
// (no response) and costs O(1): each loop keeps its connections in the
// order of their last answer, two pointer updates per request. Evictions and
// refusals are counted (ServerStats). `max_connections` is lowered to what
// the process may open: Create raises the soft RLIMIT_NOFILE towards
// `max_connections` plus a reserve for everything else, up to the hard
// limit.
//
// Drain (Shutdown): the server stops accepting (connections the kernel had
// already accepted are still taken in), and every request that arrives from
// then on is still handed to the handler, with Exchange::server_draining()
// true, for it to answer quickly (the mock answers 503) and record; every
// response then says Connection: close. A connection with nothing in
// progress closes once it has been quiet for `drain_quiet_time`, so that a
// request its client sent before it could see the close is answered rather
// than lost; pipelined requests behind a response are not (the client
// learns from Connection: close that they were not processed).
//
// Parse errors are answered by the server itself ({"code":N,"message":...},
// Connection: close) and reported to Handler::OnParseError for the journal.
//
// TLS (ServerOptions::tls): the same server over OpenSSL, through Asio's SSL
// stream on each accepted socket; the connection state machine, the
// timeouts, the table and the drain are the same, and so is every exchange
// the handler sees. A connection first completes its handshake, within
// `tls_handshake_timeout`; one that fails (a client speaking plain HTTP,
// garbage, an unknown CA on the client's side) or times out is closed and
// counted (ServerStats), never handed to the handler, and costs the other
// connections nothing. A plain HTTP request (its first byte a letter, where
// TLS starts with 0x16) is answered in plain HTTP first, as nginx does:
// 400, {"code":400,"message":"The plain HTTP request was sent to the HTTPS
// port: use https://"}, Connection: close. ALPN, when the client offers it, settles on
// http/1.1. Socket faults keep their meaning: a reset is a TCP RST (the TLS
// session simply ends), an orderly close is a TCP FIN without TLS
// close_notify, so the client sees the connection cut as it would over
// plain HTTP, and a cut-off response is cut off inside the TLS stream. The
// server's own closes (Connection: close, idle, drain) send close_notify
// first, as TLS servers do.
//
// Each loop has one Scheduler (common/scheduler.h), which its exchanges
// hand out: tasks run on the loop, on real timers; Now() is the injected
// clock. At Shutdown every task still pending runs (a task that was
// cancelled does not), so a handler that holds a request can release what
// it holds.
//
// Thread-safety: Server's methods may be called from any thread. Exchange
// methods may be called from any thread, except scheduler() (see
// exchange.h); they run on the connection's loop (at once when called
// there, else posted to it). Handler methods are called on the
// connection's loop and must not block. Exchanges must be released before
// the Server is destroyed.
//
//   auto server = Server::Create({.port = 0}, &handler, &RealClock::Get());
//   (*server)->Start();
//   // handler.Handle(ex): ex->scheduler().RunAt(ex->scheduler().Now() +
//   //   absl::Milliseconds(5), [ex] { ex->Respond({.status = 200}, nullptr); });
#ifndef PIMSIM_MOCK_PIM_HTTP_HTTP_SERVER_H_
#define PIMSIM_MOCK_PIM_HTTP_HTTP_SERVER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "mock_pim/http/exchange.h"
#include "mock_pim/http/http_message.h"
#include "mock_pim/http/http_parser.h"

namespace pimsim::http {

// A certificate and key for ServerOptions::tls, read once by Server::Create.
struct TlsOptions {
  // PEM: the server's certificate, then any intermediate CA certificates.
  std::string certificate_chain_file;
  // PEM: the certificate's private key, unencrypted.
  std::string private_key_file;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port.
  int threads = 0;    // 0 = hardware concurrency.
  ParserLimits limits;
  // Between requests, and between the bytes of a body.
  absl::Duration idle_timeout = absl::Seconds(60);
  // From a request's first byte to the end of its head.
  absl::Duration header_timeout = absl::Seconds(30);
  // From the end of a request's head to the end of its body.
  absl::Duration body_timeout = absl::Seconds(60);
  // During Shutdown, how long a connection with nothing in progress stays
  // open for a request already on its way.
  absl::Duration drain_quiet_time = absl::Milliseconds(250);
  // Open connections at most; a newcomer beyond makes room by evicting the
  // least useful one, or is refused (see above).
  size_t max_connections = 10000;
  // Serve HTTPS instead of HTTP.
  std::optional<TlsOptions> tls;
  // From accept to the end of the TLS handshake.
  absl::Duration tls_handshake_timeout = absl::Seconds(10);
};

struct ServerStats {
  uint64_t connections_accepted = 0;
  // Over max_connections with none to evict: closed at once.
  uint64_t connections_rejected = 0;
  // Closed to make room for a newcomer.
  uint64_t connections_evicted = 0;
  uint64_t connections_open = 0;
  uint64_t connections_limit = 0;     // max_connections in force.
  bool draining = false;              // Shutdown has begun.
  uint64_t requests_parsed = 0;       // Handed to the handler.
  uint64_t responses_written = 0;     // Respond() completed without error.
  uint64_t client_aborts = 0;         // Exchanges ended with client_aborted.
  uint64_t faults_closed = 0;         // Exchanges ended by Close().
  uint64_t timeouts = 0;              // 408s sent for header/body timeouts.
  uint64_t write_timeouts = 0;        // Responses left unread for idle_timeout.
  uint64_t parse_errors = 0;          // Sum of parse_errors_by_status.
  std::map<int, uint64_t> parse_errors_by_status;  // 408 included.
  // TLS only: handshakes completed, failed (the peer's or OpenSSL's error),
  // and not completed within tls_handshake_timeout. The last two closed
  // their connection.
  uint64_t tls_handshakes = 0;
  uint64_t tls_handshake_failures = 0;
  uint64_t tls_handshake_timeouts = 0;
};

class Server {
 public:
  // Binds (port 0 picks one); fails with a clear error if the address is bad
  // or in use, or if options.tls names a certificate or key that cannot be
  // loaded or do not match. `handler` and `clock` must outlive the server.
  // Ignores SIGPIPE for the process.
  static absl::StatusOr<std::unique_ptr<Server>> Create(ServerOptions options, Handler* handler,
                                                        pimsim::Clock* clock);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts the loops and accepting.
  absl::Status Start();
  // "127.0.0.1:54321", as actually bound.
  std::string address() const;
  uint16_t port() const;
  // True when it serves HTTPS (options.tls).
  bool tls() const;
  // Graceful: stops accepting (taking in what the kernel had accepted),
  // hands requests arriving meanwhile to the handler as draining, closes
  // connections once quiet, lets pending exchanges finish (up to `grace`;
  // their connections close after the response), then closes everything,
  // runs the loops' pending scheduler tasks and joins the threads. Idempotent; the
  // destructor calls it.
  void Shutdown(absl::Duration grace = absl::Seconds(5));
  ServerStats stats() const;

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace pimsim::http

#endif  // PIMSIM_MOCK_PIM_HTTP_HTTP_SERVER_H_
