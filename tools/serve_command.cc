#include "tools/serve_command.h"

#include <signal.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "google/protobuf/util/time_util.h"
#include "mock_pim/config/scenario_config.h"
#include "mock_pim/control/control_server.h"
#include "mock_pim/http/http_server.h"
#include "limits/limits_config.h"
#include "tools/command_line.h"
#include "tools/exit_codes.h"
#include "tools/mock_process.h"
#include "tools/stop_signals.h"

namespace pimsim::tools {
namespace {

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  std::string scenario;
  int64_t connections = 0;
  int64_t seed_products = -1;
  int64_t seed = -1;
  std::string latency;
  std::string retry_after;
  std::string journal;
  std::vector<std::string> faults;
  std::string limits = "on";
  int64_t threads = 0;
  int64_t journal_capacity = 2'000'000;
  std::string control = "127.0.0.1:0";
  std::string control_token;
  bool tls = false;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_dir;
};

// Splits the value of --`flag` into host (without IPv6 brackets) and port.
absl::Status SplitHostPort(absl::string_view flag, const std::string& listen, std::string* host,
                           uint16_t* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": expected HOST:PORT, got \"", listen, "\""));
  }
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  uint32_t p = 0;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &p) || p > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": bad port in \"", listen, "\""));
  }
  *port = static_cast<uint16_t>(p);
  return absl::OkStatus();
}

// Applies the command-line overrides to the scenario.
absl::Status ApplyFlags(const ServeFlags& flags, pimsim::v1::Scenario* scenario) {
  pimsim::v1::Instance* first = scenario->mutable_instances(0);
  if (flags.connections < 0 || flags.connections > config::kMaxConnectionsPerInstance) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--connections: must be between 1 and ", config::kMaxConnectionsPerInstance));
  }
  if (flags.connections > 0) config::SetNumberedConnections(flags.connections, first);
  if (flags.seed_products >= 0) first->mutable_seed()->set_products(flags.seed_products);
  if (flags.seed >= 0) scenario->set_seed(flags.seed);
  if (!flags.latency.empty()) {
    absl::Duration d;
    if (!absl::ParseDuration(flags.latency, &d) || d < absl::ZeroDuration()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--latency: expected a duration such as 0, 15ms or 1.5s, got \"", flags.latency, "\""));
    }
    google::protobuf::Duration fixed = google::protobuf::util::TimeUtil::NanosecondsToDuration(
        absl::ToInt64Nanoseconds(d));
    pimsim::v1::LatencyModel* model = scenario->mutable_latency();
    model->Clear();
    for (pimsim::v1::Distribution* dist :
         {model->mutable_token(), model->mutable_get_item(), model->mutable_list(),
          model->mutable_write_item(), model->mutable_batch(), model->mutable_other()}) {
      *dist->mutable_fixed() = fixed;
    }
    model->mutable_batch_per_line()->Clear();
  }
  for (pimsim::v1::Instance& instance : *scenario->mutable_instances()) {
    if (!flags.retry_after.empty()) {
      absl::StatusOr<pimsim::v1::RetryAfterForm> form = ParseRetryAfterForm(flags.retry_after);
      if (!form.ok()) return absl::InvalidArgumentError(absl::StrCat("--retry_after: ", form.status().message()));
      instance.mutable_limits()->set_retry_after(*form);
    }
    if (flags.limits == "off") {
      instance.mutable_limits()->set_enabled(false);
    } else if (flags.limits != "on") {
      return absl::InvalidArgumentError(
          absl::StrCat("--limits: expected on or off, got \"", flags.limits, "\""));
    }
  }
  if (absl::Status s = config::AddFaultSpecs(flags.faults, scenario); !s.ok()) return s;
  return config::ValidateScenario(*scenario);
}

int Fail(absl::string_view message, int code) {
  std::cerr << "pimsim serve: " << message << "\n";
  return code;
}

}  // namespace

int RunServe(int argc, char** argv) {
  ServeFlags flags;
  CommandLine cl("serve",
                 "Serves the mock Akeneo PIM until SIGTERM/SIGINT. The first line of stdout is\n"
                 "\"http=HOST:PORT control=HOST:PORT\", the addresses actually bound (no\n"
                 "\" control=...\" with --control=none); with --tls it is\n"
                 "\"https=HOST:PORT cert=FILE control=HOST:PORT\", FILE being the PEM file a\n"
                 "client trusts. The control address serves the PimControl gRPC API (see\n"
                 "`pimsim ctl`). The default connection is client id pimsim, secret pimsim,\n"
                 "user admin, password admin.");
  cl.AddString("listen", "HOST:PORT for the Akeneo API (port 0 picks one)", &flags.listen);
  cl.AddString("scenario", "textproto scenario file (instances, connections, limits, latency, seed data)",
               &flags.scenario);
  cl.AddInt("connections", "connections of the first instance: pimsim, pimsim-2 ... pimsim-N",
            &flags.connections);
  cl.AddInt("seed_products", "products seeded into the first instance (-1: scenario's)",
            &flags.seed_products);
  cl.AddInt("seed", "seed of every random choice (-1: scenario's, default 1)", &flags.seed);
  cl.AddString("latency", "fixed service time for every API route, e.g. 0 or 20ms", &flags.latency);
  cl.AddString("retry_after", "form of Retry-After on 429: seconds, http-date or none",
               &flags.retry_after);
  cl.AddString("journal",
              "stream the journal to this file as JSON lines while serving (flushed every\n"
              "100 ms; a {\"summary\":...} last line at shutdown)",
              &flags.journal);
  cl.AddRepeated("fault",
                 "fault rule in the one-line form, repeatable, after the scenario's (e.g.\n"
                 "                       status=503,p=0.3,route=get_item; see the README)",
                 &flags.faults);
  cl.AddString("limits", "on, or off to enforce no limit (benchmarks, debugging)", &flags.limits);
  cl.AddInt("threads", "HTTP server threads (0: one per core)", &flags.threads);
  cl.AddInt("journal_capacity", "journal events kept in memory; more are counted as overflow",
            &flags.journal_capacity);
  cl.AddString("control",
               "HOST:PORT for the PimControl gRPC API (port 0 picks one), or none; a non-loopback "
               "host needs --control_token",
               &flags.control);
  cl.AddString("control_token", "bearer token every control call must carry (metadata "
               "\"authorization: Bearer TOKEN\")", &flags.control_token);
  cl.AddBool("tls",
             "serve the Akeneo API over HTTPS, with a certificate for localhost and 127.0.0.1\n"
             "                       signed by a CA made at start (cert= names the CA's PEM),\n"
             "                       or --tls_cert/--tls_key",
             &flags.tls);
  cl.AddString("tls_cert", "PEM certificate (and chain) to serve HTTPS with (implies --tls)",
               &flags.tls_cert);
  cl.AddString("tls_key", "PEM private key of --tls_cert", &flags.tls_key);
  cl.AddString("tls_dir",
               "directory for the certificate --tls makes, kept at exit (default: a\n"
               "                       temporary one, removed at exit)",
               &flags.tls_dir);
  if (absl::Status s = cl.Parse(argc, argv); !s.ok()) {
    return Fail(absl::StrCat(s.message(), "\n\n", cl.Usage()), kExitUsage);
  }
  if (cl.help_requested()) {
    std::cout << cl.Usage();
    return kExitPass;
  }
  if (!cl.positional().empty()) {
    return Fail(absl::StrCat("unexpected argument \"", cl.positional()[0], "\""), kExitUsage);
  }

  pimsim::v1::Scenario scenario;
  if (!flags.scenario.empty()) {
    absl::StatusOr<pimsim::v1::Scenario> loaded = config::LoadScenarioFile(flags.scenario);
    if (!loaded.ok()) return Fail(loaded.status().message(), kExitUsage);
    scenario = *std::move(loaded);
  }
  scenario = config::WithDefaults(std::move(scenario));
  if (absl::Status s = ApplyFlags(flags, &scenario); !s.ok()) return Fail(s.message(), kExitUsage);
  if (flags.journal_capacity < 1) return Fail("--journal_capacity must be >= 1", kExitUsage);
  if (flags.threads < 0 || flags.threads > 256) return Fail("--threads must be in [0, 256]", kExitUsage);

  http::ServerOptions options;
  if (absl::Status s = SplitHostPort("listen", flags.listen, &options.host, &options.port);
      !s.ok()) {
    return Fail(s.message(), kExitUsage);
  }
  options.threads = static_cast<int>(flags.threads);
  MockTlsOptions tls;
  tls.enabled = flags.tls || !flags.tls_cert.empty() || !flags.tls_key.empty();
  tls.cert_file = flags.tls_cert;
  tls.key_file = flags.tls_key;
  tls.dir = flags.tls_dir;
  if (flags.tls_cert.empty() != flags.tls_key.empty()) {
    return Fail("--tls_cert and --tls_key go together", kExitUsage);
  }
  if (!flags.tls_dir.empty() && (!tls.enabled || !flags.tls_cert.empty())) {
    return Fail("--tls_dir is where --tls writes the certificate it makes: give it with --tls "
                "and without --tls_cert",
                kExitUsage);
  }

  const bool control_on = flags.control != "none";
  control::ControlServerOptions control_options;
  if (control_on) {
    if (absl::Status s = SplitHostPort("control", flags.control, &control_options.host,
                                       &control_options.port);
        !s.ok()) {
      return Fail(s.message(), kExitUsage);
    }
    control_options.token = flags.control_token;
    if (!control::IsLoopbackHost(control_options.host) && flags.control_token.empty()) {
      return Fail(absl::StrCat("--control on a non-loopback address needs --control_token (\"",
                               flags.control, "\")"),
                  kExitUsage);
    }
  } else if (!flags.control_token.empty()) {
    return Fail("--control_token needs the control API (--control is none)", kExitUsage);
  }

  // Before any thread starts: only sigwait() below sees them.
  const sigset_t stop_signals = BlockStopSignals();

  MockProcessOptions process_options;
  process_options.http = options;
  process_options.tls = tls;
  process_options.control = control_on;
  process_options.control_options = control_options;
  process_options.journal_capacity = static_cast<size_t>(flags.journal_capacity);
  process_options.journal_path = flags.journal;
  absl::StatusOr<std::unique_ptr<MockProcess>> mock =
      MockProcess::Start(scenario, process_options, &RealClock::Get());
  if (!mock.ok()) return Fail(mock.status().message(), kExitRunFailed);
  const std::string http_address = (*mock)->http_address();
  const std::string control_address = (*mock)->control_address();

  if ((*mock)->tls()) {
    std::cout << "https=" << http_address << " cert=" << (*mock)->trust_file();
  } else {
    std::cout << "http=" << http_address;
  }
  std::cout << (control_address.empty() ? "" : absl::StrCat(" control=", control_address))
            << std::endl;
  for (const pimsim::v1::Instance& instance : scenario.instances()) {
    std::cerr << "pimsim serve: instance \"" << instance.name() << "\" at "
              << (*mock)->base_url()
              << (&instance == &scenario.instances(0) ? "" : "/" + instance.name())
              << " with " << instance.connections_size() << " connection(s), "
              << instance.seed().products() << " products, limits "
              << (instance.limits().has_enabled() && !instance.limits().enabled() ? "off" : "on")
              << "\n";
  }

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cerr << "pimsim serve: " << (signal_number == SIGTERM ? "SIGTERM" : "SIGINT")
            << ", draining\n";
  int code = kExitPass;
  if (absl::Status s = (*mock)->Stop(absl::Seconds(5)); !s.ok()) {
    std::cerr << "pimsim serve: " << s.message() << "\n";
    code = kExitRunFailed;
  }
  if (uint64_t lost = (*mock)->pim().journal().overflowed(); lost > 0) {
    std::cerr << "pimsim serve: journal overflowed: " << lost
              << " events were not kept (raise --journal_capacity)\n";
  }
  return code;
}

}  // namespace pimsim::tools
