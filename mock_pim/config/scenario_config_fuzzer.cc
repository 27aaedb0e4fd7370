// Fuzzes scenario loading with the input as a scenario textproto file:
// protobuf's text parser, then every Validate rule, error locations in the
// file, and, for a scenario small enough to build quickly, the mock itself.
//
// Properties: an invalid scenario fails with InvalidArgument prefixed by the
// file name; a valid one stays valid with its defaults applied, prints to
// text that loads back to the same scenario, and a MockPim can be built from
// it (validation admits nothing the mock cannot run).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "bazel/fuzz_check.h"
#include "common/clock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "mock_pim/config/scenario_config.h"
#include "mock_pim/mock_pim.h"
#include "proto/scenario.pb.h"

namespace pimsim::config {
namespace {

constexpr char kFile[] = "fuzz.textproto";

// Seeding a catalogue costs time in its size: only small ones are built.
bool SmallEnoughToBuild(const pimsim::v1::Scenario& s) {
  if (s.instances_size() > 4) return false;
  for (const pimsim::v1::Instance& i : s.instances()) {
    const pimsim::v1::SeedData& seed = i.seed();
    if (seed.products() > 20 || seed.families() > 20 || seed.attributes() > 40 ||
        seed.options_per_select() > 10 || seed.categories() > 40) {
      return false;
    }
  }
  return true;
}

}  // namespace
}  // namespace pimsim::config

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pimsim::config;
  using google::protobuf::util::MessageDifferencer;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<pimsim::v1::Scenario> scenario = ParseScenarioText(text, kFile);
  if (!scenario.ok()) {
    FUZZ_CHECK(scenario.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(absl::StartsWith(scenario.status().message(), kFile));
    return 0;
  }
  FUZZ_CHECK(ValidateScenario(*scenario).ok());
  const pimsim::v1::Scenario full = WithDefaults(*scenario);
  FUZZ_CHECK(ValidateScenario(full).ok());

  std::string printed;
  FUZZ_CHECK(google::protobuf::TextFormat::PrintToString(*scenario, &printed));
  const absl::StatusOr<pimsim::v1::Scenario> again = ParseScenarioText(printed, kFile);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(MessageDifferencer::Equals(*scenario, *again));

  if (SmallEnoughToBuild(full)) {
    pimsim::SimulatedClock clock;
    pimsim::MockPimOptions options;
    options.journal_capacity = 16;
    const absl::StatusOr<std::unique_ptr<pimsim::MockPim>> pim =
        pimsim::MockPim::Create(full, &clock, options);
    FUZZ_CHECK(pim.ok());
  }
  return 0;
}
