// One TCP connection of the HTTP server: see server_internal.h.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "boost/asio/buffer.hpp"
#include "boost/asio/ssl/error.hpp"
#include "boost/asio/ssl/stream.hpp"
#include "boost/asio/write.hpp"
#include "mock_pim/http/http_parser.h"
#include "mock_pim/http/server_internal.h"

namespace pimsim::http {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;
// The TLS layer over a connection's own socket, which stays the lowest
// layer: faults, timeouts and closes act on it directly.
using TlsStream = asio::ssl::stream<tcp::socket&>;

// How long an orderly close waits for the client's FIN while discarding what
// it still sends, so that close() does not turn into a RST that could
// destroy the response in the client's receive buffer.
constexpr std::chrono::seconds kLingerTime(2);
// The same while the server shuts down, so finished exchanges do not hold up
// Shutdown() for long.
constexpr std::chrono::milliseconds kShutdownLingerTime(100);
// Keep buffers of a connection up to this size between requests.
constexpr size_t kKeptBodyCapacity = 1 << 20;

}  // namespace

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server::Impl* server, Worker* worker, tcp::socket socket, SocketId id)
      : server_(server),
        worker_(worker),
        socket_(std::move(socket)),
        id_(id),
        parser_(server->options().limits),
        timer_(worker->ioc) {
    in_.resize(kInitialBuffer);
    if (server->tls_context() != nullptr) {
      tls_ = std::make_unique<TlsStream>(socket_, *server->tls_context());
    }
  }

  bool secure() const { return tls_ != nullptr; }

  void Start() {
    // Direct writes (StartWrite) must not block the loop, nor may the
    // close_notify written by OrderlyClose.
    ErrorCode ignored;
    socket_.non_blocking(true, ignored);
    worker_->connections.insert(this);
    EvictionPushBack();
    if (tls_ != nullptr) {
      SetDeadline(TimerMode::kHandshake, NowPlus(server_->options().tls_handshake_timeout));
      socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](const ErrorCode& ec) {
        self->OnFirstBytes(ec);
      });
      if (server_->shutting_down()) BeginShutdown();
      return;
    }
    SetDeadline(TimerMode::kIdle, NowPlus(idle_timeout()));
    StartRead();
    if (server_->shutting_down()) BeginShutdown();
  }

  asio::io_context& ioc() { return worker_->ioc; }
  // The client reset, or a read or write failed: what it was sent is lost.
  bool peer_gone() const { return peer_gone_.load(std::memory_order_acquire); }
  // The same, or the client sent FIN: it may be waiting still (half-close)
  // or have given up; only a handler holding a request open needs to care.
  bool client_gone() const { return peer_gone() || peer_fin_.load(std::memory_order_acquire); }

  // --- Exchange operations, on the loop. ---

  Scheduler& scheduler() { return *worker_->scheduler; }

  // `exchange` is the Dispatch count of the exchange asking: one answered
  // since (the call was posted) must not set the next one's function.
  void SetGoneCallback(uint64_t exchange, std::function<void()> fn) {
    if (exchange != exchanges_ || !exchange_active_ || answered_) return;
    gone_fn_ = std::move(fn);
    if (client_gone()) NotifyGone();
  }

  // Takes the response's body; reads the rest.
  void Respond(HttpResponse& response, DoneCallback done) {
    done_ = std::move(done);
    answered_ = true;
    gone_fn_ = nullptr;
    if (closed_ || peer_gone()) {
      EndExchange(GoneTime(), /*client_aborted=*/true);
      return;
    }
    EvictionPushBack();  // Useful just now; evictable again.
    const bool keep_alive = request_keep_alive_ && !response.close && !close_after_write_ &&
                            !server_->shutting_down();
    if (!keep_alive) close_after_write_ = true;
    ResponseFraming framing;
    framing.keep_alive = keep_alive;
    framing.request_version_minor = request_version_minor_;
    framing.date = worker_->DateFor(server_->clock()->Now());
    OutMsg& m = NewOut(WriteKind::kResponse);
    SerializeResponseHead(response, framing, &m.head);
    if (request_is_head_) {
      // No body.
    } else if (!response.constant_body.empty()) {
      m.constant_body = response.constant_body;
    } else {
      m.body = std::move(response.body);
    }
    StartWrite();
  }

  void Close(CloseMode mode, std::optional<HttpResponse> partial, size_t partial_bytes,
             DoneCallback done) {
    done_ = std::move(done);
    answered_ = true;
    gone_fn_ = nullptr;
    Bump(worker_->counters.faults);
    if (closed_) {
      EndExchange(GoneTime(), true);
      return;
    }
    EvictionPushFront();  // Closing anyway.
    close_after_write_ = true;
    // A fault's orderly close is a bare FIN over TLS too: the connection is
    // cut, not ended by the server's choice.
    close_notify_ = false;
    if (partial.has_value() && !peer_gone()) {
      ResponseFraming framing;
      framing.keep_alive = request_keep_alive_;
      framing.request_version_minor = request_version_minor_;
      framing.date = worker_->DateFor(server_->clock()->Now());
      OutMsg& m = NewOut(WriteKind::kFault);
      SerializeResponseHead(*partial, framing, &m.head);
      if (!request_is_head_) {
        const std::string_view body = partial->payload();
        m.head.append(body.data(), std::min(partial_bytes, body.size()));
      }
      fault_mode_ = mode;
      StartWrite();
      return;
    }
    // Closed unanswered after the client's FIN: the client stopped first.
    const bool aborted = client_gone();
    const absl::Time t = aborted ? std::max(GoneTime(), arrival_) : server_->clock()->Now();
    DoneCallback finish = TakeExchange(aborted);
    if (mode == CloseMode::kReset) {
      ResetClose();
    } else {
      OrderlyClose();
    }
    if (finish) finish(t, aborted);
  }

  // Takes back the request of an exchange that has ended, so that its
  // buffers are reused for the next one (see Dispatch).
  void RecycleRequest(std::unique_ptr<HttpRequest> request) {
    if (request->body.capacity() > kKeptBodyCapacity) std::string().swap(request->body);
    spare_request_ = std::move(request);
  }

  // The handler dropped its Exchange without answering it.
  void OnExchangeAbandoned() {
    if (!exchange_active_ || answered_) return;
    answered_ = true;
    gone_fn_ = nullptr;
    exchange_active_ = false;  // No done callback: it was never answered.
    ResetClose();
  }

  // --- Shutdown and eviction, on the loop. ---

  void BeginShutdown() {
    if (closed_) return;
    if (lingering_) {
      SetDeadline(TimerMode::kLinger, Now() + kShutdownLingerTime);
      return;
    }
    if (exchange_active_ || writing_) {
      close_after_write_ = true;  // Finish the exchange, then close.
      return;
    }
    // Quiet: closed after drain_quiet_time (the idle timer), unless a request
    // arrives first, which is then answered (the handler sees it draining).
    // A request under way gets its own deadlines, within the grace.
    if (!request_started_) {
      SetDeadline(TimerMode::kIdle, NowPlus(server_->options().drain_quiet_time));
    }
  }

  void ForceClose() {
    if (closed_) return;
    CloseSocket();
  }

  // Closes the socket at once to make room for a newcomer.
  void Evict() {
    Bump(worker_->counters.evicted);
    CloseSocket();
  }

 private:
  enum class TimerMode { kNone, kHandshake, kIdle, kHeader, kBody, kWrite, kLinger };
  enum class WriteKind { kInterim, kResponse, kFault, kErrorReply };
  struct OutMsg {
    std::string head;
    std::string body;
    std::string_view constant_body;  // Sent instead of body when not empty.
    WriteKind kind = WriteKind::kResponse;

    std::string_view payload() const { return constant_body.empty() ? body : constant_body; }
  };

  absl::Duration idle_timeout() const { return server_->options().idle_timeout; }
  static SteadyTime Now() { return std::chrono::steady_clock::now(); }
  static SteadyTime NowPlus(absl::Duration d) { return Now() + ToSteady(d); }

  // The client went while the handler holds its request: tell the handler
  // (posted: it answers through this connection, whose state is changing).
  void NotifyGone() {
    if (!exchange_active_ || answered_ || !gone_fn_) return;
    asio::post(worker_->ioc, std::move(gone_fn_));
    gone_fn_ = nullptr;
  }

  absl::Time GoneTime() const {
    return gone_time_ == absl::InfinitePast() ? server_->clock()->Now() : gone_time_;
  }

  // --- The TLS handshake. ---

  // The client's first bytes, peeked: a TLS handshake record starts with
  // 0x16; a letter is a plain HTTP request sent to the HTTPS port, which is
  // answered in plain HTTP, as nginx does, so that its client learns why
  // (a 400 naming https://, Connection: close), and counted as a failed
  // handshake; anything else fails the handshake as OpenSSL sees it.
  void OnFirstBytes(const ErrorCode& ec) {
    if (closed_) return;
    unsigned char first = 0;
    ErrorCode peek_ec;
    const size_t n = ec ? 0
                        : socket_.receive(asio::buffer(&first, 1),
                                          tcp::socket::message_peek, peek_ec);
    if (ec || peek_ec || n == 0) {  // Gone before a byte (or the wait failed).
      Bump(worker_->counters.tls_handshake_failures);
      CloseSocket();
      return;
    }
    if (first >= 'A' && first <= 'Z') {
      Bump(worker_->counters.tls_handshake_failures);
      RefusePlainHttp();
      return;
    }
    tls_->async_handshake(TlsStream::server, [self = shared_from_this()](const ErrorCode& e) {
      self->OnHandshake(e);
    });
  }

  // Answers 400 on the bare socket (small enough for the kernel to take at
  // once on a fresh connection), then closes as OrderlyClose does: FIN,
  // then the client's bytes discarded until its own FIN or kLingerTime.
  void RefusePlainHttp() {
    const HttpResponse r = JsonErrorResponse(
        400, "The plain HTTP request was sent to the HTTPS port: use https://");
    ResponseFraming framing;
    framing.keep_alive = false;
    framing.date = worker_->DateFor(server_->clock()->Now());
    std::string reply;
    SerializeResponseHead(r, framing, &reply);
    reply.append(r.payload());
    ErrorCode ignored;
    socket_.write_some(asio::buffer(reply), ignored);
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    lingering_ = true;
    EvictionPushFront();
    SetDeadline(TimerMode::kLinger, Now() + kLingerTime);
    DiscardPlainInput();
  }

  void DiscardPlainInput() {
    socket_.async_read_some(asio::buffer(in_),
                            [self = shared_from_this()](const ErrorCode& ec, size_t) {
                              if (self->closed_) return;
                              if (ec) {
                                self->CloseSocket();
                                return;
                              }
                              self->DiscardPlainInput();
                            });
  }

  void OnHandshake(const ErrorCode& ec) {
    if (closed_) return;  // Timed out, evicted or shut down meanwhile.
    if (ec) {
      Bump(worker_->counters.tls_handshake_failures);
      CloseSocket();
      return;
    }
    Bump(worker_->counters.tls_handshakes);
    handshake_done_ = true;
    SetDeadline(TimerMode::kIdle, NowPlus(idle_timeout()));
    StartRead();
    if (server_->shutting_down()) BeginShutdown();
  }

  // --- Reading and parsing. ---

  // Reads through the TLS stream when there is one, else from the socket.
  template <typename Handler>
  void AsyncReadSome(asio::mutable_buffer buffer, Handler&& handler) {
    if (tls_ != nullptr) {
      tls_->async_read_some(buffer, std::forward<Handler>(handler));
    } else {
      socket_.async_read_some(buffer, std::forward<Handler>(handler));
    }
  }

  template <typename Buffers, typename Handler>
  void AsyncWrite(const Buffers& buffers, Handler&& handler) {
    if (tls_ != nullptr) {
      asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
    } else {
      asio::async_write(socket_, buffers, std::forward<Handler>(handler));
    }
  }

  void StartRead() {
    if (reading_ || closed_ || peer_closed_) return;
    if (in_begin_ == in_end_) {
      in_begin_ = in_end_ = 0;
    } else if (in_begin_ > 0 && in_.size() - in_end_ < 2048) {
      std::memmove(in_.data(), in_.data() + in_begin_, in_end_ - in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
    }
    if (in_end_ == in_.size()) {
      if (in_.size() >= server_->max_buffer()) return;  // Paused until consumed.
      in_.resize(std::min(in_.size() * 2, server_->max_buffer()));
    }
    reading_ = true;
    AsyncReadSome(
        asio::buffer(in_.data() + in_end_, in_.size() - in_end_),
        [self = shared_from_this()](const ErrorCode& ec, size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(const ErrorCode& ec, size_t n) {
    reading_ = false;
    if (closed_) return;
    // Over TLS the client's close_notify reads as eof, and a FIN without
    // one as stream_truncated: either way it has stopped sending.
    if ((ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) && !lingering_) {
      OnFin();
      return;
    }
    if (ec) {
      peer_closed_ = true;
      if (!lingering_ && (exchange_active_ || writing_)) {
        gone_time_ = server_->clock()->Now();
        peer_gone_.store(true, std::memory_order_release);
      }
      CloseSocket();
      NotifyGone();
      return;
    }
    if (lingering_) {
      in_begin_ = in_end_ = 0;  // Discard until the client's FIN.
      StartRead();
      return;
    }
    in_end_ += n;
    if (!exchange_active_ && !close_after_write_) ProcessBuffer();
    StartRead();
  }

  // The client half-closed: it sends nothing more but may still read, as
  // HTTP/1.1 allows. The requests it sent in full are answered as usual, one
  // at a time; once none is left the connection closes (ProcessBuffer).
  void OnFin() {
    peer_closed_ = true;
    gone_time_ = server_->clock()->Now();
    peer_fin_.store(true, std::memory_order_release);
    if (exchange_active_) {  // Its response is written first.
      NotifyGone();
      return;
    }
    if (close_after_write_) {
      OrderlyClose();
      return;
    }
    ProcessBuffer();
  }

  void ProcessBuffer() {
    while (!closed_ && !exchange_active_ && !close_after_write_) {
      const RequestParser::State before = parser_.state();
      const size_t n =
          parser_.Feed(std::string_view(in_.data() + in_begin_, in_end_ - in_begin_));
      in_begin_ += n;
      switch (parser_.state()) {
        case RequestParser::State::kError:
          ReplyError(parser_.error_status(), parser_.error_reason());
          return;
        case RequestParser::State::kHead:
          if (n > 0) continue;  // Skipped empty lines.
          if (peer_closed_) {  // No other request will complete.
            OrderlyClose();
            return;
          }
          if (in_begin_ != in_end_ && !request_started_) {
            request_started_ = true;
            SetDeadline(TimerMode::kHeader, NowPlus(server_->options().header_timeout));
          }
          return;
        case RequestParser::State::kBody:
          if (before == RequestParser::State::kHead) {
            request_started_ = true;
            arrival_ = server_->clock()->Now();
            body_deadline_ = NowPlus(server_->options().body_timeout);
            const HttpRequest& r = parser_.request();
            if (r.expect_continue && r.version_minor == 1) {
              NewOut(WriteKind::kInterim).head.assign("HTTP/1.1 100 Continue\r\n\r\n");
              StartWrite();
            }
          }
          // No stall longer than idle_timeout, and the whole body in time.
          SetDeadline(TimerMode::kBody, std::min(NowPlus(idle_timeout()), body_deadline_));
          if (n > 0 && in_begin_ != in_end_) continue;
          if (peer_closed_) OrderlyClose();  // The body will never complete.
          return;
        case RequestParser::State::kComplete: {
          const absl::Time now = server_->clock()->Now();
          if (before == RequestParser::State::kHead) arrival_ = now;
          Dispatch(now);
          return;
        }
      }
    }
  }

  void Dispatch(absl::Time body_complete);

  // --- Writing. ---

  OutMsg& NewOut(WriteKind kind) {
    OutMsg& m = out_[(out_first_ + out_count_) % out_.size()];
    ++out_count_;
    m.head.clear();
    m.body.clear();
    m.constant_body = {};
    m.kind = kind;
    return m;
  }

  // Writes the first queued message. Over plain TCP the kernel usually takes
  // a whole response at once: it is offered it directly, and only what it
  // does not take is left to an asynchronous write. A completion reached
  // that way runs OnWritten before StartWrite returns; the messages it
  // queues in turn (a pipelined request's answer) go through the
  // asynchronous path, so the stack does not grow with the pipeline. Over
  // TLS every write is asynchronous: a synchronous SSL write on a
  // non-blocking socket could encrypt more than the kernel takes and lose
  // the rest.
  void StartWrite() {
    if (writing_ || out_count_ == 0 || closed_) return;
    writing_ = true;
    OutMsg& m = out_[out_first_];
    const std::string_view body = m.payload();
    std::array<asio::const_buffer, 2> bufs = {asio::buffer(m.head),
                                              asio::buffer(body.data(), body.size())};
    // Read before the write that may complete the message, so a client that
    // reacts to the response always arrives after this time.
    handed_over_ = server_->clock()->Now();
    if (!in_direct_write_ && tls_ == nullptr) {
      ErrorCode ec;
      const size_t n = socket_.write_some(bufs, ec);
      if (ec != asio::error::would_block && ec != asio::error::try_again &&
          (ec || n == m.head.size() + body.size())) {
        in_direct_write_ = true;
        OnWritten(ec);
        in_direct_write_ = false;
        return;
      }
      if (!ec) {
        // Partly taken: the rest goes asynchronously.
        const size_t from_head = std::min(n, m.head.size());
        bufs[0] = asio::buffer(m.head.data() + from_head, m.head.size() - from_head);
        bufs[1] = asio::buffer(body.data() + (n - from_head), body.size() - (n - from_head));
        handed_over_ = server_->clock()->Now();
      }
    }
    // A client that does not read its response is not waited for longer
    // than it may stay idle (the interim 100 is always small).
    if (m.kind != WriteKind::kInterim) SetDeadline(TimerMode::kWrite, NowPlus(idle_timeout()));
    AsyncWrite(bufs, [self = shared_from_this()](const ErrorCode& ec, size_t) {
      self->OnWritten(ec);
    });
  }

  void OnWritten(const ErrorCode& ec) {
    writing_ = false;
    OutMsg& m = out_[out_first_];
    const WriteKind kind = m.kind;
    if (m.body.capacity() > kKeptBodyCapacity) std::string().swap(m.body);
    out_first_ = (out_first_ + 1) % out_.size();
    --out_count_;
    if (closed_) return;  // CloseSocket already ended the exchange.
    if (ec) {
      if (!peer_gone()) {
        gone_time_ = server_->clock()->Now();
        peer_gone_.store(true, std::memory_order_release);
      }
      CloseSocket();
      return;
    }
    switch (kind) {
      case WriteKind::kInterim:
        break;
      case WriteKind::kResponse:
        Bump(worker_->counters.responses);
        EndExchange(handed_over_, false);
        if (close_after_write_) {
          OrderlyClose();
          return;
        }
        request_started_ = false;
        SetDeadline(TimerMode::kIdle, NowPlus(idle_timeout()));
        ProcessBuffer();
        StartRead();
        break;
      case WriteKind::kFault:
        EndExchange(handed_over_, false);
        if (fault_mode_ == CloseMode::kReset) {
          ResetClose();
        } else {
          OrderlyClose();
        }
        return;
      case WriteKind::kErrorReply:
        OrderlyClose();
        return;
    }
    StartWrite();
    // An orderly close requested while an interim 100 was being written.
    if (!writing_ && close_after_write_ && !exchange_active_) OrderlyClose();
  }

  void ReplyError(int status, std::string_view reason) {
    server_->RecordParseError(status);
    if (status == 408) Bump(worker_->counters.timeouts);
    server_->handler()->OnParseError(id_, status, reason, server_->clock()->Now());
    if (closed_) return;
    close_after_write_ = true;
    ResponseFraming framing;
    framing.keep_alive = false;
    framing.date = worker_->DateFor(server_->clock()->Now());
    OutMsg& m = NewOut(WriteKind::kErrorReply);
    const HttpResponse r = JsonErrorResponse(status, reason);
    SerializeResponseHead(r, framing, &m.head);
    m.head.append(r.payload());
    SetDeadline(TimerMode::kNone, {});
    StartWrite();
  }

  // --- Ending exchanges and connections. ---

  // Ends the current exchange and returns its done callback, for the caller
  // to run once the connection is in its final state.
  DoneCallback TakeExchange(bool client_aborted) {
    if (!exchange_active_) return nullptr;
    exchange_active_ = false;
    if (client_aborted) Bump(worker_->counters.client_aborts);
    DoneCallback done = std::move(done_);
    done_ = nullptr;
    return done;
  }

  void EndExchange(absl::Time t, bool client_aborted) {
    DoneCallback done = TakeExchange(client_aborted);
    if (done) done(t, client_aborted);
  }

  // FIN now; close once the client has closed too (or after kLingerTime).
  // Over TLS the FIN follows a close_notify unless a fault closes
  // (close_notify_); before the handshake is done there is no session to
  // end, and the socket just closes.
  void OrderlyClose() {
    if (closed_ || lingering_) return;
    close_after_write_ = true;
    if (writing_) return;  // OnWritten comes back here.
    if (tls_ != nullptr && !handshake_done_) {
      CloseSocket();
      return;
    }
    lingering_ = true;
    if (!exchange_active_ || answered_) EvictionPushFront();  // The first to go.
    in_begin_ = in_end_ = 0;  // Unread input is dropped; a full buffer must not stop reads.
    ErrorCode ignored;
    if (tls_ != nullptr && close_notify_) {
      // The socket is non-blocking: this writes close_notify, and its wait
      // for the client's ends at once (would_block). The reads below see
      // the client's close_notify, or its FIN, like any other input.
      tls_->shutdown(ignored);
    }
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    if (peer_closed_) {
      CloseSocket();
      return;
    }
    SetDeadline(TimerMode::kLinger,
                Now() + (server_->shutting_down() ? kShutdownLingerTime : kLingerTime));
    StartRead();
  }

  void ResetClose() {
    if (closed_) return;
    ErrorCode ignored;
    socket_.set_option(asio::socket_base::linger(true, 0), ignored);
    CloseSocket();
  }

  void CloseSocket() {
    if (closed_) return;
    closed_ = true;
    ErrorCode ignored;
    timer_.cancel();
    socket_.close(ignored);
    worker_->connections.erase(this);
    EvictionUnlink();
    server_->ConnectionClosed();
    // An answered exchange whose write never completed ends here; an
    // unanswered one ends when the handler answers (client_gone is set).
    if (exchange_active_ && answered_) {
      if (!peer_gone()) {
        gone_time_ = server_->clock()->Now();
        peer_gone_.store(true, std::memory_order_release);
      }
      EndExchange(gone_time_, true);
    } else if (exchange_active_ && !peer_gone()) {
      gone_time_ = server_->clock()->Now();
      peer_gone_.store(true, std::memory_order_release);
    }
    NotifyGone();
  }

  // --- The loop's eviction order (Worker::evict_head): O(1) moves. ---

  void EvictionUnlink() {
    if (!in_eviction_list_) return;
    (evict_prev_ != nullptr ? evict_prev_->evict_next_ : worker_->evict_head) = evict_next_;
    (evict_next_ != nullptr ? evict_next_->evict_prev_ : worker_->evict_tail) = evict_prev_;
    evict_prev_ = evict_next_ = nullptr;
    in_eviction_list_ = false;
  }

  void EvictionPushBack() {
    EvictionUnlink();
    evict_prev_ = worker_->evict_tail;
    (evict_prev_ != nullptr ? evict_prev_->evict_next_ : worker_->evict_head) = this;
    worker_->evict_tail = this;
    in_eviction_list_ = true;
  }

  void EvictionPushFront() {
    EvictionUnlink();
    evict_next_ = worker_->evict_head;
    (evict_next_ != nullptr ? evict_next_->evict_prev_ : worker_->evict_tail) = this;
    worker_->evict_head = this;
    in_eviction_list_ = true;
  }

  // --- Timeouts: one timer, re-armed lazily so a request costs no timer
  // operation unless its deadline moves earlier. ---

  void SetDeadline(TimerMode mode, SteadyTime deadline) {
    timer_mode_ = mode;
    deadline_ = deadline;
    if (mode == TimerMode::kNone || closed_) return;
    if (timer_armed_ && armed_at_ <= deadline) return;
    Arm(deadline);
  }

  void Arm(SteadyTime at) {
    timer_armed_ = true;
    armed_at_ = at;
    const uint64_t gen = ++timer_gen_;
    timer_.expires_at(at);
    timer_.async_wait([self = shared_from_this(), gen](const ErrorCode& ec) {
      self->OnTimer(gen, ec);
    });
  }

  void OnTimer(uint64_t gen, const ErrorCode& ec) {
    if (gen != timer_gen_ || closed_ || ec == asio::error::operation_aborted) return;
    timer_armed_ = false;
    if (timer_mode_ == TimerMode::kNone) return;
    if (Now() < deadline_) {
      Arm(deadline_);
      return;
    }
    switch (timer_mode_) {
      case TimerMode::kNone:
        break;
      case TimerMode::kHandshake:
        Bump(worker_->counters.tls_handshake_timeouts);
        CloseSocket();
        break;
      case TimerMode::kIdle:
        OrderlyClose();
        break;
      case TimerMode::kHeader:
        ReplyError(408, "request header timeout");
        break;
      case TimerMode::kBody:
        ReplyError(408, "request body timeout");
        break;
      case TimerMode::kWrite:
        // The response is lost: the exchange ends as aborted by the client.
        if (!peer_gone()) {
          gone_time_ = server_->clock()->Now();
          peer_gone_.store(true, std::memory_order_release);
        }
        Bump(worker_->counters.write_timeouts);
        CloseSocket();
        break;
      case TimerMode::kLinger:
        CloseSocket();
        break;
    }
  }

  Server::Impl* const server_;
  Worker* const worker_;
  tcp::socket socket_;
  // Over socket_, for HTTPS; null for plain HTTP.
  std::unique_ptr<TlsStream> tls_;
  bool handshake_done_ = false;
  // OrderlyClose sends TLS close_notify (false once a fault closes).
  bool close_notify_ = true;
  const SocketId id_;
  RequestParser parser_;
  // The request of the last ended exchange, which the parser takes up again
  // (cleared) for the next one: its string and header capacity is reused.
  std::unique_ptr<HttpRequest> spare_request_;

  std::vector<char> in_;
  size_t in_begin_ = 0;
  size_t in_end_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool in_direct_write_ = false;  // OnWritten runs from StartWrite's direct write.
  bool request_started_ = false;   // Bytes of the next request arrived.
  bool peer_closed_ = false;       // Read saw EOF or an error: no more input.
  bool lingering_ = false;         // FIN sent; waiting for the client's.
  bool closed_ = false;            // Socket closed.
  bool close_after_write_ = false; // No more requests on this connection.

  // The current exchange.
  bool exchange_active_ = false;
  bool answered_ = false;  // Respond or Close was called.
  bool request_keep_alive_ = true;
  bool request_is_head_ = false;
  int request_version_minor_ = 1;
  absl::Time arrival_;
  std::atomic<bool> peer_gone_{false};
  std::atomic<bool> peer_fin_{false};  // Read saw EOF (before our own FIN).
  absl::Time gone_time_ = absl::InfinitePast();
  DoneCallback done_;
  // Exchange::OnClientGone's function, while the exchange is unanswered.
  std::function<void()> gone_fn_;
  uint64_t exchanges_ = 0;  // Dispatched so far.
  CloseMode fault_mode_ = CloseMode::kOrderly;
  // Clock time just before the write that handed over the rest of the
  // current message (see StartWrite).
  absl::Time handed_over_;

  // Outgoing messages: at most an interim 100, a response and nothing else
  // can be queued at once.
  std::array<OutMsg, 4> out_;
  size_t out_first_ = 0;
  size_t out_count_ = 0;

  // The current request's body must be complete by then.
  SteadyTime body_deadline_;

  // Neighbours in the loop's eviction order.
  Connection* evict_prev_ = nullptr;
  Connection* evict_next_ = nullptr;
  bool in_eviction_list_ = false;

  asio::steady_timer timer_;
  TimerMode timer_mode_ = TimerMode::kNone;
  SteadyTime deadline_;
  SteadyTime armed_at_;
  bool timer_armed_ = false;
  uint64_t timer_gen_ = 0;

  friend class ExchangeImpl;
};

class ExchangeImpl final : public Exchange {
 public:
  ExchangeImpl(std::shared_ptr<Connection> conn, std::unique_ptr<HttpRequest> request,
               SocketId id, absl::Time arrival, absl::Time body_complete, bool draining,
               uint64_t seq)
      : seq_(seq),
        conn_(std::move(conn)),
        request_(std::move(request)),
        id_(id),
        arrival_(arrival),
        body_complete_(body_complete),
        draining_(draining) {}

  ~ExchangeImpl() override {
    asio::io_context& ioc = conn_->ioc();
    if (!answered_.load(std::memory_order_acquire)) {
      asio::post(ioc, [c = std::move(conn_)] { c->OnExchangeAbandoned(); });
      return;
    }
    // The request's buffers serve the connection's next request.
    if (OnLoop()) conn_->RecycleRequest(std::move(request_));
  }

  const HttpRequest& request() const override { return *request_; }
  HttpRequest& mutable_request() override { return *request_; }
  SocketId socket_id() const override { return id_; }
  absl::Time arrival_time() const override { return arrival_; }
  absl::Time body_complete_time() const override { return body_complete_; }
  bool client_gone() const override { return conn_->client_gone(); }
  bool server_draining() const override { return draining_; }
  bool secure() const override { return conn_->secure(); }

  Scheduler& scheduler() override { return conn_->scheduler(); }

  // Each operation runs at once when called on the connection's loop (the
  // usual case: handlers run there), else is posted to it.
  void OnClientGone(std::function<void()> fn) override {
    if (OnLoop()) {
      conn_->SetGoneCallback(seq_, std::move(fn));
      return;
    }
    asio::post(conn_->ioc(), [c = conn_, seq = seq_, fn = std::move(fn)]() mutable {
      c->SetGoneCallback(seq, std::move(fn));
    });
  }

  void Respond(HttpResponse response, DoneCallback done) override {
    if (answered_.exchange(true, std::memory_order_acq_rel)) return;  // Already answered.
    if (OnLoop()) {
      conn_->Respond(response, std::move(done));
      return;
    }
    asio::post(conn_->ioc(), [c = conn_, r = std::move(response), d = std::move(done)]() mutable {
      c->Respond(r, std::move(d));
    });
  }

  void Close(CloseMode mode, std::optional<HttpResponse> partial, size_t partial_bytes,
             DoneCallback done) override {
    if (answered_.exchange(true, std::memory_order_acq_rel)) return;
    if (OnLoop()) {
      conn_->Close(mode, std::move(partial), partial_bytes, std::move(done));
      return;
    }
    asio::post(conn_->ioc(), [c = conn_, mode, p = std::move(partial), partial_bytes,
                              d = std::move(done)]() mutable {
      c->Close(mode, std::move(p), partial_bytes, std::move(d));
    });
  }

 private:
  bool OnLoop() const { return conn_->ioc().get_executor().running_in_this_thread(); }

  const uint64_t seq_;  // Connection::exchanges_ when dispatched.
  std::shared_ptr<Connection> conn_;
  std::unique_ptr<HttpRequest> request_;  // Never null.
  const SocketId id_;
  const absl::Time arrival_;
  const absl::Time body_complete_;
  const bool draining_;
  std::atomic<bool> answered_{false};
};

void Connection::Dispatch(absl::Time body_complete) {
  const HttpRequest& r = parser_.request();
  exchange_active_ = true;
  answered_ = false;
  gone_fn_ = nullptr;
  ++exchanges_;
  request_keep_alive_ = r.keep_alive;
  request_is_head_ = r.method == "HEAD";
  request_version_minor_ = r.version_minor;
  request_started_ = false;
  SetDeadline(TimerMode::kNone, {});
  EvictionUnlink();  // Held by the handler: never evicted.
  Bump(worker_->counters.requests);
  // The parser goes on with the request of the last ended exchange.
  auto exchange = std::make_shared<ExchangeImpl>(
      shared_from_this(), parser_.TakeRequest(std::move(spare_request_)), id_, arrival_,
      body_complete, server_->shutting_down(), exchanges_);
  server_->handler()->Handle(std::move(exchange));
}

// max_connections, fitted to the descriptors the process may open: the soft
// RLIMIT_NOFILE is raised towards what they need (up to the hard limit), and
// what it still lacks lowers the limit, so that the table fills (and evicts)
// before accept() runs out of descriptors.

void StartConnection(Server::Impl* server, Worker* worker, tcp::socket socket, SocketId id) {
  std::make_shared<Connection>(server, worker, std::move(socket), id)->Start();
}

void BeginConnectionShutdown(Connection* connection) { connection->BeginShutdown(); }
void ForceCloseConnection(Connection* connection) { connection->ForceClose(); }
void EvictConnection(Connection* connection) { connection->Evict(); }

}  // namespace pimsim::http
