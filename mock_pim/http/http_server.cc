// The HTTP server's server half: binding, accepting and spreading
// connections over the loops, the connection table, drain and shutdown.
// The connection half is connection.cc; see server_internal.h.
#include "mock_pim/http/http_server.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/ssl/error.hpp"
#include "mock_pim/http/server_internal.h"
#include "openssl/err.h"
#include "openssl/ssl.h"
#include "openssl/x509.h"

namespace pimsim::http {
namespace {

// Descriptors left for everything but client connections (the control
// plane, the journal file, the loops' own) when max_connections is fitted to
// RLIMIT_NOFILE.
constexpr rlim_t kReservedDescriptors = 256;
// Connections the kernel had accepted that Shutdown still takes in, at most
// (the listen backlog's usual ceiling).
constexpr int kMaxBacklogAtShutdown = 4096;

size_t FitToDescriptorLimit(size_t wanted) {
  rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return wanted;
  const rlim_t needed = static_cast<rlim_t>(wanted) + kReservedDescriptors;
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < needed) {
    rlimit raised = rl;
    raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ? needed : std::min(needed, rl.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
  }
  if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= needed) return wanted;
  const rlim_t usable =
      rl.rlim_cur > 2 * kReservedDescriptors ? rl.rlim_cur - kReservedDescriptors : rl.rlim_cur / 2;
  return std::max<size_t>(1, static_cast<size_t>(usable));
}

}  // namespace

absl::Status Server::Impl::Bind() {
  ErrorCode ec;
  std::string host = options_.host == "localhost" ? "127.0.0.1" : options_.host;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid listen address '", options_.host, "': ", ec.message()));
  }
  const int threads = options_.threads > 0
                          ? options_.threads
                          : std::max(1u, std::thread::hardware_concurrency());
  for (int i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<Worker>());
    workers_.back()->scheduler.emplace(workers_.back()->ioc, clock_);
    workers_.back()->index = static_cast<size_t>(i);
  }
  if (options_.tls.has_value()) {
    if (absl::Status s = LoadTls(*options_.tls); !s.ok()) return s;
  }
  max_connections_ = FitToDescriptorLimit(std::max<size_t>(1, options_.max_connections));
  const ParserLimits& l = options_.limits;
  max_buffer_ = std::max<size_t>(kInitialBuffer, l.max_target_bytes + l.max_header_bytes + 4096);

  const tcp::endpoint endpoint(address, options_.port);
  acceptor_ = std::make_unique<tcp::acceptor>(workers_[0]->ioc);
  accept_retry_ = std::make_unique<asio::steady_timer>(workers_[0]->ioc);
  const std::string where = absl::StrCat(options_.host, ":", options_.port);
  acceptor_->open(endpoint.protocol(), ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot open socket for ", where, ": ", ec.message()));
  }
  acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
  acceptor_->bind(endpoint, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot bind ", where, ": ", ec.message()));
  }
  acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", where, ": ", ec.message()));
  }
  endpoint_ = acceptor_->local_endpoint(ec);
  if (ec) return absl::InternalError(absl::StrCat("getsockname: ", ec.message()));
  return absl::OkStatus();
}

namespace {

// OpenSSL's reason for an error Asio took off OpenSSL's queue, for a message.
std::string OpenSslError(const ErrorCode& ec) {
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* reason = ::ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    if (reason != nullptr) return reason;
  }
  return ec.message();
}

bool IsKeyMismatch(const ErrorCode& ec) {
  return ec.category() == asio::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH;
}

// ALPN: http/1.1 when the client offers it, else no protocol named (the
// client then speaks HTTP/1.1 anyway, as without ALPN).
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (::SSL_select_next_proto(&selected, outlen, kHttp11, sizeof(kHttp11), in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

absl::Status Server::Impl::LoadTls(const TlsOptions& tls) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  ErrorCode ec;
  // TLS 1.2 and 1.3 only; no renegotiation, which a client could use to make
  // the server do handshakes in the middle of a connection.
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                   ec);
  ::SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION);
  ctx->use_certificate_chain_file(tls.certificate_chain_file, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat("TLS certificate ",
                                                   tls.certificate_chain_file, ": ",
                                                   OpenSslError(ec)));
  }
  ctx->use_private_key_file(tls.private_key_file, asio::ssl::context::pem, ec);
  const bool mismatch = ec && IsKeyMismatch(ec);
  if (ec && !mismatch) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS private key ", tls.private_key_file, ": ", OpenSslError(ec)));
  }
  if (mismatch || ::SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS private key ", tls.private_key_file, " does not match the certificate ",
                     tls.certificate_chain_file));
  }
  ::SSL_CTX_set_alpn_select_cb(ctx->native_handle(), SelectAlpn, nullptr);
  tls_context_ = std::move(ctx);
  return absl::OkStatus();
}

absl::Status Server::Impl::Start() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (started_) return absl::FailedPreconditionError("server already started");
  if (stopped_) return absl::FailedPreconditionError("server was shut down");
  started_ = true;
  for (auto& w : workers_) {
    Worker* worker = w.get();
    worker->thread = std::thread([worker] {
      worker->ioc.run();
      std::lock_guard<std::mutex> lock(worker->stopped_mu);
      worker->stopped = true;
      worker->stopped_cv.notify_all();
    });
  }
  asio::post(workers_[0]->ioc, [this] { DoAccept(); });
  return absl::OkStatus();
}

void Server::Impl::DoAccept() {
  Worker& w = *workers_[next_worker_++ % workers_.size()];
  // Accepted on the acceptor's loop, then handed to its own (OnAccepted).
  acceptor_->async_accept([this, &w](const ErrorCode& ec, tcp::socket socket) {
    // Accepted just before Shutdown closed the acceptor: still taken in.
    if (!ec) OnAccepted(w, std::move(socket));
    if (!acceptor_->is_open() || ec == asio::error::operation_aborted) return;
    if (ec) {
      // Out of descriptors or similar: back off instead of spinning.
      accept_retry_->expires_after(std::chrono::milliseconds(10));
      accept_retry_->async_wait([this](const ErrorCode& e) {
        if (!e && acceptor_->is_open()) DoAccept();
      });
      return;
    }
    DoAccept();
  });
}

void Server::Impl::OnAccepted(Worker& w, tcp::socket socket) {
  bool full;
  {
    std::lock_guard<std::mutex> lock(mu_);
    full = static_cast<size_t>(open_) >= max_connections_;
    ++open_;  // The newcomer's place, even while it makes room (Adopt).
  }
  ErrorCode ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  const SocketId id = next_socket_id_.fetch_add(1, std::memory_order_relaxed);
  if (!full && &w == workers_[0].get()) {  // Already on its loop.
    asio::post(w.ioc, [this, &w, s = std::move(socket), id]() mutable {
      StartConnection(w, std::move(s), id);
    });
    return;
  }
  // Another loop's reactor is only ever touched by that loop's thread (the
  // loops run without reactor locking): the descriptor leaves this reactor
  // here and joins the other one there. The same when the table is full:
  // the loop that finds a connection to evict takes the newcomer's place.
  ErrorCode ec;
  const tcp::socket::native_handle_type fd = socket.release(ec);
  if (ec) {
    socket.close(ignored);
    ConnectionClosed();
    return;
  }
  asio::post(w.ioc, [this, i = w.index, fd, id, full] { Adopt(i, fd, id, full, 0); });
}

void Server::Impl::Adopt(size_t i, int fd, SocketId id, bool make_room, size_t tried) {
  Worker& w = *workers_[i];
  if (make_room && !MakeRoom(w)) {
    if (tried + 1 < workers_.size()) {
      const size_t next = (i + 1) % workers_.size();
      asio::post(workers_[next]->ioc, [this, next, fd, id, tried] {
        Adopt(next, fd, id, true, tried + 1);
      });
      return;
    }
    // Every connection is in an exchange the handler holds. Counted before
    // the client can see it.
    Bump(w.counters.rejected);
    ::close(fd);
    ConnectionClosed();
    return;
  }
  tcp::socket s(w.ioc);
  ErrorCode e;
  s.assign(endpoint_.protocol(), fd, e);
  if (e) {
    ::close(fd);
    ConnectionClosed();
    return;
  }
  StartConnection(w, std::move(s), id);
}

bool Server::Impl::MakeRoom(Worker& w) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (static_cast<size_t>(open_) <= max_connections_) return true;  // One left meanwhile.
  }
  Connection* victim = w.evict_head;
  if (victim == nullptr) return false;
  EvictConnection(victim);  // Its ConnectionClosed() frees the place.
  return true;
}

void Server::Impl::StartConnection(Worker& w, tcp::socket socket, SocketId id) {
  if (closing_all_.load(std::memory_order_relaxed)) {
    ErrorCode ignored;
    socket.close(ignored);
    ConnectionClosed();
    return;
  }
  Bump(w.counters.accepted);
  http::StartConnection(this, &w, std::move(socket), id);
}

void Server::Impl::Shutdown(absl::Duration grace) {
  {
    std::lock_guard<std::mutex> lock(lifecycle_mu_);
    if (stopped_) return;
    stopped_ = true;
    if (!started_) {
      ErrorCode ignored;
      acceptor_->close(ignored);
      return;
    }
  }
  shutting_down_.store(true);
  asio::post(workers_[0]->ioc, [this] {
    // What the kernel has accepted already is taken in, to be answered as
    // draining; then the port closes.
    ErrorCode ec;
    acceptor_->non_blocking(true, ec);
    for (int i = 0; i < kMaxBacklogAtShutdown && !ec; ++i) {
      tcp::socket socket = acceptor_->accept(ec);
      if (!ec) OnAccepted(*workers_[next_worker_++ % workers_.size()], std::move(socket));
    }
    ErrorCode ignored;
    acceptor_->close(ignored);
    accept_retry_->cancel();
  });
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->ioc, [worker] {
      const std::vector<Connection*> conns(worker->connections.begin(),
                                           worker->connections.end());
      for (Connection* c : conns) BeginConnectionShutdown(c);
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    open_cv_.wait_for(lock, ToSteady(std::clamp(grace, absl::ZeroDuration(), absl::Hours(24))),
                      [this] { return open_ == 0; });
  }
  closing_all_.store(true);
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->ioc, [worker] {
      const std::vector<Connection*> conns(worker->connections.begin(),
                                           worker->connections.end());
      for (Connection* c : conns) ForceCloseConnection(c);
      // Pending tasks run now (the Scheduler contract of the server).
      worker->scheduler->FireAllForShutdown();
    });
    worker->work.reset();
  }
  for (auto& w : workers_) {
    // A handler that keeps scheduling work would keep the loop alive.
    {
      std::unique_lock<std::mutex> lock(w->stopped_mu);
      if (!w->stopped_cv.wait_for(lock, std::chrono::seconds(2), [&] { return w->stopped; })) {
        w->ioc.stop();
      }
    }
    w->thread.join();
  }
}

ServerStats Server::Impl::Stats() const {
  ServerStats s;
  for (const auto& w : workers_) {
    const Counters& c = w->counters;
    s.connections_accepted += c.accepted.load(std::memory_order_relaxed);
    s.connections_rejected += c.rejected.load(std::memory_order_relaxed);
    s.connections_evicted += c.evicted.load(std::memory_order_relaxed);
    s.requests_parsed += c.requests.load(std::memory_order_relaxed);
    s.responses_written += c.responses.load(std::memory_order_relaxed);
    s.client_aborts += c.client_aborts.load(std::memory_order_relaxed);
    s.faults_closed += c.faults.load(std::memory_order_relaxed);
    s.timeouts += c.timeouts.load(std::memory_order_relaxed);
    s.write_timeouts += c.write_timeouts.load(std::memory_order_relaxed);
    s.tls_handshakes += c.tls_handshakes.load(std::memory_order_relaxed);
    s.tls_handshake_failures += c.tls_handshake_failures.load(std::memory_order_relaxed);
    s.tls_handshake_timeouts += c.tls_handshake_timeouts.load(std::memory_order_relaxed);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.connections_open = static_cast<uint64_t>(open_);
  }
  s.connections_limit = max_connections_;
  s.draining = shutting_down();
  std::lock_guard<std::mutex> lock(errors_mu_);
  s.parse_errors_by_status = errors_by_status_;
  for (const auto& [status, n] : errors_by_status_) s.parse_errors += n;
  return s;
}

// --- Server ---

absl::StatusOr<std::unique_ptr<Server>> Server::Create(ServerOptions options, Handler* handler,
                                                       pimsim::Clock* clock) {
  if (handler == nullptr || clock == nullptr) {
    return absl::InvalidArgumentError("Server::Create needs a handler and a clock");
  }
  if (options.threads < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("threads must be >= 0, got ", options.threads));
  }
  // A client that goes away mid-write must not kill the process. Asio also
  // sends with MSG_NOSIGNAL; this covers everything else in the process.
  ::signal(SIGPIPE, SIG_IGN);
  auto impl = std::make_unique<Impl>(std::move(options), handler, clock);
  if (absl::Status s = impl->Bind(); !s.ok()) return s;
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Shutdown(); }

absl::Status Server::Start() { return impl_->Start(); }

std::string Server::address() const {
  const tcp::endpoint& e = impl_->endpoint();
  if (e.address().is_v6()) return absl::StrCat("[", e.address().to_string(), "]:", e.port());
  return absl::StrCat(e.address().to_string(), ":", e.port());
}

uint16_t Server::port() const { return impl_->endpoint().port(); }

bool Server::tls() const { return impl_->tls_context() != nullptr; }

void Server::Shutdown(absl::Duration grace) { impl_->Shutdown(grace); }

ServerStats Server::stats() const { return impl_->Stats(); }

}  // namespace pimsim::http
