#include "report/internal/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "report/internal/escape.h"
#include "report/internal/format.h"

namespace pimsim::report::internal {
namespace {

constexpr double kFontSize = 12;
// Average advance of a 12 px sans-serif character; used to lay out legends
// and margins without measuring text.
constexpr double kCharWidth = 7;
constexpr double kLegendRow = 20;
constexpr char kAxisColor[] = "#4a5568";
constexpr char kGridColor[] = "#e2e8f0";
constexpr char kTextColor[] = "#2d3748";

std::string Num(double v) {
  if (!std::isfinite(v)) v = 0;
  return FormatDecimal(v, 1);
}

std::string SvgOpen(const std::string& title, double width, double height) {
  return absl::StrCat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" "
      "viewBox=\"0 0 ",
      Num(width), " ", Num(height), "\" width=\"", Num(width), "\" height=\"",
      Num(height), "\" font-family=\"sans-serif\" font-size=\"", Num(kFontSize),
      "\" aria-label=\"", EscapeXmlAttribute(title), "\">", "<title>",
      EscapeXml(title), "</title>");
}

std::string Text(double x, double y, const std::string& text,
                 const std::string& anchor, const std::string& extra = "") {
  return absl::StrCat("<text x=\"", Num(x), "\" y=\"", Num(y),
                      "\" text-anchor=\"", anchor, "\" fill=\"", kTextColor,
                      "\"", extra, ">", EscapeXml(text), "</text>");
}

std::string Line(double x1, double y1, double x2, double y2,
                 const std::string& color, double width,
                 const std::string& extra = "") {
  return absl::StrCat("<line x1=\"", Num(x1), "\" y1=\"", Num(y1), "\" x2=\"",
                      Num(x2), "\" y2=\"", Num(y2), "\" stroke=\"",
                      EscapeXmlAttribute(color), "\" stroke-width=\"",
                      Num(width), "\"", extra, "/>");
}

// The time axis: ticks in seconds, minutes or hours depending on the span.
struct TimeTick {
  double seconds;
  std::string label;
};

std::vector<TimeTick> TimeTicks(double end_seconds) {
  if (!(end_seconds > 0)) end_seconds = 1;
  double unit = 1;
  const char* suffix = " s";
  if (end_seconds > 3 * 3600) {
    unit = 3600, suffix = " h";
  } else if (end_seconds > 600) {
    unit = 60, suffix = " min";
  }
  std::vector<TimeTick> out;
  for (double t : NiceTicks(0, end_seconds / unit, 10)) {
    if (t * unit > end_seconds * (1 + 1e-9)) break;
    out.push_back({t * unit, absl::StrCat(FormatDecimal(t, 2), suffix)});
  }
  return out;
}

// The x axis line, ticks, vertical grid lines and the axis label.
std::string TimeAxis(double left, double right, double top, double bottom,
                     double x_end) {
  std::string out;
  const double span = x_end > 0 ? x_end : 1;
  for (const TimeTick& tick : TimeTicks(span)) {
    const double x = left + (right - left) * tick.seconds / span;
    absl::StrAppend(&out, Line(x, top, x, bottom, kGridColor, 1),
                    Line(x, bottom, x, bottom + 5, kAxisColor, 1),
                    Text(x, bottom + 18, tick.label, "middle"));
  }
  absl::StrAppend(&out, Line(left, bottom, right, bottom, kAxisColor, 1),
                  Text((left + right) / 2, bottom + 34, "time since start",
                       "middle", " font-style=\"italic\""));
  return out;
}

struct LegendItem {
  std::string label;
  std::string color;
  enum class Swatch { kBox, kLine, kDashed, kCircle, kDiamond, kSquare } swatch;
};

int LegendRows(const std::vector<LegendItem>& items, double left,
               double right) {
  int rows = items.empty() ? 0 : 1;
  double x = left;
  for (const LegendItem& item : items) {
    const double w = 22 + EstimateTextWidth(item.label) + 18;
    if (x + w > right && x > left) ++rows, x = left;
    x += w;
  }
  return rows;
}

std::string Marker(LaneMarker::Shape shape, double x, double y,
                   const std::string& color, double r) {
  const std::string fill = EscapeXmlAttribute(color);
  switch (shape) {
    case LaneMarker::Shape::kDiamond:
      return absl::StrCat("<path d=\"M", Num(x), " ", Num(y - r * 1.25), "L",
                          Num(x + r * 1.25), " ", Num(y), "L", Num(x), " ",
                          Num(y + r * 1.25), "L", Num(x - r * 1.25), " ",
                          Num(y), "Z\" fill=\"", fill, "\"");
    case LaneMarker::Shape::kSquare:
      return absl::StrCat("<rect x=\"", Num(x - r), "\" y=\"", Num(y - r),
                          "\" width=\"", Num(2 * r), "\" height=\"", Num(2 * r),
                          "\" fill=\"", fill, "\"");
    case LaneMarker::Shape::kCircle:
    default:
      return absl::StrCat("<circle cx=\"", Num(x), "\" cy=\"", Num(y),
                          "\" r=\"", Num(r), "\" fill=\"", fill, "\"");
  }
}

std::string Legend(const std::vector<LegendItem>& items, double left,
                   double right, double top) {
  std::string out;
  double x = left;
  double y = top;
  for (const LegendItem& item : items) {
    const double w = 22 + EstimateTextWidth(item.label) + 18;
    if (x + w > right && x > left) x = left, y += kLegendRow;
    const double mid = y + kLegendRow / 2;
    const std::string color = EscapeXmlAttribute(item.color);
    switch (item.swatch) {
      case LegendItem::Swatch::kBox:
        absl::StrAppend(&out, "<rect x=\"", Num(x), "\" y=\"", Num(mid - 6),
                        "\" width=\"16\" height=\"12\" fill=\"", color, "\"/>");
        break;
      case LegendItem::Swatch::kLine:
        absl::StrAppend(&out, Line(x, mid, x + 16, mid, item.color, 3));
        break;
      case LegendItem::Swatch::kDashed:
        absl::StrAppend(&out, Line(x, mid, x + 16, mid, item.color, 2,
                                   " stroke-dasharray=\"4 3\""));
        break;
      case LegendItem::Swatch::kCircle:
        absl::StrAppend(
            &out, Marker(LaneMarker::Shape::kCircle, x + 8, mid, item.color, 5),
            "/>");
        break;
      case LegendItem::Swatch::kDiamond:
        absl::StrAppend(
            &out,
            Marker(LaneMarker::Shape::kDiamond, x + 8, mid, item.color, 5),
            "/>");
        break;
      case LegendItem::Swatch::kSquare:
        absl::StrAppend(
            &out, Marker(LaneMarker::Shape::kSquare, x + 8, mid, item.color, 5),
            "/>");
        break;
    }
    absl::StrAppend(&out, Text(x + 22, mid + 4, item.label, "start"));
    x += w;
  }
  return out;
}

double ValueAt(const Series& s, size_t i) {
  if (i >= s.values.size()) return 0;
  const double v = s.values[i];
  return std::isfinite(v) && v > 0 ? v : 0;
}

std::string NoData(double left, double right, double top, double bottom,
                   const std::string& note) {
  return absl::StrCat(
      "<rect x=\"", Num(left), "\" y=\"", Num(top), "\" width=\"",
      Num(std::max(0.0, right - left)), "\" height=\"",
      Num(std::max(0.0, bottom - top)),
      "\" fill=\"#f7fafc\" stroke=\"#cbd5e0\" stroke-dasharray=\"6 4\"/>",
      Text((left + right) / 2, (top + bottom) / 2 + 6, note, "middle",
           " font-size=\"16\" class=\"no-data\""));
}

// Whole-number ticks from 0 past `max`, a step of 1, 2 or 5 times a power of
// ten, at most 7 ticks.
std::vector<double> IntegerTicks(double max) {
  double step = 1;
  for (double magnitude = 1;; magnitude *= 10) {
    bool found = false;
    for (double f : {1, 2, 5}) {
      if (std::ceil(max / (f * magnitude)) <= 6) {
        step = f * magnitude;
        found = true;
        break;
      }
    }
    if (found || magnitude > 1e15) break;
  }
  std::vector<double> ticks;
  for (double t = 0;; t += step) {
    ticks.push_back(t);
    if (t >= max) break;
  }
  return ticks;
}

}  // namespace

std::vector<double> NiceTicks(double min, double max, int target) {
  if (!std::isfinite(min)) min = 0;
  if (!std::isfinite(max) || !(max > min)) max = min + 1;
  if (target < 1) target = 1;
  const double raw = (max - min) / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  const double nice = f <= 1     ? 1
                      : f <= 2   ? 2
                      : f <= 2.5 ? 2.5
                      : f <= 5   ? 5
                                 : 10;
  const double step = nice * magnitude;
  const double first = std::floor(min / step + 1e-9) * step;
  std::vector<double> ticks;
  for (int i = 0; i < 1000; ++i) {
    const double t = first + i * step;
    // Snap away float noise (0.30000000000000004).
    ticks.push_back(std::round(t / step * 1e6) / 1e6 * step);
    if (t >= max - step * 1e-9 && ticks.size() >= 2) break;
  }
  return ticks;
}

double EstimateTextWidth(const std::string& text) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return chars * kCharWidth;
}

std::string FormatTick(double value) {
  const double a = std::fabs(value);
  if (a >= 1e9) return FormatDecimal(value / 1e9, 2) + "G";
  if (a >= 1e6) return FormatDecimal(value / 1e6, 2) + "M";
  if (a >= 1e4) return FormatDecimal(value / 1e3, 2) + "k";
  return FormatDecimal(value, 2);
}

std::string RenderTimeChart(const TimeChart& chart) {
  const double width = chart.width > 200 ? chart.width : 200;
  const double height = chart.height > 120 ? chart.height : 120;
  const double left = std::clamp(chart.left_margin, 48.0, width / 3);
  // Room for the reference lines' labels.
  double ref_label = chart.right_margin;
  for (const ReferenceLine& r : chart.references) {
    ref_label = std::max(ref_label, EstimateTextWidth(r.label) + 12);
  }
  const double right = width - std::max(24.0, ref_label);

  std::vector<LegendItem> legend;
  for (const Series& s : chart.series) {
    const bool filled =
        s.kind == SeriesKind::kStackedBar || s.kind == SeriesKind::kStackedArea;
    legend.push_back(
        {s.name, s.color,
         filled ? LegendItem::Swatch::kBox : LegendItem::Swatch::kLine});
  }
  for (const ReferenceLine& r : chart.references) {
    legend.push_back({r.label, r.color, LegendItem::Swatch::kDashed});
  }
  const double top = 8 + LegendRows(legend, left, right) * kLegendRow + 14;
  const double bottom = height - 44;

  std::string out = SvgOpen(chart.title, width, height);
  absl::StrAppend(&out, Legend(legend, left, right, 6));
  const double y_label_x = left - 50;
  absl::StrAppend(
      &out, Text(y_label_x, (top + bottom) / 2, chart.y_label, "middle",
                 absl::StrCat(" transform=\"rotate(-90 ", Num(y_label_x), " ",
                              Num((top + bottom) / 2), ")\"")));

  const size_t n = chart.x.size();
  const double bucket =
      chart.bucket_seconds > 0 && std::isfinite(chart.bucket_seconds)
          ? chart.bucket_seconds
          : 1;
  if (n == 0) {
    absl::StrAppend(&out, NoData(left, right, top, bottom, "no traffic"),
                    "</svg>");
    return out;
  }
  const double x0 = std::min(0.0, chart.x.front());
  double x_end = x0;
  for (double x : chart.x) x_end = std::max(x_end, x + bucket);
  const double span = x_end - x0;
  const auto px = [&](double seconds) {
    return left + (right - left) * (seconds - x0) / span;
  };

  // The y extent covers stacks, lines and limits.
  std::vector<double> stack_top(n, 0);
  double y_max = 0;
  for (const Series& s : chart.series) {
    for (size_t i = 0; i < n; ++i) {
      if (s.kind == SeriesKind::kStackedBar ||
          s.kind == SeriesKind::kStackedArea) {
        stack_top[i] += ValueAt(s, i);
        y_max = std::max(y_max, stack_top[i]);
      } else {
        y_max = std::max(y_max, ValueAt(s, i));
      }
    }
  }
  for (const ReferenceLine& r : chart.references) {
    if (std::isfinite(r.value)) y_max = std::max(y_max, r.value);
  }
  std::vector<double> y_ticks = NiceTicks(0, y_max > 0 ? y_max * 1.08 : 1, 5);
  if (chart.integer_y) y_ticks = IntegerTicks(y_max > 0 ? y_max * 1.08 : 1);
  const double y_top = y_ticks.back();
  const auto py = [&](double v) { return bottom - (bottom - top) * v / y_top; };

  for (double t : y_ticks) {
    const double y = py(t);
    absl::StrAppend(&out, Line(left, y, right, y, kGridColor, 1),
                    Line(left - 5, y, left, y, kAxisColor, 1),
                    Text(left - 8, y + 4, FormatTick(t), "end"));
  }
  absl::StrAppend(&out, TimeAxis(px(x0), px(x_end), top, bottom, span),
                  Line(left, top, left, bottom, kAxisColor, 1));

  // Stacked series first, so lines and limits stay on top.
  std::vector<double> base(n, 0);
  const double bar_px = px(x0 + bucket) - px(x0);
  const double gap = bar_px > 4 ? 1 : 0;
  for (const Series& s : chart.series) {
    const std::string color = EscapeXmlAttribute(s.color);
    if (s.kind == SeriesKind::kStackedBar) {
      absl::StrAppend(&out, "<g fill=\"", color, "\">");
      for (size_t i = 0; i < n; ++i) {
        const double v = ValueAt(s, i);
        if (v > 0) {
          const double y1 = py(base[i] + v);
          absl::StrAppend(&out, "<rect x=\"", Num(px(chart.x[i]) + gap / 2),
                          "\" y=\"", Num(y1), "\" width=\"",
                          Num(std::max(0.5, bar_px - gap)), "\" height=\"",
                          Num(py(base[i]) - y1), "\"/>");
        }
        base[i] += v;
      }
      absl::StrAppend(&out, "</g>");
    } else if (s.kind == SeriesKind::kStackedArea) {
      std::string points;
      for (size_t i = 0; i < n; ++i) {
        const double y = py(base[i] + ValueAt(s, i));
        absl::StrAppend(&points, Num(px(chart.x[i])), ",", Num(y), " ",
                        Num(px(chart.x[i] + bucket)), ",", Num(y), " ");
      }
      for (size_t i = n; i-- > 0;) {
        const double y = py(base[i]);
        absl::StrAppend(&points, Num(px(chart.x[i] + bucket)), ",", Num(y), " ",
                        Num(px(chart.x[i])), ",", Num(y), " ");
      }
      for (size_t i = 0; i < n; ++i) base[i] += ValueAt(s, i);
      absl::StrAppend(&out, "<polygon points=\"", points, "\" fill=\"", color,
                      "\" fill-opacity=\"0.85\"/>");
    }
  }
  for (const Series& s : chart.series) {
    if (s.kind != SeriesKind::kLine && s.kind != SeriesKind::kStepLine)
      continue;
    std::string points;
    for (size_t i = 0; i < n; ++i) {
      const double y = py(ValueAt(s, i));
      if (s.kind == SeriesKind::kLine) {
        absl::StrAppend(&points, Num(px(chart.x[i] + bucket / 2)), ",", Num(y),
                        " ");
      } else {
        absl::StrAppend(&points, Num(px(chart.x[i])), ",", Num(y), " ",
                        Num(px(chart.x[i] + bucket)), ",", Num(y), " ");
      }
    }
    absl::StrAppend(&out, "<polyline points=\"", points,
                    "\" fill=\"none\" stroke=\"", EscapeXmlAttribute(s.color),
                    "\" stroke-width=\"", Num(s.stroke_width),
                    "\" stroke-linejoin=\"round\"/>");
  }

  // Limits: dashed lines, labels in the right margin pushed apart so they
  // never overlap.
  std::vector<std::pair<double, const ReferenceLine*>> refs;
  for (const ReferenceLine& r : chart.references) {
    if (std::isfinite(r.value)) refs.push_back({py(r.value), &r});
  }
  std::sort(refs.begin(), refs.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  double last_label_y = -1e9;
  for (const auto& [y, r] : refs) {
    absl::StrAppend(&out, Line(left, y, right, y, r->color, 2,
                               " stroke-dasharray=\"8 5\""));
    const double label_y = std::max(y + 4, last_label_y + 15);
    last_label_y = label_y;
    absl::StrAppend(&out, Text(right + 6, label_y, r->label, "start",
                               " font-weight=\"bold\""));
  }

  if (chart.bucket_tooltips) {
    absl::StrAppend(&out, "<g fill=\"#000\" fill-opacity=\"0\">");
    for (size_t i = 0; i < n; ++i) {
      std::string tip =
          absl::StrCat(FormatDecimal(chart.x[i], 2), " s - ",
                       FormatDecimal(chart.x[i] + bucket, 2), " s");
      for (const Series& s : chart.series) {
        absl::StrAppend(&tip, "\n", s.name, ": ",
                        FormatDecimal(ValueAt(s, i), 2),
                        s.unit.empty() ? "" : " ", s.unit);
      }
      absl::StrAppend(&out, "<rect x=\"", Num(px(chart.x[i])), "\" y=\"",
                      Num(top), "\" width=\"", Num(std::max(0.5, bar_px)),
                      "\" height=\"", Num(bottom - top), "\"><title>",
                      EscapeXml(tip), "</title></rect>");
    }
    absl::StrAppend(&out, "</g>");
  }
  absl::StrAppend(&out, "</svg>");
  return out;
}

std::string RenderLaneChart(const LaneChart& chart) {
  const double width = chart.width > 200 ? chart.width : 200;
  double label_width = std::max(48.0, chart.left_margin);
  for (const std::string& lane : chart.lanes) {
    label_width = std::max(label_width, EstimateTextWidth(lane) + 16);
  }
  label_width = std::min(label_width, width / 3);
  const double left = label_width;
  const double right = width - std::clamp(chart.right_margin, 8.0, width / 3);
  std::vector<LegendItem> legend;
  for (const LaneLegendEntry& e : chart.legend) {
    LegendItem::Swatch swatch = LegendItem::Swatch::kCircle;
    if (e.shape == LaneMarker::Shape::kDiamond)
      swatch = LegendItem::Swatch::kDiamond;
    if (e.shape == LaneMarker::Shape::kSquare)
      swatch = LegendItem::Swatch::kSquare;
    legend.push_back({e.label, e.color, swatch});
  }
  const double top = 8 + LegendRows(legend, left, right) * kLegendRow + 10;
  constexpr double kLane = 26;
  const double lanes_height = std::max<double>(1, chart.lanes.size()) * kLane;
  const double bottom = top + lanes_height;
  const double height = bottom + (chart.lanes.empty() ? 8 : 44);

  std::string out = SvgOpen(chart.title, width, height);
  absl::StrAppend(&out, Legend(legend, left, right, 6));
  if (chart.lanes.empty()) {
    absl::StrAppend(&out, NoData(left, right, top, bottom, "no violations"),
                    "</svg>");
    return out;
  }
  const double span =
      chart.x_end > 0 && std::isfinite(chart.x_end) ? chart.x_end : 1;
  for (size_t i = 0; i < chart.lanes.size(); ++i) {
    const double y = top + i * kLane;
    if (i % 2 == 0) {
      absl::StrAppend(&out, "<rect x=\"", Num(left), "\" y=\"", Num(y),
                      "\" width=\"", Num(right - left), "\" height=\"",
                      Num(kLane), "\" fill=\"#f7fafc\"/>");
    }
    std::string label = chart.lanes[i];
    const size_t max_chars =
        static_cast<size_t>((label_width - 16) / kCharWidth);
    if (label.size() > max_chars && max_chars > 3) {
      label = label.substr(0, max_chars - 3) + "...";
    }
    absl::StrAppend(&out, Text(left - 8, y + kLane / 2 + 4, label, "end"));
  }
  absl::StrAppend(&out, TimeAxis(left, right, top, bottom, span),
                  Line(left, top, left, bottom, kAxisColor, 1));
  for (const LaneMarker& m : chart.markers) {
    if (m.lane < 0 || m.lane >= static_cast<int>(chart.lanes.size())) continue;
    const double t = std::clamp(std::isfinite(m.x) ? m.x : 0, 0.0, span);
    const double x = left + (right - left) * t / span;
    const double y = top + m.lane * kLane + kLane / 2;
    absl::StrAppend(&out, Marker(m.shape, x, y, m.color, 5.5),
                    " fill-opacity=\"0.8\" stroke=\"#fff\" stroke-width=\"1\">",
                    "<title>", EscapeXml(m.tooltip), "</title>",
                    m.shape == LaneMarker::Shape::kCircle   ? "</circle>"
                    : m.shape == LaneMarker::Shape::kSquare ? "</rect>"
                                                            : "</path>");
  }
  absl::StrAppend(&out, "</svg>");
  return out;
}

}  // namespace pimsim::report::internal
