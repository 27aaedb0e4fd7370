#include "mock_pim/control/control_server.h"

#include <arpa/inet.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/support/server_interceptor.h>

#include <chrono>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace pimsim::control {
namespace {

std::string_view StripBrackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

// Cancels, before it is served, a call of a service other than PimControl
// (server reflection) that lacks the token; PimControl's methods answer
// UNAUTHENTICATED themselves (ControlService::Authorize).
class TokenInterceptor final : public grpc::experimental::Interceptor {
 public:
  TokenInterceptor(grpc::experimental::ServerRpcInfo* info, std::string expected)
      : info_(info), expected_(std::move(expected)) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      bool authorized = false;
      const auto* metadata = methods->GetRecvInitialMetadata();
      for (auto [it, end] = metadata->equal_range("authorization"); it != end; ++it) {
        if (std::string_view(it->second.data(), it->second.size()) == expected_) authorized = true;
      }
      if (!authorized) info_->server_context()->TryCancel();
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  const std::string expected_;
};

class TokenInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit TokenInterceptorFactory(std::string token)
      : expected_(absl::StrCat("Bearer ", token)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    if (absl::StartsWith(info->method(), "/pimsim.v1.PimControl/")) return nullptr;
    return new TokenInterceptor(info, expected_);
  }

 private:
  const std::string expected_;
};

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  host = StripBrackets(host);
  if (absl::EqualsIgnoreCase(absl::string_view(host.data(), host.size()), "localhost")) {
    return true;
  }
  const std::string text(host);
  in_addr v4;
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

absl::StatusOr<std::unique_ptr<ControlServer>> ControlServer::Start(
    const ControlServerOptions& options, MockPim* pim) {
  std::string host(StripBrackets(options.host));
  if (host.empty()) {
    return absl::InvalidArgumentError("--control: the host is empty (use e.g. 127.0.0.1:0)");
  }
  if (!IsLoopbackHost(host) && options.token.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--control on a non-loopback address needs --control_token (host \"", host, "\")"));
  }
  // gRPC would bind every address "localhost" resolves to, each on its own
  // port when the port is 0; one address keeps address() truthful.
  if (absl::EqualsIgnoreCase(host, "localhost")) host = "127.0.0.1";
  const std::string host_text = absl::StrContains(host, ':') ? absl::StrCat("[", host, "]") : host;

  ControlServiceOptions service_options;
  service_options.token = options.token;
  std::unique_ptr<ControlServer> server(new ControlServer(
      std::make_unique<ControlService>(*pim, std::move(service_options)), options.shutdown_grace));

  // Registers the reflection service with every server built from now on;
  // calling it explicitly also keeps the linker from dropping the library.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Without this a second server could share a port already in use.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  grpc::ResourceQuota quota("pimsim-control");
  quota.SetMaxThreads(kMaxControlThreads);
  builder.SetResourceQuota(quota);
  if (!options.token.empty()) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(std::make_unique<TokenInterceptorFactory>(options.token));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  int bound_port = 0;
  builder.AddListeningPort(absl::StrCat(host_text, ":", options.port),
                           grpc::InsecureServerCredentials(), &bound_port);
  builder.RegisterService(server->service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || bound_port == 0) {
    return absl::UnavailableError(absl::StrCat("--control: cannot listen on ", host_text, ":",
                                               options.port, " (address in use or not local?)"));
  }
  server->port_ = static_cast<uint16_t>(bound_port);
  server->address_ = absl::StrCat(host_text, ":", bound_port);
  return server;
}

ControlServer::ControlServer(std::unique_ptr<ControlService> service, absl::Duration shutdown_grace)
    : service_(std::move(service)), shutdown_grace_(shutdown_grace) {}

ControlServer::~ControlServer() { Shutdown(); }

void ControlServer::Shutdown() {
  std::call_once(shutdown_once_, [this] {
    // Streams first: a WatchJournal call would otherwise hold Shutdown() for
    // the whole grace period.
    service_->Stop();
    if (server_ == nullptr) return;
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::microseconds(absl::ToInt64Microseconds(shutdown_grace_)));
    server_->Wait();
  });
}

}  // namespace pimsim::control
