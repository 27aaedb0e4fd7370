// Fuzzes the one-line fault spec with the input as `--fault=SPEC`.
//
// Properties: a spec either parses into a rule that ValidateFaultRule
// accepts, or fails with InvalidArgument naming an item; a parsed rule
// written back with FormatFaultSpec parses to the same rule and the same
// text (fault_spec.h: every valid rule from the text form is expressible).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "bazel/fuzz_check.h"
#include "google/protobuf/util/message_differencer.h"
#include "mock_pim/faults/fault_spec.h"
#include "proto/faults.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using pimsim::v1::FaultRule;
  const std::string_view spec(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<FaultRule> rule = pimsim::ParseFaultSpec(spec);
  if (!rule.ok()) {
    FUZZ_CHECK(rule.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(!rule.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(pimsim::ValidateFaultRule(*rule).ok());
  FUZZ_CHECK(pimsim::FaultKindName(rule->action()) != "none");
  FUZZ_CHECK(pimsim::HangMax(rule->action().hang()) > absl::ZeroDuration());

  const std::string text = pimsim::FormatFaultSpec(*rule);
  const absl::StatusOr<FaultRule> again = pimsim::ParseFaultSpec(text);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(*rule, *again));
  FUZZ_CHECK(pimsim::FormatFaultSpec(*again) == text);
  return 0;
}
