#include "common/scheduler.h"

#include <utility>

namespace pimsim {

Scheduler::TaskId TaskQueue::Add(absl::Time when, std::function<void()> task) {
  const Scheduler::TaskId id = next_id_++;
  tasks_.emplace(std::make_pair(when, id), std::move(task));
  when_.emplace(id, when);
  return id;
}

void TaskQueue::Cancel(Scheduler::TaskId id) {
  auto it = when_.find(id);
  if (it == when_.end()) return;
  tasks_.erase(std::make_pair(it->second, id));
  when_.erase(it);
}

absl::Time TaskQueue::NextTime() const {
  return tasks_.empty() ? absl::InfiniteFuture() : tasks_.begin()->first.first;
}

bool TaskQueue::PopDue(absl::Time now, std::function<void()>* task) {
  if (tasks_.empty() || tasks_.begin()->first.first > now) return false;
  auto first = tasks_.begin();
  *task = std::move(first->second);
  when_.erase(first->first.second);
  tasks_.erase(first);
  return true;
}

Scheduler::TaskId VirtualScheduler::RunAt(absl::Time when, std::function<void()> task) {
  return queue_.Add(when, std::move(task));
}

uint64_t VirtualScheduler::RunUntilIdle(uint64_t limit) {
  uint64_t ran = 0;
  std::function<void()> task;
  while (ran < limit && !queue_.empty()) {
    clock_.SetTime(queue_.NextTime());
    if (queue_.PopDue(clock_.Now(), &task)) {
      task();
      ++ran;
    }
  }
  return ran;
}

uint64_t VirtualScheduler::RunUntil(absl::Time until) {
  uint64_t ran = 0;
  std::function<void()> task;
  while (!queue_.empty() && queue_.NextTime() <= until) {
    clock_.SetTime(queue_.NextTime());
    if (queue_.PopDue(clock_.Now(), &task)) {
      task();
      ++ran;
    }
  }
  clock_.SetTime(until);
  return ran;
}

}  // namespace pimsim
