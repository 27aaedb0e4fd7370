#include "report/internal/svg_chart.h"

#include <limits>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace pimsim::report::internal {
namespace {

bool HasBadNumber(const std::string& svg) {
  return absl::StrContains(svg, "nan") || absl::StrContains(svg, "inf");
}

TEST(NiceTicksTest, PicksRoundSteps) {
  EXPECT_EQ(NiceTicks(0, 100, 5),
            (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(NiceTicks(0, 9, 4), (std::vector<double>{0, 2.5, 5, 7.5, 10}));
  EXPECT_EQ(NiceTicks(0, 0.9, 3), (std::vector<double>{0, 0.5, 1}));
}

TEST(NiceTicksTest, SurvivesDegenerateRanges) {
  EXPECT_GE(NiceTicks(0, 0, 5).size(), 2u);
  EXPECT_GE(NiceTicks(5, 1, 5).size(), 2u);
  EXPECT_GE(NiceTicks(0, std::numeric_limits<double>::quiet_NaN(), 0).size(),
            2u);
}

TEST(FormatTickTest, UsesSiSuffixesForLargeValues) {
  EXPECT_EQ(FormatTick(950), "950");
  EXPECT_EQ(FormatTick(2500), "2500");
  EXPECT_EQ(FormatTick(15000), "15k");
  EXPECT_EQ(FormatTick(2'000'000), "2M");
  EXPECT_EQ(FormatTick(0.25), "0.25");
}

TEST(RenderTimeChartTest, SaysNoTrafficWithoutPoints) {
  TimeChart chart;
  chart.title = "rate";
  chart.series.push_back({"admitted", "#00f", {}, SeriesKind::kStackedBar});
  chart.references.push_back({100, "limit 100/s", "#000"});
  const std::string svg = RenderTimeChart(chart);
  EXPECT_TRUE(absl::StrContains(svg, "no traffic"));
  EXPECT_TRUE(absl::StartsWith(svg, "<svg"));
  EXPECT_TRUE(absl::EndsWith(svg, "</svg>"));
  EXPECT_FALSE(HasBadNumber(svg));
}

TEST(RenderTimeChartTest, DrawsAllZeroDataWithoutDividingByZero) {
  TimeChart chart;
  chart.x = {0};
  chart.bucket_seconds = 0;
  chart.series.push_back({"admitted", "#00f", {0}, SeriesKind::kStackedBar});
  chart.series.push_back({"in flight", "#0f0", {0}, SeriesKind::kStepLine});
  chart.series.push_back({"rate", "#f00", {0}, SeriesKind::kStackedArea});
  chart.integer_y = true;
  const std::string svg = RenderTimeChart(chart);
  EXPECT_FALSE(HasBadNumber(svg)) << svg;
  EXPECT_FALSE(absl::StrContains(svg, "no traffic"));
}

TEST(RenderTimeChartTest, DrawsSeriesLimitsAndTooltips) {
  TimeChart chart;
  chart.x = {0, 1, 2};
  chart.series.push_back(
      {"admitted", "#00f", {90, 95, 97}, SeriesKind::kStackedBar});
  chart.series.push_back(
      {"rejected", "#f00", {0, 10, 30}, SeriesKind::kStackedBar});
  chart.series.push_back({"retries", "#0a0", {1, 2, 3}, SeriesKind::kLine});
  chart.references.push_back({100, "limit 100/s", "#000"});
  const std::string svg = RenderTimeChart(chart);
  EXPECT_TRUE(absl::StrContains(svg, "stroke-dasharray=\"8 5\""));
  EXPECT_TRUE(absl::StrContains(svg, ">limit 100/s</text>"));
  EXPECT_TRUE(absl::StrContains(svg, "<polyline"));
  EXPECT_TRUE(absl::StrContains(svg, "rejected: 30"));
  EXPECT_FALSE(HasBadNumber(svg));
}

TEST(RenderTimeChartTest, EscapesNames) {
  TimeChart chart;
  chart.title = "a<b";
  chart.x = {0};
  chart.series.push_back({"<script>&", "#00f", {1}, SeriesKind::kLine});
  const std::string svg = RenderTimeChart(chart);
  EXPECT_FALSE(absl::StrContains(svg, "<script>"));
  EXPECT_TRUE(absl::StrContains(svg, "&lt;script&gt;&amp;"));
  EXPECT_TRUE(absl::StrContains(svg, "a&lt;b"));
}

TEST(RenderLaneChartTest, SaysNoViolationsWithoutLanes) {
  LaneChart chart;
  EXPECT_TRUE(absl::StrContains(RenderLaneChart(chart), "no violations"));
}

TEST(RenderLaneChartTest, PlacesMarkersWithTooltipsAndIgnoresBadLanes) {
  LaneChart chart;
  chart.x_end = 10;
  chart.lanes = {"retry_after.ignored"};
  chart.markers.push_back({5, 0, "#f00", LaneMarker::Shape::kCircle, "t<1>"});
  chart.markers.push_back(
      {5, 3, "#f00", LaneMarker::Shape::kDiamond, "bad lane"});
  chart.markers.push_back({std::numeric_limits<double>::infinity(), 0, "#f00",
                           LaneMarker::Shape::kSquare, "far"});
  const std::string svg = RenderLaneChart(chart);
  EXPECT_TRUE(absl::StrContains(svg, "<title>t&lt;1&gt;</title></circle>"));
  EXPECT_FALSE(absl::StrContains(svg, "bad lane"));
  EXPECT_TRUE(absl::StrContains(svg, "<title>far</title></rect>"));
  EXPECT_FALSE(HasBadNumber(svg));
}

}  // namespace
}  // namespace pimsim::report::internal
