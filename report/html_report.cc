#include "report/html_report.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "report/internal/escape.h"
#include "report/internal/format.h"
#include "report/internal/svg_chart.h"

namespace pimsim::report {
namespace {

using internal::FormatCount;
using internal::FormatDecimal;
using internal::FormatMicros;
using internal::SeriesKind;

std::string Esc(absl::string_view text) { return internal::EscapeXml(text); }

constexpr char kErrorColor[] = "#d62728";
constexpr char kWarningColor[] = "#e69500";
constexpr char kAdviceColor[] = "#2b6cb0";
constexpr const char* kConnectionColors[] = {"#2b6cb0", "#2f9e44", "#9c36b5",
                                             "#e8590c", "#0c8599", "#5c940d"};

constexpr char kStyle[] = R"css(
*{box-sizing:border-box}
body{margin:0;background:#f1f4f8;color:#1a202c;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:20px 24px 40px}
header{display:flex;align-items:center;gap:18px;flex-wrap:wrap;margin-bottom:14px}
h1{font-size:22px;margin:0}
h2{font-size:17px;margin:0 0 10px}
h3{font-size:14px;margin:18px 0 4px;color:#2d3748}
.sub{color:#4a5568}
.badge{display:inline-block;padding:6px 16px;border-radius:6px;font-weight:700;font-size:20px;letter-spacing:.05em;color:#fff}
.verdict-PASS{background:#2f9e44}.verdict-FAIL{background:#c92a2a}.verdict-ERROR{background:#9c36b5}.verdict-UNSPECIFIED{background:#718096}
section{background:#fff;border-radius:8px;padding:16px 20px;margin:14px 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:10px}
.card{background:#fff;border-radius:8px;padding:10px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card .k{color:#4a5568;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}
.card .n{color:#4a5568;font-size:12px}
.over{color:#c92a2a}
table{border-collapse:collapse;width:100%}
th,td{padding:5px 8px;border-bottom:1px solid #e2e8f0;text-align:left;vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#4a5568;background:#f7fafc}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.id{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}
tr.violated td{background:#fff8f8}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.sev-error{background:#ffe3e3;color:#a61e1e}.sev-warning{background:#fff3bf;color:#8a5a00}.sev-advice{background:#dbe9fb;color:#1e4e8c}.sev-unspecified{background:#edf2f7;color:#4a5568}
.out-passed{background:#d3f9d8;color:#1b6b2c}.out-violated{background:#c92a2a;color:#fff}.out-undecided{background:#edf2f7;color:#4a5568}.out-disabled{background:#edf2f7;color:#718096}.out-unspecified{background:#edf2f7;color:#718096}
.desc{color:#4a5568;font-size:13px}
svg.chart{display:block;width:100%;height:auto;margin:4px 0 12px}
.errors{border-left:5px solid #9c36b5}
.errors li{font-family:ui-monospace,Menlo,Consolas,monospace}
details{margin:8px 0}
summary{cursor:pointer;font-weight:600}
.events{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#4a5568}
tr.evidence>td{padding:0 8px 8px 24px;border-bottom:1px solid #e2e8f0}
table.evidence{width:auto;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#2d3748}
table.evidence th{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:11px;padding:2px 8px;background:none;white-space:nowrap}
table.evidence td{padding:2px 8px;border-bottom:1px solid #edf2f7;white-space:nowrap}
table.evidence td.path{white-space:normal;word-break:break-all;min-width:16em}
td.st-bad{color:#c92a2a;font-weight:600}td.st-warn{color:#8a5a00;font-weight:600}
.live{display:inline-block;padding:4px 12px;border-radius:6px;font-weight:700;font-size:14px;background:#fff3bf;color:#8a5a00;border:1px solid #e69500}
.note{color:#4a5568;font-size:13px}
.empty{padding:40px;text-align:center;color:#718096;font-size:18px;border:2px dashed #cbd5e0;border-radius:8px}
footer{color:#718096;font-size:12px;text-align:center}
)css";

std::string Pill(const std::string& cls, const std::string& text) {
  return absl::StrCat("<span class=\"pill ", cls, "\">", Esc(text), "</span>");
}

std::string SeverityColor(pimsim::v1::Severity severity) {
  switch (severity) {
    case pimsim::v1::SEVERITY_ERROR:
      return kErrorColor;
    case pimsim::v1::SEVERITY_WARNING:
      return kWarningColor;
    default:
      return kAdviceColor;
  }
}

internal::LaneMarker::Shape SeverityShape(pimsim::v1::Severity severity) {
  switch (severity) {
    case pimsim::v1::SEVERITY_ERROR:
      return internal::LaneMarker::Shape::kCircle;
    case pimsim::v1::SEVERITY_WARNING:
      return internal::LaneMarker::Shape::kDiamond;
    default:
      return internal::LaneMarker::Shape::kSquare;
  }
}

std::string Card(const std::string& key, const std::string& value,
                 const std::string& note, bool over = false) {
  return absl::StrCat("<div class=\"card\"><div class=\"k\">", Esc(key),
                      "</div><div class=\"v", over ? " over" : "", "\">",
                      Esc(value), "</div><div class=\"n\">", Esc(note),
                      "</div></div>");
}

// Rules in catalogue order, then rules only the violations name.
struct RuleIndex {
  std::vector<std::string> order;
  std::map<std::string, const pimsim::v1::RuleResult*> results;
  std::map<std::string, std::vector<const pimsim::v1::Violation*>> violations;
};

RuleIndex IndexRules(const pimsim::v1::Report& report) {
  RuleIndex index;
  for (const auto& rule : report.rules()) {
    if (index.results.emplace(rule.rule(), &rule).second) {
      index.order.push_back(rule.rule());
    }
  }
  for (const auto& v : report.violations()) {
    if (!index.results.count(v.rule()) && !index.violations.count(v.rule())) {
      index.order.push_back(v.rule());
    }
    index.violations[v.rule()].push_back(&v);
  }
  return index;
}

std::string Header(const pimsim::v1::Report& report) {
  const std::string verdict = internal::VerdictLabel(report.verdict());
  std::string out =
      absl::StrCat("<header><span class=\"badge verdict-", verdict,
                   "\" id=\"verdict\">", verdict, "</span>");
  if (report.live()) {
    absl::StrAppend(&out,
                    "<span class=\"live\" id=\"live\" title=\"The run is "
                    "still going: rules that need what follows an attempt "
                    "are undecided for the attempts near its end.\">live "
                    "snapshot</span>");
  }
  absl::StrAppend(&out,
                  "<div><h1>pimsim compliance report</h1><div class=\"sub\">");
  if (!report.scenario().empty()) {
    absl::StrAppend(&out, "scenario <b>", Esc(report.scenario()),
                    "</b> &middot; ");
  }
  absl::StrAppend(&out, report.rules_size(),
                  " rules: ", Esc(internal::ViolatedRulesSummary(report)),
                  " &middot; ", FormatCount(report.events()),
                  " journal events</div></div></header>\n");
  return out;
}

std::string Errors(const pimsim::v1::Report& report) {
  if (report.errors_size() == 0 && report.journal_overflowed() == 0) return "";
  std::string out =
      "<section class=\"errors\"><h2>The run did not complete cleanly</h2><ul>";
  for (const std::string& e : report.errors()) {
    absl::StrAppend(&out, "<li>", Esc(e), "</li>");
  }
  if (report.journal_overflowed() > 0) {
    absl::StrAppend(&out, "<li>journal overflowed: ",
                    FormatCount(report.journal_overflowed()),
                    " events lost</li>");
  }
  absl::StrAppend(&out, "</ul></section>\n");
  return out;
}

std::string PeakNote(const google::protobuf::Map<std::string, uint32_t>& map,
                     uint32_t* peak) {
  const auto sorted = internal::ByValueDescending(map);
  *peak = sorted.empty() ? 0 : sorted.front().second;
  return sorted.empty() ? std::string("-") : sorted.front().first;
}

std::string Cards(const pimsim::v1::Report& report) {
  const pimsim::v1::ReportMetrics& m = report.metrics();
  uint32_t conn_peak = 0, inst_peak = 0;
  const std::string conn = PeakNote(m.max_in_flight_connection(), &conn_peak);
  const std::string inst = PeakNote(m.max_in_flight_instance(), &inst_peak);
  uint64_t listed = report.violations_size();
  return absl::StrCat(
      "<div class=\"cards\">",
      Card("requests", FormatCount(m.requests()),
           absl::StrCat("in ", FormatMicros(internal::RunMicros(m)))),
      Card("admitted",
           absl::StrCat(FormatDecimal(m.admitted_per_second(), 1), "/s"),
           absl::StrCat("limit ",
                        FormatDecimal(m.limit_requests_per_second(), 1), "/s")),
      Card("rejected (429)", FormatCount(m.rejected()),
           absl::StrCat(FormatDecimal(m.rejected_per_second(), 1), "/s")),
      Card("retries", FormatCount(m.retries()), "recognised retries"),
      Card("latency p50 / p90",
           absl::StrCat(FormatMicros(m.latency_p50_us()), " / ",
                        FormatMicros(m.latency_p90_us())),
           absl::StrCat("p99 ", FormatMicros(m.latency_p99_us()), ", max ",
                        FormatMicros(m.latency_max_us()))),
      Card("peak in flight / connection",
           absl::StrCat(conn_peak, " / ", m.limit_in_flight_connection()), conn,
           m.limit_in_flight_connection() > 0 &&
               conn_peak > m.limit_in_flight_connection()),
      Card("peak in flight / instance",
           absl::StrCat(inst_peak, " / ", m.limit_in_flight_instance()), inst,
           m.limit_in_flight_instance() > 0 &&
               inst_peak > m.limit_in_flight_instance()),
      Card("violations", FormatCount(listed + report.violations_dropped()),
           report.violations_dropped() > 0
               ? absl::StrCat(FormatCount(report.violations_dropped()),
                              " not listed")
               : "all listed"),
      "</div>\n");
}

std::string Charts(const pimsim::v1::Report& report, const RuleIndex& index) {
  const pimsim::v1::ReportMetrics& m = report.metrics();
  const int64_t origin = internal::RunOriginMicros(report);
  const double bucket = internal::BucketMicros(m) / 1e6;
  std::string out = "<section id=\"charts\"><h2>Traffic over time</h2>\n";
  const size_t charts_start = out.size();
  const int n = m.timeline_size();
  std::vector<double> x;
  for (const auto& b : m.timeline()) x.push_back((b.start_us() - origin) / 1e6);

  // The lane chart's rule ids and the limits' labels set the margins of all
  // four charts, so their time axes line up.
  double left = 64;
  for (const std::string& id : index.order) {
    if (index.violations.count(id)) {
      left = std::max(left, internal::EstimateTextWidth(id) + 16);
    }
  }
  double right = 24;
  const auto fit_labels = [&right](const internal::TimeChart& chart) {
    for (const auto& r : chart.references) {
      right = std::max(right, internal::EstimateTextWidth(r.label) + 12);
    }
  };
  std::vector<internal::TimeChart> charts;

  if (n == 0) {
    absl::StrAppend(&out,
                    "<div class=\"empty\">no traffic: the journal has no "
                    "requests to chart</div>\n");
  } else {
    // (a) Request rate.
    internal::TimeChart rate;
    rate.title = "Request rate per second against the rate limit";
    rate.y_label = "requests / s";
    rate.x = x;
    rate.bucket_seconds = bucket;
    internal::Series admitted{
        "admitted", "#4c8fd6", {}, SeriesKind::kStackedArea, 2, "req/s"};
    internal::Series rejected{"rejected (429)",         "#f08c00", {},
                              SeriesKind::kStackedArea, 2,         "req/s"};
    for (const auto& b : m.timeline()) {
      admitted.values.push_back(b.admitted() / bucket);
      rejected.values.push_back(b.rejected() / bucket);
    }
    rate.series = {admitted, rejected};
    if (m.limit_requests_per_second() > 0) {
      rate.references.push_back(
          {m.limit_requests_per_second(),
           absl::StrCat("limit ",
                        FormatDecimal(m.limit_requests_per_second(), 1), "/s"),
           "#c92a2a"});
    }
    charts.push_back(std::move(rate));

    // (b) In flight.
    internal::TimeChart flight;
    flight.title = "Peak requests in flight per connection and per instance";
    flight.y_label = "in flight";
    flight.x = x;
    flight.bucket_seconds = bucket;
    flight.integer_y = true;
    std::map<std::string, uint32_t> peaks;
    for (const auto& b : m.timeline()) {
      for (const auto& [name, value] : b.max_in_flight_connection()) {
        peaks[name] = std::max(peaks[name], value);
      }
    }
    std::vector<std::pair<std::string, uint32_t>> ranked(peaks.begin(),
                                                         peaks.end());
    std::stable_sort(
        ranked.begin(), ranked.end(),
        [](const auto& a, const auto& b) { return a.second > b.second; });
    const size_t shown =
        std::min<size_t>(ranked.size(), kHtmlMaxConnectionLines);
    for (size_t c = 0; c < shown; ++c) {
      internal::Series s{ranked[c].first,
                         kConnectionColors[c],
                         {},
                         SeriesKind::kStepLine,
                         2,
                         ""};
      for (const auto& b : m.timeline()) {
        const auto it = b.max_in_flight_connection().find(ranked[c].first);
        s.values.push_back(
            it == b.max_in_flight_connection().end() ? 0 : it->second);
      }
      flight.series.push_back(std::move(s));
    }
    internal::Series instance{"instance", "#1a202c", {}, SeriesKind::kStepLine,
                              3,          ""};
    for (const auto& b : m.timeline())
      instance.values.push_back(b.max_in_flight_instance());
    flight.series.push_back(std::move(instance));
    if (m.limit_in_flight_connection() > 0) {
      flight.references.push_back(
          {static_cast<double>(m.limit_in_flight_connection()),
           absl::StrCat("connection limit ", m.limit_in_flight_connection()),
           "#c92a2a"});
    }
    if (m.limit_in_flight_instance() > 0) {
      flight.references.push_back(
          {static_cast<double>(m.limit_in_flight_instance()),
           absl::StrCat("instance limit ", m.limit_in_flight_instance()),
           "#495057"});
    }
    charts.push_back(std::move(flight));

    // (c) Statuses and retries.
    internal::TimeChart status;
    status.title = "Responses by status and retries per bucket";
    status.y_label =
        absl::StrCat("requests per ", FormatDecimal(bucket, 3), " s");
    status.x = x;
    status.bucket_seconds = bucket;
    status.integer_y = true;
    internal::Series ok{"2xx / other",           "#69db7c", {},
                        SeriesKind::kStackedBar, 2,         ""};
    internal::Series limited{"429", "#f08c00", {}, SeriesKind::kStackedBar,
                             2,     ""};
    internal::Series failed{"5xx / 408 / faults",    "#e03131", {},
                            SeriesKind::kStackedBar, 2,         ""};
    internal::Series retries{"retries",         "#5f3dc4", {},
                             SeriesKind::kLine, 2.5,       ""};
    for (const auto& b : m.timeline()) {
      const uint64_t bad = b.rejected() + b.failed();
      ok.values.push_back(b.requests() > bad ? b.requests() - bad : 0);
      limited.values.push_back(b.rejected());
      failed.values.push_back(b.failed());
      retries.values.push_back(b.retries());
    }
    status.series = {ok, limited, failed, retries};
    charts.push_back(std::move(status));

    for (const auto& chart : charts) fit_labels(chart);
    const char* headings[] = {"Request rate per second", "Peak in flight",
                              "Statuses and retries"};
    for (size_t i = 0; i < charts.size(); ++i) {
      charts[i].left_margin = left;
      charts[i].right_margin = right;
      absl::StrAppend(&out, "<h3>", headings[i], "</h3>");
      if (i == 1 && ranked.size() > shown) {
        absl::StrAppend(&out, "<p class=\"note\">The ", shown,
                        " connections with "
                        "the highest peaks, of ",
                        ranked.size(), ".</p>");
      }
      absl::StrAppend(&out, internal::RenderTimeChart(charts[i]), "\n");
    }
  }

  // The run's phases, on the same time axis as the charts, above them.
  if (report.phases_size() > 0) {
    const double width = 1160;
    double span_end = n > 0 ? x.back() + bucket : 0;
    for (const auto& p : report.phases()) {
      span_end = std::max(span_end, (std::max(p.end_us(), p.start_us()) - origin) / 1e6);
    }
    if (span_end <= 0) span_end = 1;
    const double plot = width - left - right;
    std::string svg = absl::StrCat(
        "<h3>Phases</h3><svg role=\"img\" aria-label=\"Phases of the run\" width=\"", width,
        "\" height=\"34\" viewBox=\"0 0 ", width, " 34\">");
    const char* const fills[] = {"#dbe7f6", "#f6e7d0"};
    for (int i = 0; i < report.phases_size(); ++i) {
      const auto& p = report.phases(i);
      const double start = std::max(0.0, (p.start_us() - origin) / 1e6);
      const double stop = p.end_us() > 0 ? (p.end_us() - origin) / 1e6 : span_end;
      const double x0 = left + plot * std::min(start, span_end) / span_end;
      const double x1 = left + plot * std::min(std::max(stop, start), span_end) / span_end;
      absl::StrAppend(&svg, "<g><title>", Esc(p.name()), ": ",
                      internal::FormatOffset(p.start_us() - origin), " to ",
                      internal::FormatOffset((p.end_us() > 0 ? p.end_us() : p.start_us()) - origin),
                      "</title><rect x=\"", x0, "\" y=\"4\" width=\"", std::max(1.0, x1 - x0),
                      "\" height=\"26\" fill=\"", fills[i % 2],
                      "\" stroke=\"#8a8a8a\"/><text x=\"", x0 + 4,
                      "\" y=\"21\" font-size=\"12\" font-family=\"sans-serif\">",
                      Esc(p.name()), "</text></g>");
    }
    absl::StrAppend(&svg, "</svg>\n");
    out.insert(charts_start, svg);
  }

  // (d) Violations on the timeline: one lane per rule.
  internal::LaneChart lanes;
  lanes.title = "Violations over time, one row per rule";
  lanes.left_margin = left;
  lanes.right_margin = right;
  double end = n > 0 ? x.back() + bucket : 0;
  std::map<std::string, int> lane_of;
  for (const std::string& id : index.order) {
    if (!index.violations.count(id)) continue;
    lane_of[id] = static_cast<int>(lanes.lanes.size());
    lanes.lanes.push_back(id);
  }
  std::set<pimsim::v1::Severity> severities;
  for (const auto& v : report.violations()) {
    const double t = (v.time_us() - origin) / 1e6;
    end = std::max(end, t);
    severities.insert(v.severity());
    std::string tip = absl::StrCat(internal::FormatOffset(v.time_us() - origin),
                                   "  ", v.rule(), " (",
                                   internal::SeverityLabel(v.severity()), ")");
    if (!v.connection().empty() || !v.instance().empty()) {
      absl::StrAppend(&tip, "\n", v.connection(),
                      v.instance().empty() ? "" : " @ ", v.instance());
    }
    absl::StrAppend(&tip, "\n", v.message());
    if (v.event_ids_size() > 0) {
      absl::StrAppend(&tip, "\nevents ", internal::FormatEventIds(v, 8));
    }
    lanes.markers.push_back({t, lane_of[v.rule()], SeverityColor(v.severity()),
                             SeverityShape(v.severity()), tip});
  }
  lanes.x_end = end > 0 ? end : 1;
  for (auto severity :
       {pimsim::v1::SEVERITY_ERROR, pimsim::v1::SEVERITY_WARNING,
        pimsim::v1::SEVERITY_ADVICE}) {
    lanes.legend.push_back({internal::SeverityLabel(severity),
                            SeverityColor(severity), SeverityShape(severity)});
  }
  absl::StrAppend(&out, "<h3>Violations on the timeline</h3>",
                  lanes.lanes.empty()
                      ? "<div class=\"empty\">no violations</div>"
                      : internal::RenderLaneChart(lanes),
                  "\n</section>\n");
  return out;
}

std::string RuleTable(const pimsim::v1::Report& report) {
  std::string out =
      "<section id=\"rules\"><h2>Rules</h2><table><thead><tr><th>rule</th>"
      "<th>severity</th><th>outcome</th><th class=\"num\">violations</th>"
      "<th class=\"num\">samples</th><th>what it checks / measured</th></tr>"
      "</thead><tbody>\n";
  if (report.rules_size() == 0) {
    absl::StrAppend(&out,
                    "<tr><td colspan=\"6\">no rules evaluated</td></tr>\n");
  }
  for (const auto& rule : report.rules()) {
    const bool violated = rule.outcome() == pimsim::v1::RULE_OUTCOME_VIOLATED;
    const std::string severity = internal::SeverityLabel(rule.severity());
    const std::string outcome = internal::OutcomeLabel(rule.outcome());
    std::string outcome_cell = Pill("out-" + outcome, outcome);
    const pimsim::v1::Severity at = internal::ViolatedSeverity(rule);
    if (violated && at != rule.severity()) {
      const std::string label = internal::SeverityLabel(at);
      absl::StrAppend(&outcome_cell, " ", Pill("sev-" + label, "as " + label));
    }
    absl::StrAppend(&out, "<tr", violated ? " class=\"violated\"" : "",
                    "><td class=\"id\">", Esc(rule.rule()), "</td><td>",
                    Pill("sev-" + severity, severity), "</td><td>",
                    outcome_cell, "</td><td class=\"num\">",
                    FormatCount(rule.violations()), "</td><td class=\"num\">",
                    FormatCount(rule.samples()), "</td><td>",
                    Esc(rule.description()));
    if (!rule.detail().empty()) {
      absl::StrAppend(&out, "<div class=\"desc\">", Esc(rule.detail()),
                      "</div>");
    }
    if (violated && !rule.advice().empty()) {
      absl::StrAppend(&out, "<div class=\"desc\"><b>What to change:</b> ",
                      Esc(rule.advice()), "</div>");
    }
    absl::StrAppend(&out, "</td></tr>\n");
  }
  absl::StrAppend(&out, "</tbody></table></section>\n");
  return out;
}

// A violation's evidence as a small table under its row: one row per
// journal event, the columns that are not empty for every event.
std::string EvidenceTable(const pimsim::v1::Violation& v) {
  if (v.evidence_size() == 0) return "";
  const auto& columns = internal::EvidenceColumns();
  std::vector<bool> used(columns.size(), false);
  for (const auto& line : v.evidence()) {
    for (size_t c = 0; c < columns.size(); ++c) {
      used[c] = used[c] || !columns[c].value(line).empty();
    }
  }
  std::string out =
      "<tr class=\"evidence\"><td colspan=\"5\"><table "
      "class=\"evidence\"><thead><tr>";
  for (size_t c = 0; c < columns.size(); ++c) {
    if (!used[c]) continue;
    absl::StrAppend(&out, "<th", columns[c].numeric ? " class=\"num\"" : "",
                    ">", Esc(columns[c].heading), "</th>");
  }
  absl::StrAppend(&out, "</tr></thead><tbody>");
  for (const auto& line : v.evidence()) {
    absl::StrAppend(&out, "<tr class=\"ev\">");
    for (size_t c = 0; c < columns.size(); ++c) {
      if (!used[c]) continue;
      const absl::string_view heading = columns[c].heading;
      std::string cls = columns[c].numeric ? "num" : "";
      if (heading == "path") cls = "path";
      if (heading == "status") {
        switch (internal::ToneOfStatus(line.status())) {
          case internal::StatusTone::kFailed:
            cls = "st-bad";
            break;
          case internal::StatusTone::kClientError:
            cls = "st-warn";
            break;
          default:
            break;
        }
      }
      absl::StrAppend(&out, "<td", cls.empty() ? "" : " class=\"" + cls + "\"",
                      ">",
                      Esc(internal::ShortenMiddle(columns[c].value(line),
                                                  kHtmlEvidenceCellWidth)),
                      "</td>");
    }
    absl::StrAppend(&out, "</tr>");
  }
  absl::StrAppend(&out, "</tbody></table></td></tr>\n");
  return out;
}

std::string ViolationList(const pimsim::v1::Report& report,
                          const RuleIndex& index) {
  std::string out = "<section id=\"violations\"><h2>Violations</h2>\n";
  if (report.violations_size() == 0) {
    absl::StrAppend(&out,
                    "<p class=\"note\">No violation listed.</p></section>\n");
    return out;
  }
  const int64_t origin = internal::RunOriginMicros(report);
  for (const std::string& id : index.order) {
    const auto it = index.violations.find(id);
    if (it == index.violations.end()) continue;
    const auto& listed = it->second;
    const auto result = index.results.find(id);
    const uint64_t counted =
        result == index.results.end()
            ? listed.size()
            : std::max<uint64_t>(result->second->violations(), listed.size());
    const pimsim::v1::Severity severity = listed.front()->severity();
    const std::string label = internal::SeverityLabel(severity);
    absl::StrAppend(&out, "<details",
                    severity == pimsim::v1::SEVERITY_ERROR ? " open" : "",
                    "><summary><span class=\"id\">", Esc(id), "</span> ",
                    Pill("sev-" + label, label), " ", FormatCount(counted),
                    counted == 1 ? " violation" : " violations");
    if (counted > listed.size()) {
      absl::StrAppend(&out, " (", FormatCount(listed.size()), " listed)");
    }
    absl::StrAppend(&out,
                    "</summary><table><thead><tr><th class=\"num\">time</th>"
                    "<th>connection</th><th>instance</th><th>what happened</th>"
                    "<th>journal events</th></tr></thead><tbody>\n");
    for (const pimsim::v1::Violation* v : listed) {
      absl::StrAppend(
          &out, "<tr><td class=\"num\">",
          internal::FormatOffset(v->time_us() - origin), "</td><td>",
          Esc(v->connection()), "</td><td>", Esc(v->instance()), "</td><td>",
          Esc(v->message()), "</td><td class=\"events\">",
          internal::FormatEventIds(*v, 12), "</td></tr>\n", EvidenceTable(*v));
    }
    absl::StrAppend(&out, "</tbody></table></details>\n");
  }
  if (report.violations_dropped() > 0) {
    absl::StrAppend(
        &out, "<p class=\"note\">", FormatCount(report.violations_dropped()),
        " more violations were counted but not listed (per-rule cap).</p>\n");
  }
  absl::StrAppend(&out, "</section>\n");
  return out;
}

}  // namespace

std::string RenderHtml(const pimsim::v1::Report& report) {
  const RuleIndex index = IndexRules(report);
  const std::string verdict = internal::VerdictLabel(report.verdict());
  std::string title = absl::StrCat("pimsim ", verdict);
  if (report.live()) absl::StrAppend(&title, " (live)");
  if (!report.scenario().empty())
    absl::StrAppend(&title, ": ", report.scenario());
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
      "'none'; "
      "style-src 'unsafe-inline'; img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n"
      "<title>",
      Esc(title), "</title>\n<style>", kStyle,
      "</style>\n</head>\n<body>\n<main>\n", Header(report), Errors(report),
      Cards(report), Charts(report, index), RuleTable(report),
      ViolationList(report, index), "<footer>generated by pimsim &middot; ",
      FormatCount(report.events()), " journal events",
      report.journal_overflowed() > 0 ? " (incomplete)" : "",
      "</footer>\n</main>\n</body>\n</html>\n");
}

}  // namespace pimsim::report
