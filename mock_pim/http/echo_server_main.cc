// Serves the same fixed body on every request, to measure the HTTP shell's
// throughput against nginx serving a file of the same size:
//
//   bazel build -c opt //mock_pim/http:echo_server_main
//   bazel-bin/mock_pim/http/echo_server_main --port=8080 --body_size=1024 &
//   wrk -t1 -c50 -d5s http://127.0.0.1:8080/
//
// Prints the bound address on its first line; stops on SIGINT or SIGTERM.
#include <signal.h>

#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "common/clock.h"
#include "mock_pim/http/http_server.h"

ABSL_FLAG(std::string, host, "127.0.0.1", "Address to listen on.");
ABSL_FLAG(int, port, 0, "Port to listen on; 0 picks a free one.");
ABSL_FLAG(int, threads, 0, "Event loops; 0 = hardware concurrency.");
ABSL_FLAG(int, body_size, 1024, "Size in bytes of the body served.");

namespace {

class FixedBodyHandler : public pimsim::http::Handler {
 public:
  explicit FixedBodyHandler(size_t size) : body_(size, 'x') {}

  void Handle(std::shared_ptr<pimsim::http::Exchange> exchange) override {
    pimsim::http::HttpResponse response;
    response.headers.push_back({"Content-Type", "text/plain"});
    response.body = body_;
    exchange->Respond(std::move(response), nullptr);
  }

 private:
  const std::string body_;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // Block the stop signals in every thread; main waits for them below.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  FixedBodyHandler handler(static_cast<size_t>(absl::GetFlag(FLAGS_body_size)));
  pimsim::http::ServerOptions options;
  options.host = absl::GetFlag(FLAGS_host);
  options.port = static_cast<uint16_t>(absl::GetFlag(FLAGS_port));
  options.threads = absl::GetFlag(FLAGS_threads);
  auto server = pimsim::http::Server::Create(options, &handler, &pimsim::RealClock::Get());
  if (!server.ok()) {
    std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
    return 1;
  }
  if (absl::Status s = (*server)->Start(); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("%s\n", (*server)->address().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  (*server)->Shutdown(absl::Seconds(1));
  return 0;
}
