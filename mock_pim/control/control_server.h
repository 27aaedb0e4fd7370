// ControlServer: the gRPC server that serves ControlService (and server
// reflection, so grpcurl-style tools can list and call PimControl) for one
// MockPim, on its own port, apart from the Akeneo HTTP API.
//
// A control plane reachable from other machines must be protected: Start()
// refuses a non-loopback host (anything but 127.0.0.0/8, ::1 and localhost)
// unless a token is set, and with a token every call must carry
// "authorization: Bearer <token>" (server reflection too: a call of any
// other service without it is cancelled before it is served). The traffic
// itself is plain HTTP/2. The server runs at most kMaxControlThreads threads;
// calls beyond them are refused with RESOURCE_EXHAUSTED.
//
// Thread-safety: address() and port() are constant; Shutdown() may be called
// from any thread, more than once.
//
//   auto server = ControlServer::Start({.host = "127.0.0.1", .port = 0}, pim);
//   std::cout << "control=" << (*server)->address();
//   (*server)->Shutdown();
#ifndef PIMSIM_MOCK_PIM_CONTROL_CONTROL_SERVER_H_
#define PIMSIM_MOCK_PIM_CONTROL_CONTROL_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mock_pim/control/control_service.h"
#include "mock_pim/mock_pim.h"

namespace pimsim::control {

// Threads the control server may run at once (each call, streams included,
// holds one while it is served).
inline constexpr int kMaxControlThreads = 48;

struct ControlServerOptions {
  // An IPv4 or IPv6 address (no brackets) or "localhost" (bound as
  // 127.0.0.1).
  std::string host = "127.0.0.1";
  // 0 picks a free port; address() tells which.
  uint16_t port = 0;
  // Bearer token every call must carry; required when `host` is not
  // loopback. Empty: calls are not authenticated.
  std::string token;
  // How long Shutdown() lets unary calls in flight finish (they take
  // milliseconds). It is also how long an idle client connection that does
  // not act on the server's GOAWAY (an idle Python channel does not poll)
  // can hold Shutdown(), so it is short.
  absl::Duration shutdown_grace = absl::Milliseconds(500);
};

// True for 127.0.0.0/8, ::1 (with or without brackets) and "localhost".
bool IsLoopbackHost(std::string_view host);

class ControlServer {
 public:
  // Binds and starts serving. `pim` must outlive the server. Errors:
  // INVALID_ARGUMENT for a non-loopback host without a token, UNAVAILABLE
  // when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<ControlServer>> Start(const ControlServerOptions& options,
                                                              MockPim* pim);
  // Shuts down if still serving.
  ~ControlServer();

  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // "HOST:PORT" actually bound, e.g. "127.0.0.1:40123" or "[::1]:40123".
  const std::string& address() const { return address_; }
  uint16_t port() const { return port_; }

  // Ends WatchJournal streams, lets unary calls finish (up to
  // shutdown_grace), and stops the server. Idempotent.
  void Shutdown();

 private:
  ControlServer(std::unique_ptr<ControlService> service, absl::Duration shutdown_grace);

  std::unique_ptr<ControlService> service_;
  std::unique_ptr<grpc::Server> server_;
  const absl::Duration shutdown_grace_;
  std::string address_;
  uint16_t port_ = 0;
  std::once_flag shutdown_once_;
};

}  // namespace pimsim::control

#endif  // PIMSIM_MOCK_PIM_CONTROL_CONTROL_SERVER_H_
