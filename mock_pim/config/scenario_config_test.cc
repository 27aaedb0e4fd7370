#include "mock_pim/config/scenario_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pimsim::config {
namespace {

using ::testing::HasSubstr;

TEST(ScenarioConfigTest, EmptyScenarioGetsDefaultInstanceAndConnection) {
  absl::StatusOr<pimsim::v1::Scenario> s = ParseScenarioText("", "empty.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  pimsim::v1::Scenario full = WithDefaults(*s);
  ASSERT_EQ(full.instances_size(), 1);
  EXPECT_EQ(full.instances(0).name(), "default");
  ASSERT_EQ(full.instances(0).connections_size(), 1);
  const pimsim::v1::Connection& c = full.instances(0).connections(0);
  EXPECT_EQ(c.client_id(), "pimsim");
  EXPECT_EQ(c.secret(), "pimsim");
  EXPECT_EQ(c.username(), "admin");
  EXPECT_EQ(c.password(), "admin");
  EXPECT_EQ(full.seed(), 1u);
}

TEST(ScenarioConfigTest, NumberedConnections) {
  pimsim::v1::Instance instance;
  SetNumberedConnections(3, &instance);
  ASSERT_EQ(instance.connections_size(), 3);
  EXPECT_EQ(instance.connections(1).client_id(), "pimsim-2");
  EXPECT_EQ(instance.connections(2).secret(), "pimsim-3");
  EXPECT_EQ(instance.connections(2).username(), "admin");
}

TEST(ScenarioConfigTest, SyntaxErrorNamesFileLineAndColumn) {
  absl::StatusOr<pimsim::v1::Scenario> s =
      ParseScenarioText("name: \"x\"\ninstances {\n  nmae: \"a\"\n}\n", "bad.textproto");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("bad.textproto:3:"));
  EXPECT_THAT(s.status().message(), HasSubstr("nmae"));
}

struct BadCase {
  const char* text;
  const char* location;  // "line:column"
  const char* reason;
};

class BadScenarioTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadScenarioTest, IsRejectedWithLocationAndReason) {
  absl::StatusOr<pimsim::v1::Scenario> s = ParseScenarioText(GetParam().text, "s.textproto");
  ASSERT_FALSE(s.ok()) << GetParam().text;
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr(absl::StrCat("s.textproto:", GetParam().location, ":")));
  EXPECT_THAT(s.status().message(), HasSubstr(GetParam().reason));
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadScenarioTest,
    ::testing::Values(
        BadCase{"instances { name: \"Bad Name\" }", "1:13", "must match"},
        BadCase{"instances { name: \"api\" }", "1:13", "reserved"},
        BadCase{"instances { name: \"a\" }\ninstances { name: \"a\" }", "2:13", "duplicate instance"},
        BadCase{"instances {\n  name: \"a\"\n  connections { client_id: \"\" secret: \"s\" }\n}",
                "3:17", "client_id: must not be empty"},
        BadCase{"instances {\n  name: \"a\"\n  connections { client_id: \"c\" secret: \"s\" username: \"u\" password: \"p\" }\n"
                "  connections { client_id: \"c\" secret: \"s\" username: \"u\" password: \"p\" }\n}",
                "4:17", "duplicate client id"},
        BadCase{"instances {\n  name: \"a\"\n  connections { client_id: \"c\" username: \"u\" password: \"p\" }\n}",
                "3:3", "secret: must not be empty"},
        BadCase{"instances {\n  name: \"a\"\n  limits {\n    instance_rate { requests_per_second: -1 }\n  }\n}",
                "4:21", "requests_per_second"},
        BadCase{"instances {\n  name: \"a\"\n  limits { instance_rate { requests_per_second: 10 burst: 0 } }\n}",
                "3:52", "burst"},
        BadCase{"instances {\n  name: \"a\"\n  seed { products: 9000000 }\n}", "3:10", "seed.products"},
        // Found by scenario_config_fuzzer: it loaded, then the mock refused
        // to build its catalogue.
        BadCase{"instances {\n  name: \"a\"\n  seed { products: 5 families: 0 }\n}", "3:22",
                "instances[0].seed.families must be > 0 when seed.products > 0"},
        BadCase{"instances {\n  name: \"a\"\n  access_token_lifetime { seconds: -5 }\n}", "3:3",
                "must be > 0"},
        BadCase{"faults {\n  name: \"f\"\n  trigger { probability: 1.5 }\n  action { status { code: 503 } }\n}",
                "3:13", "faults[0].trigger.probability"},
        BadCase{"faults { name: \"f\" action { status { code: 418 } } }", "1:38", "faults[0].action.status.code"},
        BadCase{"expectations {\n  rules { rule: \"backoff.nope\" }\n}", "2:11",
                "expectations.rules[0].rule: unknown rule id"},
        BadCase{"latency {\n  get_item { uniform { min { seconds: 2 } max { seconds: 1 } } }\n}", "2:14",
                "get_item"},
        // The run: phases, workload, max_duration.
        BadCase{"phases {\n  name: \"Storm\"\n  requests: 5\n}", "2:3", "phases[0].name: must match"},
        BadCase{"phases { name: \"a\" requests: 5 }\nphases { name: \"a\" requests: 5 }", "2:10",
                "duplicate phase name"},
        BadCase{"phases {\n  name: \"a\"\n}", "1:1", "needs duration or requests"},
        BadCase{"phases { name: \"a\" requests: 0 }", "1:20", "requests: must be >= 1"},
        BadCase{"phases { name: \"a\" duration { seconds: -1 } }", "1:20", "must be > 0"},
        BadCase{"phases {\n  name: \"a\"\n  requests: 1\n  faults { name: \"f\" trigger { phase: \"b\" } "
                "action { status { code: 503 } } }\n}",
                "4:32", "cannot name phase \"b\""},
        BadCase{"phases {\n  name: \"a\"\n  requests: 1\n  faults { name: \"f\" action { status { code: 299 } } "
                "}\n}",
                "4:40", "phases[0].faults[0].action.status.code"},
        BadCase{"faults { name: \"f\" action { status { code: 503 } } }\nphases {\n  name: \"a\"\n  requests: 1\n"
                "  faults { name: \"f\" action { status { code: 503 } } }\n}",
                "5:12", "duplicate fault name \"f\""},
        BadCase{"phases {\n  name: \"a\"\n  requests: 1\n  limits { key: \"nope\" value {} }\n}", "1:1",
                "phases[0].limits: no instance named \"nope\""},
        BadCase{"phases {\n  name: \"a\"\n  requests: 1\n  limits { key: \"default\" value { "
                "instance_rate { burst: 0 } } }\n}",
                "1:1", "phases[0].limits[\"default\"].instance_rate.burst"},
        BadCase{"faults { name: \"f\" trigger { phase: \"nope\" } action { status { code: 503 } } }\n"
                "phases { name: \"a\" requests: 1 }",
                "1:30", "faults[0].trigger.phase: no phase named \"nope\""},
        BadCase{"workload {\n  external { env { key: \"X\" value: \"1\" } }\n}", "2:3",
                "workload.external.argv: needs the program"},
        BadCase{"workload {\n  external { argv: \"x\" timeout { seconds: -1 } }\n}", "2:24",
                "workload.external.timeout: must be > 0"},
        BadCase{"max_duration { seconds: 100000 }", "1:1", "max_duration: at most 24h"}));

// A repeated field named without an index ("connections: at most 50") used to
// abort the process (protobuf's GetLocation at index -1): its parent is
// located instead.
TEST(ScenarioConfigTest, ARepeatedFieldWithoutIndexIsLocatedAtItsParent) {
  std::string text = "instances {\n  name: \"a\"\n";
  for (int i = 1; i <= 51; ++i) {
    absl::StrAppend(&text, "  connections { client_id: \"c", i,
                    "\" secret: \"s\" username: \"u\" password: \"p\" }\n");
  }
  text += "}\n";
  absl::StatusOr<pimsim::v1::Scenario> s = ParseScenarioText(text, "many.textproto");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(),
              HasSubstr("many.textproto:1:1: instances[0].connections: at most 50 connections"));
}

TEST(ScenarioConfigTest, ARunScenarioValidates) {
  absl::StatusOr<pimsim::v1::Scenario> s = ParseScenarioText(R"pb(
    instances { name: "default" }
    faults { name: "global" trigger { phase: "storm" } action { status { code: 500 } } }
    phases {
      name: "storm"
      requests: 10
      faults { name: "storm-503" action { status { code: 503 } } }
      limits { key: "default" value { instance_rate { requests_per_second: 10 } } }
    }
    phases { name: "calm" duration { seconds: 2 } }
    workload { external { argv: "./app" env { key: "LOG" value: "debug" } timeout { seconds: 5 } } }
    max_duration { seconds: 60 }
  )pb", "run.textproto");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->phases_size(), 2);
}

TEST(ScenarioConfigTest, FaultSpecsAreAddedAndNamed) {
  pimsim::v1::Scenario s;
  ASSERT_TRUE(AddFaultSpecs({"status=503,p=0.5", "status=429,name=slow"}, &s).ok());
  ASSERT_EQ(s.faults_size(), 2);
  EXPECT_EQ(s.faults(0).name(), "fault-1");
  EXPECT_EQ(s.faults(1).name(), "slow");
  const absl::Status bad = AddFaultSpecs({"status=299"}, &s);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.message(), HasSubstr("--fault \"status=299\""));
}

}  // namespace
}  // namespace pimsim::config
