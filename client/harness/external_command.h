// ExternalCommand: the user's integration, run as a child process for
// `pimsim run`.
//
// The child runs in a process group of its own (so a Ctrl-C on the terminal
// reaches `pimsim run`, which then stops the whole group, and so does a
// timeout), with every signal unblocked and at its default disposition
// whatever the parent blocked or ignored, in the working directory given,
// with the parent's environment plus the variables given. Its stdout and
// stderr go through one pipe to an OutputSink, line by line, in the order it
// wrote them.
//
// Thread-safety: Poll, Stop and exit_reason are called from one thread; the
// sink is called from the command's reader thread.
//
//   ExternalCommand::Options options;
//   options.argv = {"./my-integration", "--all"};
//   options.env = {{"PIM_BASE_URL", base_url}};
//   auto command = ExternalCommand::Start(options, [](std::string_view line) { ... });
//   while (!(*command)->Poll()) { ... }
//   if (!(*command)->succeeded()) std::cerr << (*command)->exit_reason();
#ifndef PIMSIM_CLIENT_HARNESS_EXTERNAL_COMMAND_H_
#define PIMSIM_CLIENT_HARNESS_EXTERNAL_COMMAND_H_

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace pimsim::harness {

// Called with each line the command writes (without its newline; a last
// line without one is passed at the end), from the reader thread.
using OutputSink = std::function<void(std::string_view line)>;

class ExternalCommand {
 public:
  struct Options {
    // argv[0] is looked up in PATH when it has no '/'.
    std::vector<std::string> argv;
    // Set on top of the parent's environment.
    std::map<std::string, std::string> env;
    // Empty: the parent's.
    std::string working_directory;
  };

  // Starts the command. InvalidArgument for an empty argv; NotFound or
  // PermissionDenied (with the program's name) when it cannot be started.
  static absl::StatusOr<std::unique_ptr<ExternalCommand>> Start(const Options& options,
                                                                OutputSink sink);
  // Stops the command (as Stop with no grace) if it still runs.
  ~ExternalCommand();
  ExternalCommand(const ExternalCommand&) = delete;
  ExternalCommand& operator=(const ExternalCommand&) = delete;

  // True once the command has exited and all of its output was passed on.
  bool Poll();
  // Sends SIGTERM to the command's process group, then SIGKILL after
  // `grace` if it has not exited; returns once it has and its output is
  // drained (a grandchild holding the pipe open is not waited for beyond
  // the SIGKILL).
  void Stop(absl::Duration grace);

  pid_t pid() const { return pid_; }
  // After Poll() returned true: exited with status 0.
  bool succeeded() const;
  // After Poll() returned true: "exited with status 2", "killed by signal 11
  // (Segmentation fault, core dumped)".
  std::string exit_reason() const;

 private:
  ExternalCommand(pid_t pid, int output_fd, OutputSink sink);
  void ReadOutput();
  bool Reap(bool block);

  const pid_t pid_;
  int output_fd_;
  OutputSink sink_;
  std::thread reader_;
  std::atomic<bool> reader_done_{false};
  // Set by Stop: the reader gives up on a pipe a grandchild keeps open.
  std::atomic<bool> abandon_{false};
  bool reaped_ = false;
  int wait_status_ = 0;
};

}  // namespace pimsim::harness

#endif  // PIMSIM_CLIENT_HARNESS_EXTERNAL_COMMAND_H_
