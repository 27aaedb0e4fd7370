#include "client/harness/external_command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace pimsim::harness {
absl::StatusOr<std::unique_ptr<ExternalCommand>> ExternalCommand::Start(const Options& options,
                                                                       OutputSink sink) {
  if (options.argv.empty() || options.argv[0].empty()) {
    return absl::InvalidArgumentError("the command is empty");
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!options.working_directory.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, options.working_directory.c_str());
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group; every signal unblocked and, where the parent
  // ignores it (SIGPIPE), back at its default: exec keeps ignored signals
  // ignored otherwise.
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const char* eq = strchr(*e, '=');
    const std::string name = eq == nullptr ? *e : std::string(*e, eq - *e);
    if (options.env.count(name) == 0) env_strings.emplace_back(*e);
  }
  for (const auto& [name, value] : options.env) env_strings.push_back(absl::StrCat(name, "=", value));
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = options.argv;
  std::vector<char*> argv;
  for (std::string& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    const std::string where =
        options.working_directory.empty() ? "" : absl::StrCat(" in ", options.working_directory);
    const std::string message =
        absl::StrCat("cannot run \"", options.argv[0], "\"", where, ": ", strerror(rc));
    if (rc == ENOENT) return absl::NotFoundError(message);
    if (rc == EACCES) return absl::PermissionDeniedError(message);
    return absl::InternalError(message);
  }
  return std::unique_ptr<ExternalCommand>(new ExternalCommand(pid, fds[0], std::move(sink)));
}

ExternalCommand::ExternalCommand(pid_t pid, int output_fd, OutputSink sink)
    : pid_(pid), output_fd_(output_fd), sink_(std::move(sink)) {
  reader_ = std::thread([this] { ReadOutput(); });
}

ExternalCommand::~ExternalCommand() {
  if (!reaped_ || !reader_done_.load()) Stop(absl::ZeroDuration());
  if (reader_.joinable()) reader_.join();
  if (output_fd_ >= 0) close(output_fd_);
}

void ExternalCommand::ReadOutput() {
  std::string pending;
  char buffer[8192];
  for (;;) {
    pollfd p{output_fd_, POLLIN, 0};
    const int ready = poll(&p, 1, 100);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) {
      if (abandon_.load()) break;
      continue;
    }
    const ssize_t n = read(output_fd_, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    pending.append(buffer, static_cast<size_t>(n));
    size_t begin = 0;
    for (size_t nl; (nl = pending.find('\n', begin)) != std::string::npos; begin = nl + 1) {
      sink_(std::string_view(pending).substr(begin, nl - begin));
    }
    pending.erase(0, begin);
    // A command that writes one endless line is passed on in pieces.
    if (pending.size() > 64 * 1024) {
      sink_(pending);
      pending.clear();
    }
  }
  if (!pending.empty()) sink_(pending);
  reader_done_.store(true);
}

bool ExternalCommand::Reap(bool block) {
  if (reaped_) return true;
  for (;;) {
    const pid_t r = waitpid(pid_, &wait_status_, block ? 0 : WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return true;
    }
    if (r < 0 && errno == EINTR) continue;
    return false;
  }
}

bool ExternalCommand::Poll() {
  if (!Reap(false)) return false;
  if (!reader_done_.load()) return false;
  if (reader_.joinable()) reader_.join();
  return true;
}

void ExternalCommand::Stop(absl::Duration grace) {
  if (!reaped_) {
    if (grace > absl::ZeroDuration()) {
      kill(-pid_, SIGTERM);
      const absl::Time until = absl::Now() + grace;
      while (!Reap(false) && absl::Now() < until) absl::SleepFor(absl::Milliseconds(20));
    }
    if (!reaped_) {
      kill(-pid_, SIGKILL);
      Reap(true);
    }
  }
  // What is left in the group (the command's own children) goes too.
  kill(-pid_, SIGKILL);
  // A grandchild that left the group may hold the pipe: stop reading after
  // a moment rather than wait for it.
  const absl::Time until = absl::Now() + absl::Seconds(1);
  while (!reader_done_.load() && absl::Now() < until) absl::SleepFor(absl::Milliseconds(10));
  abandon_.store(true);
  if (reader_.joinable()) reader_.join();
}

bool ExternalCommand::succeeded() const {
  return reaped_ && WIFEXITED(wait_status_) && WEXITSTATUS(wait_status_) == 0;
}

std::string ExternalCommand::exit_reason() const {
  if (!reaped_) return "still running";
  if (WIFEXITED(wait_status_)) return absl::StrCat("exited with status ", WEXITSTATUS(wait_status_));
  if (WIFSIGNALED(wait_status_)) {
    const int sig = WTERMSIG(wait_status_);
    return absl::StrCat("killed by signal ", sig, " (", strsignal(sig),
                        WCOREDUMP(wait_status_) ? ", core dumped" : "", ")");
  }
  return absl::StrCat("ended with wait status ", wait_status_);
}

}  // namespace pimsim::harness
