// MockPim as the HTTP server's Handler: each exchange becomes a
// core::Request, answered through a Wire over the exchange.
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "mock_pim/core/request_core.h"
#include "mock_pim/http/ascii_util.h"
#include "mock_pim/http/exchange.h"
#include "mock_pim/mock_pim.h"

namespace pimsim {
namespace {

// Fills in the request headers the core reads, found in one pass (the
// first of a repeated header counts).
void ScanHeaders(const http::HttpRequest& request, core::Request* r) {
  bool have_authorization = false, have_key = false, have_type = false, have_accept = false;
  for (const http::RequestHeader& h : request.headers) {
    const std::string_view name = h.name;
    switch (name.size()) {
      case 6:
        if (!have_accept && http::EqualsIgnoreCase(name, "Accept")) {
          r->accept = h.value;
          have_accept = true;
        }
        break;
      case 12:
        if (!have_type && http::EqualsIgnoreCase(name, "Content-Type")) {
          r->content_type = h.value;
          have_type = true;
        }
        break;
      case 13:
        if (!have_authorization && http::EqualsIgnoreCase(name, "Authorization")) {
          r->authorization = h.value;
          have_authorization = true;
        } else if (!h.value.empty() && http::EqualsIgnoreCase(name, "If-None-Match")) {
          r->conditional = true;
        }
        break;
      case 15:
        if (!have_key && http::EqualsIgnoreCase(name, "Idempotency-Key")) {
          r->idempotency_key = h.value;
          have_key = true;
        }
        break;
      case 17:
        if (!h.value.empty() && http::EqualsIgnoreCase(name, "If-Modified-Since")) {
          r->conditional = true;
        }
        break;
      default:
        break;
    }
  }
}

// The core's answers, written to exchanges: the handle of each request is
// its http::Exchange (which owns the request's bytes the core views).
class HttpWire final : public core::Wire {
 public:
  void Send(const Handle& request, core::Reply&& reply, core::Done&& done) override {
    Of(request).Respond(std::move(reply), std::move(done));
  }

  void Cut(const Handle& request, pimsim::v1::CloseKind kind, std::optional<core::Reply> partial,
           size_t partial_bytes, core::Done done) override {
    const http::CloseMode mode =
        kind == pimsim::v1::CLOSE_KIND_ORDERLY ? http::CloseMode::kOrderly : http::CloseMode::kReset;
    Of(request).Close(mode, std::move(partial), partial_bytes, std::move(done));
  }

  void OnClientGone(const Handle& request, std::function<void()> fn) override {
    Of(request).OnClientGone(std::move(fn));
  }

  std::string Origin(const Handle& request) const override {
    const http::Exchange& exchange = Of(request);
    return http::RequestOrigin(exchange.request(), exchange.secure());
  }

 private:
  static http::Exchange& Of(const Handle& request) {
    return *static_cast<http::Exchange*>(request.get());
  }
};

HttpWire& TheHttpWire() {
  static HttpWire* const wire = new HttpWire();
  return *wire;
}

}  // namespace

void MockPim::Handle(std::shared_ptr<http::Exchange> exchange) {
  const http::HttpRequest& request = exchange->request();
  if (request.path == "/metrics" && request.method == "GET") {
    exchange->Respond(MetricsResponse(), nullptr);
    return;
  }
  core::Request r;
  r.method = request.method;
  r.path = request.path;
  r.query = request.query;
  ScanHeaders(request, &r);
  r.body = request.body;
  r.socket_id = exchange->socket_id();
  r.arrival = exchange->arrival_time();
  r.body_complete = exchange->body_complete_time();
  r.draining = exchange->server_draining();
  Scheduler& scheduler = exchange->scheduler();
  core_.Begin(r, scheduler, TheHttpWire(), std::move(exchange));
}

void MockPim::OnParseError(http::SocketId socket, int status, std::string_view reason,
                           absl::Time when) {
  core_.RecordMalformed(socket, status, when);
}

}  // namespace pimsim
