// Scheduler: "run this at time t", beside Clock the only way pimsim's pure
// cores wait.
//
// A core that schedules (the reference client's throttle, pacing, retries
// and token lifecycle) never sleeps or reads the wall clock: it asks its
// Scheduler for the time and for a task to run later. Two implementations:
// VirtualScheduler (below), which jumps from one task to the next on a
// SimulatedClock, so a test or the virtual-time planner runs the core in no
// real time; and an event loop's (client/curl_loop.h runs tasks between
// socket events).
//
// Thread-safety: neither is; every call comes from the loop's one thread.
//
//   VirtualScheduler s(absl::FromUnixSeconds(1000));
//   s.RunAt(s.Now() + absl::Seconds(2), [&] { fired = true; });
//   s.RunUntilIdle();  // s.Now() is 1002 s, fired is true
#ifndef PIMSIM_COMMON_SCHEDULER_H_
#define PIMSIM_COMMON_SCHEDULER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace pimsim {

class Scheduler {
 public:
  using TaskId = uint64_t;
  virtual ~Scheduler() = default;
  virtual absl::Time Now() = 0;
  // Runs `task` once, at `when` or as soon after it as the loop can (a time
  // in the past means "next"). Tasks due at the same time run in the order
  // they were scheduled. Never runs `task` from inside RunAt.
  virtual TaskId RunAt(absl::Time when, std::function<void()> task) = 0;
  // Forgets a task that has not run; an unknown or finished id is ignored.
  virtual void Cancel(TaskId id) = 0;
};

// Tasks in (time, order) order. The timer list of both schedulers.
class TaskQueue {
 public:
  Scheduler::TaskId Add(absl::Time when, std::function<void()> task);
  void Cancel(Scheduler::TaskId id);
  bool empty() const { return tasks_.empty(); }
  size_t size() const { return tasks_.size(); }
  // The time of the first task; InfiniteFuture when there is none.
  absl::Time NextTime() const;
  // Removes and returns the first task if it is due at `now` or earlier.
  bool PopDue(absl::Time now, std::function<void()>* task);

 private:
  // Key: (time, id); ids grow, so equal times keep their order.
  std::map<std::pair<absl::Time, Scheduler::TaskId>, std::function<void()>> tasks_;
  absl::flat_hash_map<Scheduler::TaskId, absl::Time> when_;
  Scheduler::TaskId next_id_ = 1;
};

class VirtualScheduler final : public Scheduler {
 public:
  explicit VirtualScheduler(absl::Time start = absl::UnixEpoch()) : clock_(start) {}
  absl::Time Now() override { return clock_.Now(); }
  TaskId RunAt(absl::Time when, std::function<void()> task) override;
  void Cancel(TaskId id) override { queue_.Cancel(id); }

  // Runs tasks in time order, moving the clock to each one's time, until
  // none is left or `limit` tasks ran. Returns how many ran.
  uint64_t RunUntilIdle(uint64_t limit = UINT64_MAX);
  // The same, for tasks due at or before `until`; the clock ends at `until`.
  uint64_t RunUntil(absl::Time until);
  bool idle() const { return queue_.empty(); }
  SimulatedClock& clock() { return clock_; }

 private:
  SimulatedClock clock_;
  TaskQueue queue_;
};

}  // namespace pimsim

#endif  // PIMSIM_COMMON_SCHEDULER_H_
