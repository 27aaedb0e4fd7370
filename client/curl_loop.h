// CurlLoop: the real-time Scheduler and Transport of the client, one event
// loop on libcurl's multi interface.
//
// Every request is an easy handle on one multi handle: HTTP/1.1 with
// keep-alive (idle connections are kept for the next request), HTTPS with
// OpenSSL verifying the peer (against the system's CAs or `ca_file`),
// connect and total timeouts per request, any number in flight on the one
// thread that calls Run(). Timers (RunAt) run between socket events.
//
// libcurl re-sends a request by itself when a kept-alive connection turns
// out to be closed before any byte of the answer arrived. For a write that
// hides an ambiguous failure from the policy core, so CurlLoop refuses that
// second send (see curl_loop.cc) and reports kDisconnected instead: every
// request the PIM sees was decided by the core.
//
// Thread-safety: none; Run() and every call happen on one thread.
//
//   CurlLoop loop(CurlLoop::Options{});
//   AkeneoClient client(loop, loop, policy, connections, seed);
//   ... client.Send(...) ...
//   loop.Run([&] { return client.idle(); });
#ifndef PIMSIM_CLIENT_CURL_LOOP_H_
#define PIMSIM_CLIENT_CURL_LOOP_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "common/scheduler.h"
#include "client/transport.h"
#include "common/clock.h"

namespace pimsim::client {

class CurlLoop final : public Scheduler, public Transport {
 public:
  struct Options {
    // PEM file of the CAs to trust instead of the system's ("" = system's;
    // CURL_CA_BUNDLE or SSL_CERT_FILE in the environment are honoured by
    // tools/import_command.cc, not here).
    std::string ca_file;
    // false: accept any certificate (never the default).
    bool verify_peer = true;
    // Idle connections kept open for reuse.
    long max_idle_connections = 64;
  };

  explicit CurlLoop(Options options);
  ~CurlLoop() override;
  CurlLoop(const CurlLoop&) = delete;
  CurlLoop& operator=(const CurlLoop&) = delete;

  absl::Time Now() override { return clock_.Now(); }
  TaskId RunAt(absl::Time when, std::function<void()> task) override {
    return tasks_.Add(when, std::move(task));
  }
  void Cancel(TaskId id) override { tasks_.Cancel(id); }
  void Send(HttpRequest request, std::function<void(HttpResponse)> done) override;

  // Runs timers and transfers until `finished()` is true (asked after every
  // event), Stop() is called, or nothing is left to wait for.
  void Run(const std::function<bool()>& finished);
  // Makes Run return at its next turn (from a timer or a callback).
  void Stop() { stopped_ = true; }

  // Transfers in flight now, and timers waiting.
  int active() const { return active_; }
  size_t timers() const { return tasks_.size(); }

 private:
  struct Transfer;
  void Complete(Transfer* t, int curl_code);

  Options options_;
  RealClock clock_;
  TaskQueue tasks_;
  void* multi_;  // CURLM*
  std::vector<void*> idle_handles_;  // CURL* easy handles kept for reuse
  absl::flat_hash_set<void*> transfers_;  // Transfer* in flight
  int active_ = 0;
  bool stopped_ = false;
};

}  // namespace pimsim::client

#endif  // PIMSIM_CLIENT_CURL_LOOP_H_
