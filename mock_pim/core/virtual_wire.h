// VirtualWire: a Wire with no sockets, for running RequestCore on a
// VirtualScheduler (tests, benchmarks, and the model of a client on a
// virtual network). It keeps the request's bytes, records the answer, hands
// it over at once (done at the scheduler's time) and lets the test play a
// client that goes away (GoAway).
//
// Thread-safety: none; one thread, the scheduler's.
//
//   auto call = VirtualCall::Make("GET", "/api/rest/v1/products", scheduler);
//   call->Begin(core);                 // answered now or as the scheduler runs
//   scheduler.RunUntilIdle();          // call->answered(), call->reply()
#ifndef PIMSIM_MOCK_PIM_CORE_VIRTUAL_WIRE_H_
#define PIMSIM_MOCK_PIM_CORE_VIRTUAL_WIRE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/scheduler.h"
#include "mock_pim/core/request_core.h"

namespace pimsim::core {

// One request on the virtual wire and what became of it.
class VirtualCall : public std::enable_shared_from_this<VirtualCall> {
 public:
  static std::shared_ptr<VirtualCall> Make(std::string method, std::string target,
                                           Scheduler& scheduler) {
    auto call = std::shared_ptr<VirtualCall>(new VirtualCall(scheduler));
    call->method_ = std::move(method);
    const size_t q = target.find('?');
    call->path_ = target.substr(0, q);
    call->query_ = q == std::string::npos ? "" : target.substr(q + 1);
    return call;
  }

  // The request's header values and body (before Begin).
  std::string authorization;
  std::string content_type;
  std::string body;
  uint64_t socket_id = 1;

  void Begin(RequestCore& core) {
    Request r;
    r.method = method_;
    r.path = path_;
    r.query = query_;
    r.authorization = authorization;
    r.content_type = content_type;
    r.body = body;
    r.socket_id = socket_id;
    r.arrival = r.body_complete = scheduler_.Now();
    core.Begin(r, scheduler_, TheWire(), shared_from_this());
  }

  // The client gives up: the core hears of it if it holds the request.
  void GoAway() {
    gone_ = true;
    if (on_gone_) std::exchange(on_gone_, nullptr)();
  }

  bool answered() const { return reply_.has_value() || cut_.has_value(); }
  // Journaled (the core's done call ran).
  bool finished() const { return finished_; }
  const std::optional<Reply>& reply() const { return reply_; }
  const std::optional<pimsim::v1::CloseKind>& cut() const { return cut_; }
  absl::Time answered_at() const { return answered_at_; }

 private:
  explicit VirtualCall(Scheduler& scheduler) : scheduler_(scheduler) {}

  // One for every call: the handle is the VirtualCall.
  class WireImpl final : public Wire {
   public:
    void Send(const Handle& request, Reply&& reply, Done&& done) override {
      VirtualCall& call = Of(request);
      call.reply_ = std::move(reply);
      call.Hand(std::move(done));
    }
    void Cut(const Handle& request, pimsim::v1::CloseKind kind, std::optional<Reply> partial,
             size_t, Done done) override {
      VirtualCall& call = Of(request);
      call.cut_ = kind;
      if (partial.has_value()) call.reply_ = std::move(partial);
      call.Hand(std::move(done));
    }
    void OnClientGone(const Handle& request, std::function<void()> fn) override {
      VirtualCall& call = Of(request);
      if (call.gone_) {
        call.scheduler_.RunAt(call.scheduler_.Now(), std::move(fn));
        return;
      }
      call.on_gone_ = std::move(fn);
    }

   private:
    static VirtualCall& Of(const Handle& request) {
      return *static_cast<VirtualCall*>(request.get());
    }
  };

  static WireImpl& TheWire() {
    static WireImpl wire;
    return wire;
  }

  void Hand(Done done) {
    on_gone_ = nullptr;
    answered_at_ = scheduler_.Now();
    finished_ = true;
    done(answered_at_, gone_);
  }

  Scheduler& scheduler_;
  std::string method_;
  std::string path_;
  std::string query_;
  bool gone_ = false;
  bool finished_ = false;
  std::function<void()> on_gone_;
  std::optional<Reply> reply_;
  std::optional<pimsim::v1::CloseKind> cut_;
  absl::Time answered_at_;
};

}  // namespace pimsim::core

#endif  // PIMSIM_MOCK_PIM_CORE_VIRTUAL_WIRE_H_
