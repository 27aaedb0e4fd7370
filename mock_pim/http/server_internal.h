// The HTTP server's internals shared by its two halves: the server
// (http_server.cc: binding, accepting, the connection table, drain and
// shutdown) and the connection (connection.cc: one socket's state machine,
// its exchanges, TLS, timeouts). Not an interface: include it from those two
// files only.
//
// Thread-safety: as http_server.h says; a Worker's fields below its thread
// belong to its loop.
#ifndef PIMSIM_MOCK_PIM_HTTP_SERVER_INTERNAL_H_
#define PIMSIM_MOCK_PIM_HTTP_SERVER_INTERNAL_H_

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/ssl/context.hpp"
#include "boost/asio/steady_timer.hpp"
#include "common/clock.h"
#include "common/http_date.h"
#include "common/scheduler.h"
#include "mock_pim/http/exchange.h"
#include "mock_pim/http/http_server.h"

namespace pimsim::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

constexpr size_t kInitialBuffer = 8 * 1024;

inline std::chrono::steady_clock::duration ToSteady(absl::Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(d));
}

// Per-loop counters, each on its own cache line so loops never share one.

struct alignas(64) Counters {
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> evicted{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> responses{0};
  std::atomic<uint64_t> client_aborts{0};
  std::atomic<uint64_t> faults{0};
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> write_timeouts{0};
  std::atomic<uint64_t> tls_handshakes{0};
  std::atomic<uint64_t> tls_handshake_failures{0};
  std::atomic<uint64_t> tls_handshake_timeouts{0};
};

inline void Bump(std::atomic<uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }

class Connection;

// The Scheduler of one loop: each task on its own steady timer, so a task
// costs one timer whatever else is pending, and Cancel cancels that timer.
// A task due now is posted. At shutdown (FireAllForShutdown) every pending
// timer fires at once and its task runs, as the server promises, and so
// does every task scheduled from then on; a task cancelled never runs.
class LoopScheduler final : public Scheduler {
 public:
  LoopScheduler(asio::io_context& ioc, Clock* clock) : ioc_(ioc), clock_(clock) {}

  absl::Time Now() override { return clock_->Now(); }

  TaskId RunAt(absl::Time when, std::function<void()> task) override {
    const TaskId id = next_id_++;
    const absl::Duration delay = when - clock_->Now();
    Pending& p = pending_[id];
    p.task = std::move(task);
    if (delay <= absl::ZeroDuration() || firing_all_) {
      asio::post(ioc_, [this, id] { Run(id); });
      return id;
    }
    p.timer = std::make_unique<asio::steady_timer>(ioc_, ToSteady(delay));
    p.timer->async_wait([this, id](const ErrorCode&) { Run(id); });
    return id;
  }

  // The timer's handler, already queued or not, finds nothing and returns
  // (a queued handler does not need its timer object any more).
  void Cancel(TaskId id) override { pending_.erase(id); }

  void FireAllForShutdown() {
    firing_all_ = true;
    for (auto& [id, p] : pending_) {
      if (p.timer != nullptr) p.timer->cancel();
    }
  }

 private:
  struct Pending {
    std::unique_ptr<asio::steady_timer> timer;  // null when posted
    std::function<void()> task;
  };

  void Run(TaskId id) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;  // Cancelled.
    std::function<void()> task = std::move(it->second.task);
    pending_.erase(it);  // The timer has handed its handler over.
    task();
  }

  asio::io_context& ioc_;
  Clock* const clock_;
  TaskId next_id_ = 1;
  bool firing_all_ = false;
  std::unordered_map<TaskId, Pending> pending_;
};

// One event loop and what lives on it. Fields below `thread` are touched only
// from the loop's own thread.
struct Worker {
  // One thread runs the loop and every socket and timer on it is used from
  // that thread only: other threads post to it, and a socket accepted on
  // another loop comes over as a bare descriptor (Impl::OnAccepted). So the
  // reactor needs no per-socket locking; posting stays safe.
  asio::io_context ioc{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{
      asio::make_work_guard(ioc)};
  std::thread thread;
  // Set when run() returns. Guarded by stopped_mu.
  std::mutex stopped_mu;
  std::condition_variable stopped_cv;
  bool stopped = false;
  Counters counters;

  size_t index = 0;  // In Impl::workers_.
  std::unordered_set<Connection*> connections;
  // The connections a newcomer may evict, least useful first (an intrusive
  // list through Connection): those closing, then by the time of their last
  // answer or accept. A connection whose request the handler holds
  // unanswered is not in it.
  Connection* evict_head = nullptr;
  Connection* evict_tail = nullptr;
  std::optional<LoopScheduler> scheduler;  // Made with the worker's clock.
  int64_t date_second = -1;
  std::string date;

  std::string_view DateFor(absl::Time t) {
    const int64_t s = absl::ToUnixSeconds(t);
    if (s != date_second) {
      date_second = s;
      date = FormatHttpDate(s);
    }
    return date;
  }
};

class Server::Impl {
 public:
  Impl(ServerOptions options, Handler* handler, Clock* clock)
      : options_(std::move(options)), handler_(handler), clock_(clock) {}

  absl::Status Bind();
  absl::Status Start();
  void Shutdown(absl::Duration grace);
  ServerStats Stats() const;

  const ServerOptions& options() const { return options_; }
  Handler* handler() const { return handler_; }
  Clock* clock() const { return clock_; }
  bool shutting_down() const { return shutting_down_.load(std::memory_order_relaxed); }
  size_t max_buffer() const { return max_buffer_; }
  const tcp::endpoint& endpoint() const { return endpoint_; }
  // Null for plain HTTP.
  asio::ssl::context* tls_context() const { return tls_context_.get(); }

  void ConnectionClosed() {
    std::lock_guard<std::mutex> lock(mu_);
    if (--open_ == 0) open_cv_.notify_all();
  }
  void RecordParseError(int status) {
    std::lock_guard<std::mutex> lock(errors_mu_);
    ++errors_by_status_[status];
  }

 private:
  void DoAccept();
  void OnAccepted(Worker& w, tcp::socket socket);
  // On workers_[i]'s loop: starts the accepted descriptor there, first making
  // room when the table was full (trying the next loops if this one has no
  // connection to evict).
  void Adopt(size_t i, int fd, SocketId id, bool make_room, size_t tried);
  // Evicts the least useful connection of `w` if the table is still over
  // max_connections_; false if it is and `w` has none to evict.
  bool MakeRoom(Worker& w);
  void StartConnection(Worker& w, tcp::socket socket, SocketId id);
  absl::Status LoadTls(const TlsOptions& tls);

  const ServerOptions options_;
  Handler* const handler_;
  Clock* const clock_;
  size_t max_buffer_ = 0;
  size_t max_connections_ = 0;  // options_.max_connections, fitted to RLIMIT_NOFILE.
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<tcp::acceptor> acceptor_;  // On workers_[0]'s loop.
  std::unique_ptr<asio::steady_timer> accept_retry_;
  // Shared by every connection's TLS stream (OpenSSL's SSL_CTX is safe to
  // use from several threads once set up).
  std::unique_ptr<asio::ssl::context> tls_context_;
  tcp::endpoint endpoint_;
  size_t next_worker_ = 0;  // Acceptor loop only.
  std::atomic<uint64_t> next_socket_id_{1};
  std::atomic<bool> shutting_down_{false};
  // Shutdown closes everything: a connection still on its way is closed too.
  std::atomic<bool> closing_all_{false};

  // std::mutex rather than absl::Mutex: Debian's Abseil is not built for
  // ThreadSanitizer, which then cannot see its synchronization.
  std::mutex lifecycle_mu_;
  bool started_ = false;  // Guarded by lifecycle_mu_.
  bool stopped_ = false;  // Guarded by lifecycle_mu_.

  mutable std::mutex mu_;
  std::condition_variable open_cv_;
  int64_t open_ = 0;  // Open connections. Guarded by mu_.

  mutable std::mutex errors_mu_;
  std::map<int, uint64_t> errors_by_status_;  // Guarded by errors_mu_.
};

// The connection half (connection.cc), as the server half drives it; each
// runs on the connection's loop.
//
// Serves an accepted socket on `worker`'s loop (over TLS when the server
// serves HTTPS).
void StartConnection(Server::Impl* server, Worker* worker, asio::ip::tcp::socket socket,
                     SocketId id);
// Shutdown has begun: finish what is in progress, then close (see
// http_server.h, Drain).
void BeginConnectionShutdown(Connection* connection);
// Closes at once (the end of Shutdown).
void ForceCloseConnection(Connection* connection);
// Closes at once to make room for a newcomer.
void EvictConnection(Connection* connection);

}  // namespace pimsim::http

#endif  // PIMSIM_MOCK_PIM_HTTP_SERVER_INTERNAL_H_
