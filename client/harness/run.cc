#include "client/harness/run.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/harness/external_command.h"
#include "client/harness/phase_runner.h"
#include "common/clock.h"
#include "common/json_string.h"
#include "google/protobuf/util/time_util.h"
#include "mock_pim/config/scenario_config.h"

namespace pimsim::harness {
namespace {

using google::protobuf::util::TimeUtil;

absl::Duration ToAbsl(const google::protobuf::Duration& d) {
  return absl::Nanoseconds(TimeUtil::DurationToNanoseconds(d));
}

std::string InstanceUrl(const std::string& base_url, const pimsim::v1::Scenario& scenario,
                        int index) {
  return index == 0 ? base_url : absl::StrCat(base_url, "/", scenario.instances(index).name());
}

std::string Basename(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Where the command's lines and the progress line meet on stderr: the
// progress line is erased before a line of output and drawn again after it.
class Console {
 public:
  explicit Console(bool progress) : progress_(progress) {}
  void Line(std::string_view prefix, std::string_view line) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    if (progress_ && !status_.empty()) out += "\r\033[K";
    out.append(prefix).append(line).append("\n");
    if (progress_ && !status_.empty()) out += status_;
    Write(out);
  }
  void Status(std::string status) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = std::move(status);
    Write(absl::StrCat("\r\033[K", status_));
  }
  void ClearStatus() {
    std::lock_guard<std::mutex> lock(mu_);
    if (progress_ && !status_.empty()) Write("\r\033[K");
    status_.clear();
  }

 private:
  static void Write(const std::string& s) {
    size_t done = 0;
    while (done < s.size()) {
      const ssize_t n = write(STDERR_FILENO, s.data() + done, s.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
  }
  const bool progress_;
  std::mutex mu_;
  std::string status_;
};

std::string FormatSeconds(absl::Duration d) {
  return absl::StrFormat("%.1fs", absl::ToDoubleSeconds(d));
}

}  // namespace

absl::Duration LiveVerdictInterval(absl::Duration last_cost) {
  return std::max(absl::Seconds(2), last_cost * 20);
}

pimsim::v1::Scenario MockScenario(pimsim::v1::Scenario scenario) {
  for (const pimsim::v1::Phase& phase : scenario.phases()) {
    for (const pimsim::v1::FaultRule& rule : phase.faults()) {
      pimsim::v1::FaultRule* added = scenario.add_faults();
      *added = rule;
      added->mutable_trigger()->set_phase(phase.name());
    }
  }
  return scenario;
}

std::map<std::string, std::string> CommandEnvironment(const pimsim::v1::Scenario& scenario,
                                                      const std::string& base_url,
                                                      const std::string& connections_file,
                                                      const std::string& ca_file) {
  std::map<std::string, std::string> env;
  const pimsim::v1::Connection& first = scenario.instances(0).connections(0);
  env["PIM_BASE_URL"] = base_url;
  env["PIM_CLIENT_ID"] = first.client_id();
  env["PIM_CLIENT_SECRET"] = first.secret();
  env["PIM_USERNAME"] = first.username();
  env["PIM_PASSWORD"] = first.password();
  env["PIM_CONNECTIONS_FILE"] = connections_file;
  if (!ca_file.empty()) {
    for (const char* name : {"PIM_CA_FILE", "SSL_CERT_FILE", "CURL_CA_BUNDLE",
                             "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"}) {
      env[name] = ca_file;
    }
  }
  for (const auto& [name, value] : scenario.workload().external().env()) env[name] = value;
  return env;
}

std::string ConnectionsJson(const pimsim::v1::Scenario& scenario, const std::string& base_url) {
  std::string out = "[";
  bool first = true;
  for (int i = 0; i < scenario.instances_size(); ++i) {
    const std::string url = InstanceUrl(base_url, scenario, i);
    for (const pimsim::v1::Connection& c : scenario.instances(i).connections()) {
      out += first ? "\n  {" : ",\n  {";
      first = false;
      const std::pair<const char*, const std::string*> fields[] = {
          {"base_url", &url},           {"client_id", &c.client_id()},
          {"secret", &c.secret()},      {"username", &c.username()},
          {"password", &c.password()}};
      bool first_field = true;
      for (const auto& [key, value] : fields) {
        if (!first_field) out += ", ";
        first_field = false;
        AppendJsonString(key, &out);
        out += ": ";
        AppendJsonString(*value, &out);
      }
      out += "}";
    }
  }
  out += "\n]\n";
  return out;
}

absl::StatusOr<RunResult> RunExternal(const RunOptions& options, MockTarget* target,
                                      const sigset_t& stop_signals) {
  const pimsim::v1::Scenario& scenario = options.scenario;
  const pimsim::v1::ExternalCommand& spec = scenario.workload().external();
  {
    std::ofstream file(options.connections_file, std::ios::binary | std::ios::trunc);
    file << ConnectionsJson(scenario, options.base_url);
    file.close();
    if (!file) {
      return absl::UnavailableError(
          absl::StrCat("cannot write the connections file ", options.connections_file));
    }
  }
  std::unique_ptr<std::ofstream> output_file;
  if (!options.output_file.empty()) {
    output_file = std::make_unique<std::ofstream>(options.output_file,
                                                  std::ios::binary | std::ios::trunc);
    if (!*output_file) {
      return absl::UnavailableError(absl::StrCat("cannot write ", options.output_file));
    }
  }
  Console console(options.progress);
  const std::string prefix = absl::StrCat("[", Basename(spec.argv(0)), "] ");
  std::mutex output_mu;
  OutputSink sink = [&](std::string_view line) {
    if (output_file != nullptr) {
      std::lock_guard<std::mutex> lock(output_mu);
      *output_file << line << '\n';
      output_file->flush();
    } else {
      console.Line(prefix, line);
    }
  };

  const absl::Duration max_duration = scenario.has_max_duration()
                                          ? ToAbsl(scenario.max_duration())
                                          : config::kDefaultRunDuration;
  const absl::Duration timeout = spec.has_timeout() ? ToAbsl(spec.timeout()) : max_duration;
  const absl::Duration limit = std::min(timeout, max_duration);

  ExternalCommand::Options command_options;
  command_options.argv.assign(spec.argv().begin(), spec.argv().end());
  command_options.env = CommandEnvironment(scenario, options.base_url, options.connections_file,
                                           options.ca_file);
  command_options.working_directory = spec.working_directory();

  std::vector<std::string> errors;
  PhaseRunner phases(scenario.phases(), target);
  Clock& clock = RealClock::Get();
  const absl::Time start = clock.Now();
  if (absl::Status s = phases.Begin(start); !s.ok()) {
    errors.push_back(absl::StrCat("phase could not start: ", s.message()));
  }
  absl::StatusOr<std::unique_ptr<ExternalCommand>> command =
      ExternalCommand::Start(command_options, sink);
  if (!command.ok()) errors.push_back(std::string(command.status().message()));

  // The current phase for the progress line (PhaseRunner is the main
  // loop's alone).
  std::mutex phase_mu;
  std::string phase_label = phases.current();
  auto set_phase_label = [&] {
    std::lock_guard<std::mutex> lock(phase_mu);
    phase_label = phases.current().empty()
                      ? std::string("no phase")
                      : absl::StrCat("phase ", phases.current(), " (", phases.current_index() + 1,
                                     "/", phases.size(), ")");
  };
  set_phase_label();
  // The progress line: phase, time, requests, rate against the limit, 429s
  // and violations so far (the live verdict, paced by LiveVerdictInterval).
  std::atomic<bool> done{false};
  std::thread progress;
  if (options.progress && command.ok()) {
    progress = std::thread([&] {
      double limit_rate = 0;
      if (absl::StatusOr<pimsim::v1::Limits> limits =
              target->GetLimits(scenario.instances(0).name());
          limits.ok()) {
        limit_rate = limits->instance_rate().requests_per_second();
      }
      uint64_t last_requests = target->RequestsArrived();
      absl::Time last = clock.Now(), last_report = absl::InfinitePast();
      absl::Duration report_interval = LiveVerdictInterval(absl::ZeroDuration());
      uint64_t rejected_429 = 0, violations = 0;
      double rate = 0;
      while (!done.load()) {
        absl::SleepFor(absl::Milliseconds(250));
        const absl::Time now = clock.Now();
        const uint64_t requests = target->RequestsArrived();
        if (now - last >= absl::Seconds(1)) {
          rate = static_cast<double>(requests - last_requests) / absl::ToDoubleSeconds(now - last);
          last_requests = requests;
          last = now;
        }
        if (now - last_report >= report_interval) {
          if (absl::StatusOr<pimsim::v1::Report> r = target->Report(false); r.ok()) {
            const auto& by_status = r->metrics().requests_by_status();
            auto it = by_status.find(429);
            rejected_429 = it == by_status.end() ? 0 : it->second;
            violations = static_cast<uint64_t>(r->violations_size()) + r->violations_dropped();
          }
          report_interval = LiveVerdictInterval(clock.Now() - now);
          last_report = now;
        }
        std::string phase;
        {
          std::lock_guard<std::mutex> lock(phase_mu);
          phase = phase_label;
        }
        console.Status(absl::StrFormat(
            "%s  %s / %s  %d requests  %.0f/s (limit %.0f/s)  429s: %d  violations: %d", phase,
            FormatSeconds(now - start), FormatSeconds(limit), requests, rate, limit_rate,
            rejected_429, violations));
      }
    });
  }

  bool stopped = false;  // by a timeout or a signal, already said in `errors`
  if (command.ok()) {
    for (;;) {
      if ((*command)->Poll()) break;
      const absl::Time now = clock.Now();
      if (now - start >= limit) {
        (*command)->Stop(options.stop_grace);
        stopped = true;
        errors.push_back(absl::StrCat(
            "the command ran past ",
            spec.has_timeout() && timeout <= max_duration
                ? absl::StrCat("its timeout (workload.external.timeout ", FormatSeconds(timeout))
                : absl::StrCat("the run's max_duration (", FormatSeconds(max_duration)),
            ") and was stopped: it ", (*command)->exit_reason()));
        break;
      }
      if (absl::Status s = phases.Tick(now); !s.ok()) {
        errors.push_back(absl::StrCat("phase \"", phases.current(), "\": ", s.message()));
      }
      set_phase_label();
      // Wake for a stop signal, the next phase boundary, or to look again.
      absl::Duration wait = absl::Milliseconds(20);
      const absl::Time deadline = phases.current_deadline();
      if (deadline - now < wait) wait = std::max(deadline - now, absl::ZeroDuration());
      const timespec ts = absl::ToTimespec(wait);
      const int sig = sigtimedwait(&stop_signals, nullptr, &ts);
      if (sig > 0) {
        (*command)->Stop(options.stop_grace);
        stopped = true;
        errors.push_back(absl::StrCat("interrupted (", strsignal(sig), ") after ",
                                      FormatSeconds(clock.Now() - start),
                                      ": the report is incomplete, it covers the traffic until "
                                      "then"));
        break;
      }
    }
    if (!stopped && !(*command)->succeeded()) {
      errors.push_back(absl::StrCat("the command \"", absl::StrJoin(spec.argv(), " "), "\" ",
                                    (*command)->exit_reason()));
    }
  }
  done.store(true);
  if (progress.joinable()) progress.join();
  console.ClearStatus();
  const int reached = phases.spans().size();
  if (absl::Status s = phases.Finish(); !s.ok()) {
    errors.push_back(absl::StrCat("phases could not end: ", s.message()));
  }
  // Not an error (the workload decides how long the run is), but said, so
  // that a short run is not taken for the whole battery.
  if (reached < phases.size()) {
    std::vector<std::string> missed;
    for (int i = reached; i < phases.size(); ++i) missed.push_back(scenario.phases(i).name());
    console.Line("pimsim run: ", absl::StrCat("the workload ended before phase(s) ",
                                              absl::StrJoin(missed, ", "), " began"));
  }

  absl::StatusOr<pimsim::v1::Report> report = target->Report(true);
  if (!report.ok()) return report.status();
  RunResult result;
  result.report = *std::move(report);
  *result.report.mutable_phases() = phases.spans();
  for (const std::string& e : errors) result.report.add_errors(e);
  if (!errors.empty()) result.report.set_verdict(pimsim::v1::VERDICT_ERROR);
  result.run_errors = std::move(errors);
  return result;
}

}  // namespace pimsim::harness
