#include "mock_pim/faults/fault_spec.h"

#include <string>

#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace pimsim {
namespace {

using pimsim::v1::FaultRule;
using testing::HasSubstr;

FaultRule Rule(const std::string& text) {
  FaultRule rule;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &rule)) << text;
  return rule;
}

std::string Text(const FaultRule& rule) {
  std::string out;
  google::protobuf::TextFormat::PrintToString(rule, &out);
  return out;
}

bool Equal(const FaultRule& a, const FaultRule& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// ---- ValidateFaultRule ----

struct ValidationCase {
  const char* rule;   // text proto
  const char* error;  // "" if valid, else a substring of the message
};

class ValidateFaultRuleTest : public testing::TestWithParam<ValidationCase> {};

TEST_P(ValidateFaultRuleTest, AcceptsOrNamesTheField) {
  const ValidationCase& c = GetParam();
  const absl::Status status = ValidateFaultRule(Rule(c.rule));
  if (std::string(c.error).empty()) {
    EXPECT_TRUE(status.ok()) << c.rule << ": " << status;
  } else {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.rule;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.error)) << c.rule;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, ValidateFaultRuleTest,
    testing::Values(
        ValidationCase{"action { status { code: 503 } }", ""},
        ValidationCase{R"pb(name: "flaky.reads-1_x"
                            match {
                              methods: "GET"
                              route_kinds: ROUTE_KIND_LIST
                              path: "/api/rest/v1/**"
                              connections: "erp"
                              instances: "eu"
                            }
                            trigger {
                              probability: 0.3
                              every_nth: 2
                              first_n: 10
                              after_n: 2
                              window_start { seconds: 1 }
                              window_end { seconds: 2 }
                              phase: "spike"
                              max_fires: 3
                            }
                            action { status { code: 429 retry_after { seconds: 2 } } })pb",
                       ""},
        ValidationCase{"action { disconnect { point: DISCONNECT_POINT_AFTER_PROCESSING } }", ""},
        ValidationCase{"action { truncate { body_bytes: 0 close: CLOSE_KIND_ORDERLY } }", ""},
        ValidationCase{"action { hang { max { seconds: 3600 } } }", ""},
        ValidationCase{"action { latency { extra { fixed { nanos: 1000000 } } } }", ""},
        ValidationCase{"trigger { probability: 0 } action { hang {} }", ""},
        ValidationCase{"trigger { probability: 1 } action { hang {} }", ""},
        ValidationCase{"match { path: \"**\" } action { hang {} }", ""},
        ValidationCase{"", "action must be set"},
        ValidationCase{"action { status { code: 404 } }",
                       "action.status.code must be one of 500, 502, 503, 504, 408, 429, got 404"},
        ValidationCase{"action { status { } }", "action.status.code must be one of"},
        ValidationCase{"trigger { probability: 1.5 } action { hang {} }",
                       "trigger.probability must be in [0, 1], got 1.5"},
        ValidationCase{"trigger { probability: -0.1 } action { hang {} }",
                       "trigger.probability must be in [0, 1], got -0.1"},
        ValidationCase{"trigger { probability: nan } action { hang {} }", "trigger.probability"},
        ValidationCase{"trigger { first_n: 3 after_n: 5 } action { hang {} }",
                       "trigger.first_n (3) must be > trigger.after_n (5)"},
        ValidationCase{"trigger { first_n: 5 after_n: 5 } action { hang {} }",
                       "trigger.first_n (5) must be > trigger.after_n (5)"},
        ValidationCase{
            "trigger { window_start { seconds: 5 } window_end { seconds: 1 } } action { hang {} }",
            "trigger.window_end (1s) must be > trigger.window_start (5s)"},
        ValidationCase{
            "trigger { window_start { seconds: 5 } window_end { seconds: 5 } } action { hang {} }",
            "trigger.window_end (5s) must be > trigger.window_start (5s)"},
        ValidationCase{"trigger { window_start { seconds: -1 } } action { hang {} }",
                       "trigger.window_start must be >= 0, got -1s"},
        ValidationCase{"trigger { window_end { seconds: 1 nanos: -5 } } action { hang {} }",
                       "trigger.window_end is not a valid duration"},
        ValidationCase{"action { status { code: 503 retry_after { seconds: -2 } } }",
                       "action.status.retry_after must be >= 0, got -2s"},
        ValidationCase{"action { hang { max { } } }", "action.hang.max must be in (0, 1h], got 0"},
        ValidationCase{"action { hang { max { seconds: 3601 } } }",
                       "action.hang.max must be in (0, 1h], got 1h1s"},
        ValidationCase{"action { latency { } }", "action.latency.extra must be set"},
        ValidationCase{"action { latency { extra { } } }",
                       "action.latency.extra has no distribution"},
        ValidationCase{
            "action { latency { extra { uniform { min { nanos: 5000000 } max { nanos: 1000000 } } "
            "} } }",
            "action.latency.extra.uniform: max (1ms) must be >= min (5ms)"},
        ValidationCase{"action { latency { extra { log_normal { median { seconds: 1 } sigma: -1 } "
                       "} } }",
                       "action.latency.extra.log_normal.sigma must be finite and >= 0"},
        ValidationCase{"action { latency { extra { fixed { seconds: -1 } } } }",
                       "action.latency.extra.fixed must be >= 0"},
        ValidationCase{"match { route_kinds: ROUTE_KIND_UNSPECIFIED } action { hang {} }",
                       "match.route_kinds[0] must be a route kind other than"},
        ValidationCase{"match { route_kinds: ROUTE_KIND_LIST route_kinds: 99 } action { hang {} }",
                       "match.route_kinds[1]"},
        ValidationCase{"match { methods: \"GET\" methods: \"patch\" } action { hang {} }",
                       "match.methods[1] must be an upper-case HTTP method, got \"patch\""},
        ValidationCase{"match { methods: \"\" } action { hang {} }", "match.methods[0]"},
        ValidationCase{"match { connections: \"\" } action { hang {} }",
                       "match.connections[0] must not be empty"},
        ValidationCase{"match { instances: \"a\" instances: \"\" } action { hang {} }",
                       "match.instances[1] must not be empty"},
        ValidationCase{"match { path: \"api/x\" } action { hang {} }",
                       "match.path must start with '/' or '*'"},
        ValidationCase{"name: \"has space\" action { hang {} }",
                       "name must match [A-Za-z0-9_.-]{1,64}, got \"has space\""},
        ValidationCase{"name: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" "
                       "action { hang {} }",
                       "name must match"},
        ValidationCase{"action { disconnect { point: 7 } }",
                       "action.disconnect.point is not a known disconnect point, got 7"},
        ValidationCase{"action { disconnect { close: 7 } }", "action.disconnect.close"},
        ValidationCase{"action { truncate { close: 9 } }", "action.truncate.close"}));

// ---- ParseFaultSpec ----

struct GoodSpec {
  const char* spec;
  const char* rule;  // text proto of the expected rule
};

class ParseGoodSpecTest : public testing::TestWithParam<GoodSpec> {};

TEST_P(ParseGoodSpecTest, ParsesToTheRuleAndRoundTrips) {
  const GoodSpec& c = GetParam();
  absl::StatusOr<FaultRule> parsed = ParseFaultSpec(c.spec);
  ASSERT_TRUE(parsed.ok()) << c.spec << ": " << parsed.status();
  const FaultRule expected = Rule(c.rule);
  EXPECT_TRUE(Equal(*parsed, expected)) << c.spec << "\ngot:\n"
                                        << Text(*parsed) << "want:\n"
                                        << Text(expected);
  const std::string formatted = FormatFaultSpec(*parsed);
  absl::StatusOr<FaultRule> again = ParseFaultSpec(formatted);
  ASSERT_TRUE(again.ok()) << formatted << ": " << again.status();
  EXPECT_TRUE(Equal(*again, *parsed)) << c.spec << " -> " << formatted;
  EXPECT_EQ(FormatFaultSpec(*again), formatted);
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseGoodSpecTest,
    testing::Values(
        GoodSpec{"status=503", "action { status { code: 503 } }"},
        GoodSpec{"status=503,retry_after=2s,p=0.3,method=GET,route=list|get_item,name=flaky-reads",
                 R"pb(name: "flaky-reads"
                      match { methods: "GET" route_kinds: [ ROUTE_KIND_LIST, ROUTE_KIND_GET_ITEM ] }
                      trigger { probability: 0.3 }
                      action { status { code: 503 retry_after { seconds: 2 } } })pb"},
        GoodSpec{"status=429,retry_after=1.5s",
                 "action { status { code: 429 retry_after { seconds: 1 nanos: 500000000 } } }"},
        GoodSpec{"status=500,retry_after=0", "action { status { code: 500 retry_after {} } }"},
        GoodSpec{"disconnect=before",
                 "action { disconnect { point: DISCONNECT_POINT_BEFORE_PROCESSING } }"},
        GoodSpec{"disconnect=after,close=orderly",
                 "action { disconnect { point: DISCONNECT_POINT_AFTER_PROCESSING "
                 "close: CLOSE_KIND_ORDERLY } }"},
        GoodSpec{"close=reset,disconnect", "action { disconnect { close: CLOSE_KIND_RESET } }"},
        GoodSpec{"truncate", "action { truncate {} }"},
        GoodSpec{"truncate=0", "action { truncate { body_bytes: 0 } }"},
        GoodSpec{"truncate=100,close=reset",
                 "action { truncate { body_bytes: 100 close: CLOSE_KIND_RESET } }"},
        GoodSpec{"hang", "action { hang {} }"},
        GoodSpec{"hang=30s", "action { hang { max { seconds: 30 } } }"},
        GoodSpec{"latency=250ms", "action { latency { extra { fixed { nanos: 250000000 } } } }"},
        GoodSpec{"latency=fixed:1s", "action { latency { extra { fixed { seconds: 1 } } } }"},
        GoodSpec{"latency=0", "action { latency { extra { fixed {} } } }"},
        GoodSpec{"latency=uniform:1ms:5ms",
                 "action { latency { extra { uniform { min { nanos: 1000000 } "
                 "max { nanos: 5000000 } } } } }"},
        GoodSpec{"latency=lognormal:200ms:0.5",
                 "action { latency { extra { log_normal { median { nanos: 200000000 } "
                 "sigma: 0.5 } } } }"},
        GoodSpec{"latency=lognormal:200ms:0.123456789:2s,route=batch",
                 "match { route_kinds: ROUTE_KIND_BATCH } action { latency { extra { log_normal { "
                 "median { nanos: 200000000 } sigma: 0.123456789 max { seconds: 2 } } } } }"},
        GoodSpec{"status=500,every=10,first=100,after=5",
                 "trigger { every_nth: 10 first_n: 100 after_n: 5 } action { status { code: 500 } }"},
        GoodSpec{"status=502,from=10s,until=1m30s",
                 "trigger { window_start { seconds: 10 } window_end { seconds: 90 } } "
                 "action { status { code: 502 } }"},
        GoodSpec{"status=502,from=0",
                 "trigger { window_start {} } action { status { code: 502 } }"},
        GoodSpec{"hang,phase=spike,max=3", "trigger { phase: \"spike\" max_fires: 3 } action { hang {} }"},
        GoodSpec{"status=504,path=/api/rest/v1/products/**",
                 "match { path: \"/api/rest/v1/products/**\" } action { status { code: 504 } }"},
        GoodSpec{"status=408,connection=erp|shop,instance=eu|us",
                 "match { connections: [\"erp\", \"shop\"] instances: [\"eu\", \"us\"] } "
                 "action { status { code: 408 } }"},
        GoodSpec{" status = 503 , method = get|Patch ",
                 "match { methods: [\"GET\", \"PATCH\"] } action { status { code: 503 } }"},
        GoodSpec{"p=0,status=503", "trigger { probability: 0 } action { status { code: 503 } }"},
        GoodSpec{"p=1,status=503", "trigger { probability: 1 } action { status { code: 503 } }"},
        GoodSpec{"status=503,route=token|get_item|list|write_item|batch|other",
                 "match { route_kinds: [ ROUTE_KIND_TOKEN, ROUTE_KIND_GET_ITEM, ROUTE_KIND_LIST, "
                 "ROUTE_KIND_WRITE_ITEM, ROUTE_KIND_BATCH, ROUTE_KIND_OTHER ] } "
                 "action { status { code: 503 } }"}));

struct BadSpec {
  const char* spec;
  const char* error;  // a substring of the message
};

class ParseBadSpecTest : public testing::TestWithParam<BadSpec> {};

TEST_P(ParseBadSpecTest, SaysWhichItemAndWhy) {
  const BadSpec& c = GetParam();
  absl::StatusOr<FaultRule> parsed = ParseFaultSpec(c.spec);
  ASSERT_FALSE(parsed.ok()) << c.spec << " parsed as\n" << Text(*parsed);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(parsed.status().message()), HasSubstr(c.error)) << c.spec;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseBadSpecTest,
    testing::Values(
        BadSpec{"", "empty fault spec"}, BadSpec{"   ", "empty fault spec"},
        BadSpec{"p=0.5", "no action"},
        BadSpec{"status=503,hang", "item 2 \"hang\": a rule has exactly one action; item 1"},
        BadSpec{"status=404",
                "item 1 \"status=404\": code must be one of 500, 502, 503, 504, 408, 429, got 404"},
        BadSpec{"status=abc", "item 1 \"status=abc\": status must be an HTTP status code"},
        BadSpec{"status", "item 1 \"status\": status needs a value"},
        BadSpec{"status=503,p=2", "item 2 \"p=2\": probability must be in [0, 1], got 2"},
        BadSpec{"status=503,p=x", "item 2 \"p=x\": probability must be a number"},
        BadSpec{"status=503,p=", "item 2 \"p=\": p needs a value"},
        BadSpec{"status=503,,p=1", "item 2 \"\": empty item"},
        BadSpec{"status=503,", "item 2 \"\": empty item"},
        BadSpec{"status=503,foo=1", "item 2 \"foo=1\": unknown key \"foo\""},
        BadSpec{"status=503,foo", "item 2 \"foo\": unknown key \"foo\""},
        BadSpec{"status=503,p=0.1,p=0.2", "item 3 \"p=0.2\": \"p\" is given twice (also item 2)"},
        BadSpec{"disconnect=sideways", "disconnect must be before or after"},
        BadSpec{"hang=2h", "item 1 \"hang=2h\": max must be in (0, 1h], got 2h"},
        BadSpec{"hang=0s", "max must be in (0, 1h], got 0"},
        BadSpec{"hang=forever", "\"forever\" is not a duration"},
        BadSpec{"latency=uniform:5ms:1ms",
                "item 1 \"latency=uniform:5ms:1ms\": latency.uniform: max (1ms) must be >= min "
                "(5ms)"},
        BadSpec{"latency=uniform:1ms", "expected latency=uniform:MIN:MAX"},
        BadSpec{"latency=lognormal:1ms", "expected latency=lognormal:MEDIAN:SIGMA[:MAX]"},
        BadSpec{"latency=lognormal:1ms:x", "sigma \"x\" is not a number"},
        BadSpec{"latency=lognormal:10ms:0.5:1ms", "max (1ms) must be >= median (10ms)"},
        BadSpec{"latency=-5ms", "latency.fixed must be >= 0"},
        BadSpec{"latency=fast", "\"fast\" is not a duration"},
        BadSpec{"latency=gamma:1:2", "expected latency=DURATION"},
        BadSpec{"latency=inf", "\"inf\" is not a duration"},
        BadSpec{"status=503,from=5s,until=1s",
                "item 3 \"until=1s\": window_end (1s) must be > trigger.window_start (5s)"},
        BadSpec{"status=503,from=-1s", "item 2 \"from=-1s\": window_start must be >= 0"},
        BadSpec{"status=503,first=3,after=5", "item 2 \"first=3\": first_n (3) must be >"},
        BadSpec{"hang,retry_after=1s", "item 2 \"retry_after=1s\": retry_after applies only to"},
        BadSpec{"status=503,retry_after=-1s", "retry_after must be >= 0"},
        BadSpec{"status=503,close=reset", "close applies only to disconnect and truncate"},
        BadSpec{"truncate,close=sideways", "close must be reset or orderly"},
        BadSpec{"truncate=-1", "truncate must be a byte count"},
        BadSpec{"status=503,route=lists", "unknown route kind \"lists\""},
        BadSpec{"status=503,name=bad name",
                "item 2 \"name=bad name\": name must match [A-Za-z0-9_.-]{1,64}"},
        BadSpec{"status=503,every=-1", "every must be a whole number >= 0, got \"-1\""},
        BadSpec{"status=503,max=lots", "max must be a whole number"},
        BadSpec{"status=503,path=api/x", "item 2 \"path=api/x\": path must start with"},
        BadSpec{"status=503,method=GET|", "item 2 \"method=GET|\": methods must be an upper-case"},
        BadSpec{"status=503,connection=a||b", "connections must not be empty"}));

TEST(FormatFaultSpecTest, WritesItemsInCanonicalOrder) {
  const FaultRule rule = Rule(R"pb(
    name: "r1"
    match {
      methods: [ "PATCH", "POST" ]
      route_kinds: ROUTE_KIND_WRITE_ITEM
      path: "/api/rest/v1/products/*"
      connections: "erp"
      instances: "eu"
    }
    trigger {
      probability: 0.25
      every_nth: 3
      first_n: 9
      after_n: 1
      window_start { seconds: 1 }
      window_end { seconds: 61 }
      phase: "import"
      max_fires: 2
    }
    action { disconnect { point: DISCONNECT_POINT_AFTER_PROCESSING close: CLOSE_KIND_RESET } })pb");
  EXPECT_EQ(FormatFaultSpec(rule),
            "disconnect=after,close=reset,p=0.25,every=3,first=9,after=1,from=1s,until=1m1s,"
            "phase=import,max=2,method=PATCH|POST,route=write_item,path=/api/rest/v1/products/*,"
            "connection=erp,instance=eu,name=r1");
}

TEST(FormatFaultSpecTest, KeepsTheBriefExampleAsWritten) {
  const std::string spec =
      "status=503,retry_after=2s,p=0.3,method=GET,route=list|get_item,name=flaky-reads";
  absl::StatusOr<FaultRule> rule = ParseFaultSpec(spec);
  ASSERT_TRUE(rule.ok()) << rule.status();
  EXPECT_EQ(FormatFaultSpec(*rule), spec);
}

TEST(FormatFaultSpecTest, RoundTripsAwkwardNumbers) {
  for (double p : {0.1, 1.0 / 3, 1e-9, 0.999999999999}) {
    FaultRule rule = Rule("action { hang {} }");
    rule.mutable_trigger()->set_probability(p);
    rule.mutable_action()->mutable_hang()->mutable_max()->set_nanos(1);
    absl::StatusOr<FaultRule> again = ParseFaultSpec(FormatFaultSpec(rule));
    ASSERT_TRUE(again.ok()) << FormatFaultSpec(rule) << ": " << again.status();
    EXPECT_TRUE(Equal(*again, rule)) << FormatFaultSpec(rule) << "\n" << Text(*again);
  }
}

TEST(HangMaxTest, DefaultsTo300SecondsAndCapsAtAnHour) {
  EXPECT_EQ(HangMax(pimsim::v1::HangFault()), absl::Seconds(300));
  pimsim::v1::HangFault hang;
  hang.mutable_max()->set_seconds(30);
  EXPECT_EQ(HangMax(hang), absl::Seconds(30));
  hang.mutable_max()->set_seconds(7200);
  EXPECT_EQ(HangMax(hang), absl::Hours(1));
}

TEST(FaultKindNameTest, NamesEachKind) {
  auto name = [](const std::string& spec) {
    absl::StatusOr<FaultRule> rule = ParseFaultSpec(spec);
    EXPECT_TRUE(rule.ok()) << spec;
    return FaultKindName(rule->action());
  };
  EXPECT_EQ(name("status=503"), "status_503");
  EXPECT_EQ(name("status=429"), "status_429");
  EXPECT_EQ(name("disconnect"), "disconnect_before");
  EXPECT_EQ(name("disconnect=before"), "disconnect_before");
  EXPECT_EQ(name("disconnect=after"), "disconnect_after");
  EXPECT_EQ(name("truncate"), "truncate");
  EXPECT_EQ(name("hang"), "hang");
  EXPECT_EQ(name("latency=1ms"), "latency");
  EXPECT_EQ(FaultKindName(pimsim::v1::FaultAction()), "none");
}

}  // namespace
}  // namespace pimsim
