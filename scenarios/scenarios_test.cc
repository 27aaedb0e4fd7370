// Every bundled scenario parses and validates.
#include <filesystem>

#include <gtest/gtest.h>

#include "mock_pim/config/scenario_config.h"

namespace pimsim {
namespace {

TEST(BundledScenariosTest, EveryFileParsesAndValidates) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("scenarios")) {
    if (entry.path().extension() != ".textproto") continue;
    ++count;
    absl::StatusOr<pimsim::v1::Scenario> s = config::LoadScenarioFile(entry.path().string());
    EXPECT_TRUE(s.ok()) << s.status();
  }
  EXPECT_GE(count, 5);
}

}  // namespace
}  // namespace pimsim
