#include "checker/in_flight.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace pimsim::checker {
namespace {

using MinHeap = std::priority_queue<int64_t, std::vector<int64_t>, std::greater<int64_t>>;

// At each arrival, retires the ends at or before arrival + epsilon, then
// counts. Ends retired for one arrival are retired for every later one,
// since arrivals are non-decreasing; an out-of-order arrival (a journal
// quirk) only makes the count conservative.
uint32_t Arrive(MinHeap& heap, int64_t arrival, int64_t end, int64_t epsilon_us) {
  while (!heap.empty() && heap.top() <= arrival + epsilon_us) heap.pop();
  const uint32_t count = static_cast<uint32_t>(heap.size()) + 1;
  heap.push(end);
  return count;
}

}  // namespace

InFlight ComputeInFlight(const AttemptTable& table, int64_t epsilon_us) {
  const std::vector<Attempt>& at = table.attempts;
  InFlight f;
  f.connection.assign(at.size(), 0);
  f.instance.assign(at.size(), 0);
  std::vector<MinHeap> by_connection(table.connections.size());
  std::vector<MinHeap> by_instance(table.instances.size());
  for (size_t i = 0; i < at.size(); ++i) {
    const Attempt& a = at[i];
    f.instance[i] = Arrive(by_instance[a.instance], a.arrival_us, a.end_us, epsilon_us);
    if (!table.connections[a.connection].name.empty()) {
      f.connection[i] = Arrive(by_connection[a.connection], a.arrival_us, a.end_us, epsilon_us);
    }
  }
  return f;
}

std::vector<uint32_t> InFlightSet(const AttemptTable& table, int64_t epsilon_us, size_t i,
                                  bool instance, uint32_t count) {
  const std::vector<Attempt>& at = table.attempts;
  const Attempt& a = at[i];
  // Scanning back from the latest arrival ends the sweep's retirements at
  // the latest threshold, as Arrive does.
  std::vector<uint32_t> set;
  for (size_t j = i; j-- > 0 && set.size() + 1 < count;) {
    const Attempt& b = at[j];
    const bool same = instance ? b.instance == a.instance : b.connection == a.connection;
    if (!same) continue;
    if (b.end_us > a.arrival_us + epsilon_us) set.push_back(static_cast<uint32_t>(j));
  }
  std::reverse(set.begin(), set.end());
  set.push_back(static_cast<uint32_t>(i));
  return set;
}

}  // namespace pimsim::checker
