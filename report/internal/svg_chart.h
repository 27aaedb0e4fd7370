// Inline SVG charts over the run's time axis, for the HTML report: stacked
// bars and areas, lines, dashed reference lines (the limits), and a lane chart
// of point events (violations). Output is a standalone <svg> element with
// axes, ticks, labels and a legend; it needs no script, font or stylesheet.
//
// Every text (series names, tooltips, lane labels) is escaped here. Empty or
// degenerate input (no points, all zeros, zero width buckets) renders an empty
// chart with a "no traffic" note instead of dividing by zero.
//
// Thread-safety: pure functions.
//
//   TimeChart chart;
//   chart.x = {0, 1, 2};  chart.bucket_seconds = 1;
//   chart.series.push_back({"admitted", "#2b6cb0", {90, 95, 97},
//   SeriesKind::kStackedBar}); std::string svg = RenderTimeChart(chart);
#ifndef PIMSIM_REPORT_INTERNAL_SVG_CHART_H_
#define PIMSIM_REPORT_INTERNAL_SVG_CHART_H_

#include <string>
#include <vector>

namespace pimsim::report::internal {

enum class SeriesKind {
  kStackedBar,   // one bar per bucket, stacked on earlier stacked series
  kStackedArea,  // a step-shaped area per bucket, stacked likewise
  kStepLine,     // flat across each bucket: a per-bucket maximum
  kLine,         // through the bucket centres
};

struct Series {
  std::string name;            // legend text
  std::string color;           // any CSS colour
  std::vector<double> values;  // one per bucket; missing ones count as 0
  SeriesKind kind = SeriesKind::kLine;
  double stroke_width = 2;
  // How the per-bucket tooltip prints a value ("{} req/s" style suffix).
  std::string unit;
};

// A horizontal dashed line at a fixed value, labelled in the right margin.
struct ReferenceLine {
  double value = 0;
  std::string label;  // e.g. "limit 100 req/s"
  std::string color;
};

struct TimeChart {
  std::string title;  // accessible name of the <svg>
  std::string y_label;
  double width = 1160;
  double height = 300;
  // Plot margins, so charts stacked on a page can align their time axes. The
  // right one grows to fit the reference lines' labels.
  double left_margin = 64;
  double right_margin = 24;
  // Bucket starts in seconds since the run's origin, ascending.
  std::vector<double> x;
  double bucket_seconds = 1;
  std::vector<Series> series;
  std::vector<ReferenceLine> references;
  // Y ticks at whole numbers only (counts, in-flight requests).
  bool integer_y = false;
  // Hovering a bucket shows every series' value there.
  bool bucket_tooltips = true;
};

struct LaneMarker {
  double x = 0;  // seconds since the run's origin
  int lane = 0;  // index into LaneChart::lanes
  std::string color;
  enum class Shape { kCircle, kDiamond, kSquare } shape = Shape::kCircle;
  std::string tooltip;
};

struct LaneLegendEntry {
  std::string label;
  std::string color;
  LaneMarker::Shape shape = LaneMarker::Shape::kCircle;
};

// One row per lane (e.g. per rule), markers at their time.
struct LaneChart {
  std::string title;
  double width = 1160;
  // As in TimeChart; the left one grows to fit the lane labels.
  double left_margin = 64;
  double right_margin = 24;
  // Time axis extent, seconds since the origin.
  double x_end = 0;
  std::vector<std::string> lanes;
  std::vector<LaneMarker> markers;
  std::vector<LaneLegendEntry> legend;
};

std::string RenderTimeChart(const TimeChart& chart);
std::string RenderLaneChart(const LaneChart& chart);

// About `target` round tick values (1, 2, 2.5 or 5 times a power of ten) from
// `min` to at least `max`, both included. Always at least two ticks.
std::vector<double> NiceTicks(double min, double max, int target);

// A tick label: "950", "1.5k", "2M", "0.25".
std::string FormatTick(double value);

// The width text takes in the charts' 12 px font, estimated (no font metrics
// here); for lining margins up across charts.
double EstimateTextWidth(const std::string& text);

}  // namespace pimsim::report::internal

#endif  // PIMSIM_REPORT_INTERNAL_SVG_CHART_H_
