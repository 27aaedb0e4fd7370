// The stop signals of the long-running commands (`serve`, `run`): SIGTERM
// and SIGINT, blocked in every thread so that only the command's own
// sigwait/sigtimedwait sees them, and SIGPIPE ignored (a client that goes
// away is an error on its socket, not the end of the process).
//
// Call before any thread starts: threads inherit the mask.
//
//   const sigset_t stop = BlockStopSignals();
//   int signal_number = 0;
//   sigwait(&stop, &signal_number);
#ifndef PIMSIM_TOOLS_STOP_SIGNALS_H_
#define PIMSIM_TOOLS_STOP_SIGNALS_H_

#include <pthread.h>
#include <signal.h>

namespace pimsim::tools {

inline sigset_t BlockStopSignals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return stop_signals;
}

}  // namespace pimsim::tools

#endif  // PIMSIM_TOOLS_STOP_SIGNALS_H_
