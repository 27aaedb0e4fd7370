#include "mock_pim/control/live_report.h"

#include <string>
#include <vector>

#include "checker/checker.h"

namespace pimsim::control {

pimsim::v1::Report LiveReport(MockPim& pim, bool live) {
  Journal& journal = pim.journal();
  journal::EventTable events;
  // Page through the completed events; ids past CompleteThrough() may still
  // be in flight. Small pages keep each hold of the journal's lock short, so
  // that requests finishing meanwhile are not held up.
  constexpr size_t kPage = 4096;
  uint64_t cursor = 0;
  const uint64_t complete = journal.CompleteThrough();
  while (cursor < complete) {
    std::vector<pimsim::v1::JournalEvent> page = journal.Read(cursor, kPage);
    if (page.empty()) break;
    for (pimsim::v1::JournalEvent& e : page) {
      if (e.id() > complete) break;
      cursor = e.id();
      events.Add(e);
    }
    if (page.back().id() > complete) break;
  }
  checker::CheckInput input;
  input.table = &events;
  // After the events: a change recorded since they were read only adds
  // limits to the fold (which takes the loosest), and one missed could
  // leave events judged under limits tighter than theirs.
  input.limit_changes = journal.LimitChanges();
  input.journal_overflowed = journal.overflowed();
  input.expectations = pim.scenario().expectations();
  input.scenario_name = pim.scenario().name();
  input.live = live;
  std::vector<pimsim::v1::FaultRule> rules = pim.faults().Rules();
  google::protobuf::RepeatedPtrField<pimsim::v1::FaultRule> repeated(rules.begin(), rules.end());
  for (const pimsim::v1::FaultRule& r : pim.scenario().faults()) *repeated.Add() = r;
  input.fault_kinds = checker::FaultKindsFromRules(repeated);
  return checker::Check(input);
}

}  // namespace pimsim::control
