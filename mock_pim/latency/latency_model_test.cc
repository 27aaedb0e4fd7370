#include "mock_pim/latency/latency_model.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace pimsim {
namespace {

using pimsim::v1::RouteKind;

pimsim::v1::LatencyModel Parse(const std::string& text) {
  pimsim::v1::LatencyModel m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

std::vector<double> DrawMs(const LatencyModel& model, RouteKind kind, int lines, int n,
                           uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) {
    out.push_back(absl::ToDoubleMilliseconds(model.Draw(kind, lines, rng)));
  }
  return out;
}

double Median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / v.size();
}

TEST(LatencyModelTest, DefaultsAreLogNormalWithDocumentedMedians) {
  const LatencyModel model;
  struct Case {
    RouteKind kind;
    double median_ms;
  };
  for (const Case& c : {Case{pimsim::v1::ROUTE_KIND_TOKEN, 40},
                        Case{pimsim::v1::ROUTE_KIND_GET_ITEM, 15},
                        Case{pimsim::v1::ROUTE_KIND_LIST, 40},
                        Case{pimsim::v1::ROUTE_KIND_WRITE_ITEM, 30},
                        Case{pimsim::v1::ROUTE_KIND_BATCH, 5}}) {
    const std::vector<double> v = DrawMs(model, c.kind, 0, 20000, 42);
    // The sample median of 20000 draws is within ~1 % (sd ~0.27 %) of the true one.
    EXPECT_NEAR(Median(v), c.median_ms, 0.02 * c.median_ms) << c.kind;
    // Mean of a log-normal: median * exp(sigma^2 / 2) = median * 1.046.
    EXPECT_NEAR(Mean(v), c.median_ms * std::exp(0.045), 0.02 * c.median_ms) << c.kind;
    EXPECT_NEAR(absl::ToDoubleMilliseconds(model.Mean(c.kind, 0)), c.median_ms * std::exp(0.045),
                1e-6);  // absl::Duration resolution
    // sigma 0.3: the log of the draws has standard deviation 0.3.
    double sum = 0, sum2 = 0;
    for (double x : v) {
      sum += std::log(x);
      sum2 += std::log(x) * std::log(x);
    }
    const double sd = std::sqrt(sum2 / v.size() - (sum / v.size()) * (sum / v.size()));
    EXPECT_NEAR(sd, 0.3, 0.01) << c.kind;
  }
}

TEST(LatencyModelTest, OtherAndUnspecifiedAreZeroAndDrawNothing) {
  const LatencyModel model;
  std::mt19937_64 a(7), b(7);
  EXPECT_EQ(model.Draw(pimsim::v1::ROUTE_KIND_OTHER, 0, a), absl::ZeroDuration());
  EXPECT_EQ(model.Draw(pimsim::v1::ROUTE_KIND_UNSPECIFIED, 0, a), absl::ZeroDuration());
  EXPECT_EQ(model.Draw(static_cast<RouteKind>(99), 0, a), absl::ZeroDuration());
  EXPECT_EQ(a(), b());  // no randomness consumed
}

TEST(LatencyModelTest, BatchAddsTwoMillisecondsPerLine) {
  const LatencyModel model;
  const std::vector<double> v = DrawMs(model, pimsim::v1::ROUTE_KIND_BATCH, 100, 20000, 3);
  EXPECT_NEAR(Median(v), 5 + 200, 0.2);
  EXPECT_EQ(model.Mean(pimsim::v1::ROUTE_KIND_BATCH, 100) -
                model.Mean(pimsim::v1::ROUTE_KIND_BATCH, 0),
            absl::Milliseconds(200));
  // Lines only count for batches.
  EXPECT_EQ(model.Mean(pimsim::v1::ROUTE_KIND_LIST, 100), model.Mean(pimsim::v1::ROUTE_KIND_LIST, 0));
}

TEST(LatencyModelTest, SameSeedSameDraws) {
  const LatencyModel model;
  EXPECT_EQ(DrawMs(model, pimsim::v1::ROUTE_KIND_LIST, 0, 1000, 99),
            DrawMs(model, pimsim::v1::ROUTE_KIND_LIST, 0, 1000, 99));
  EXPECT_NE(DrawMs(model, pimsim::v1::ROUTE_KIND_LIST, 0, 1000, 99),
            DrawMs(model, pimsim::v1::ROUTE_KIND_LIST, 0, 1000, 100));
}

TEST(LatencyModelTest, FixedGivesEveryKindTheSameDelayWithoutRandomness) {
  const LatencyModel model = LatencyModel::Fixed(absl::Milliseconds(25));
  std::mt19937_64 a(1), b(1);
  for (int k = 0; k <= 6; ++k) {
    EXPECT_EQ(model.Draw(static_cast<RouteKind>(k), 50, a), absl::Milliseconds(25)) << k;
  }
  EXPECT_EQ(a(), b());
  EXPECT_EQ(LatencyModel::Fixed(absl::Seconds(-1)).Draw(pimsim::v1::ROUTE_KIND_LIST, 0, a),
            absl::ZeroDuration());
  EXPECT_EQ(LatencyModel::Zero().Draw(pimsim::v1::ROUTE_KIND_TOKEN, 0, a), absl::ZeroDuration());
}

TEST(LatencyModelTest, ConfiguredDistributions) {
  absl::StatusOr<LatencyModel> model = LatencyModel::Create(Parse(R"pb(
    token { fixed { nanos: 1000000 } }
    get_item { uniform { min { nanos: 10000000 } max { nanos: 20000000 } } }
    list { log_normal { median { nanos: 50000000 } sigma: 1 max { nanos: 60000000 } } }
    write_item { uniform { min { nanos: 5000000 } max { nanos: 5000000 } } }
    batch_per_line { nanos: 1000 }
  )pb"));
  ASSERT_TRUE(model.ok()) << model.status();
  std::mt19937_64 a(5), b(5);
  EXPECT_EQ(model->Draw(pimsim::v1::ROUTE_KIND_TOKEN, 0, a), absl::Milliseconds(1));
  EXPECT_EQ(model->Draw(pimsim::v1::ROUTE_KIND_WRITE_ITEM, 0, a), absl::Milliseconds(5));
  EXPECT_EQ(a(), b());  // fixed and degenerate uniform draw nothing

  const std::vector<double> uniform = DrawMs(*model, pimsim::v1::ROUTE_KIND_GET_ITEM, 0, 20000, 8);
  EXPECT_GE(*std::min_element(uniform.begin(), uniform.end()), 10);
  EXPECT_LE(*std::max_element(uniform.begin(), uniform.end()), 20);
  EXPECT_NEAR(Mean(uniform), 15, 0.1);

  const std::vector<double> capped = DrawMs(*model, pimsim::v1::ROUTE_KIND_LIST, 0, 20000, 8);
  EXPECT_LE(*std::max_element(capped.begin(), capped.end()), 60);
  EXPECT_NEAR(Median(capped), 50, 2);
  // Unset kinds keep their defaults.
  EXPECT_NEAR(Median(DrawMs(*model, pimsim::v1::ROUTE_KIND_BATCH, 1000, 20000, 8)), 6, 0.1);
}

struct BadModel {
  const char* text;
  const char* message;
};

class BadLatencyModelTest : public testing::TestWithParam<BadModel> {};

TEST_P(BadLatencyModelTest, IsRejectedWithFieldAndReason) {
  const absl::StatusOr<LatencyModel> model = LatencyModel::Create(Parse(GetParam().text));
  ASSERT_FALSE(model.ok()) << GetParam().text;
  EXPECT_EQ(model.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(model.status().message(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadLatencyModelTest,
    testing::Values(
        BadModel{"token { fixed { seconds: -1 } }", "token.fixed must be >= 0, got -1s"},
        BadModel{"get_item { uniform { min { seconds: -1 } } }",
                 "get_item.uniform.min must be >= 0, got -1s"},
        BadModel{"list { uniform { min { nanos: 5000000 } max { nanos: 1000000 } } }",
                 "list.uniform: max (1ms) must be >= min (5ms)"},
        BadModel{"write_item { log_normal { median { nanos: 1000000 } sigma: -0.5 } }",
                 "write_item.log_normal.sigma must be finite and >= 0, got -0.5"},
        BadModel{"write_item { log_normal { median { nanos: 1000000 } sigma: inf } }",
                 "write_item.log_normal.sigma must be finite and >= 0, got inf"},
        BadModel{"batch { log_normal { median { seconds: -2 } } }",
                 "batch.log_normal.median must be >= 0, got -2s"},
        BadModel{"batch { log_normal { median { seconds: 2 } max { seconds: 1 } } }",
                 "batch.log_normal: max (1s) must be >= median (2s)"},
        BadModel{"other { }", "other is set but has no distribution (fixed, uniform or log_normal)"},
        BadModel{"other { fixed { seconds: 1 nanos: -5 } }",
                 "other.fixed is not a valid duration (seconds 1, nanos -5)"},
        BadModel{"batch_per_line { nanos: -1 }", "batch_per_line must be >= 0, got -1ns"}));

TEST(LatencyModelTest, EmptyConfigIsTheDefaultModel) {
  absl::StatusOr<LatencyModel> model = LatencyModel::Create(pimsim::v1::LatencyModel());
  ASSERT_TRUE(model.ok());
  EXPECT_EQ(DrawMs(*model, pimsim::v1::ROUTE_KIND_LIST, 0, 100, 1),
            DrawMs(LatencyModel(), pimsim::v1::ROUTE_KIND_LIST, 0, 100, 1));
}

}  // namespace
}  // namespace pimsim
