#include "tools/workload_command.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/akeneo_client.h"
#include "client/curl_loop.h"
#include "client/workload.h"
#include "client/workload_spec.h"
#include "google/protobuf/text_format.h"
#include "tools/command_line.h"
#include "tools/exit_codes.h"

namespace pimsim::tools {

int RunWorkload(int argc, char** argv) {
  std::string spec_text, spec_file, connections_file, ca_file;
  int64_t seed = 1;
  CommandLine cl(
      "workload",
      "pimsim workload --spec=TEXTPROTO | --spec_file=FILE [flags]\n"
      "\n"
      "Runs a built-in workload of the reference client (a pimsim.v1.ReferenceWorkload:\n"
      "kind, products, batch_size, options, reads, connections, workers or arrival_rate,\n"
      "policy) against the PIM of PIM_CONNECTIONS_FILE (its first `connections`\n"
      "entries, default all) or of PIM_BASE_URL, PIM_CLIENT_ID, PIM_CLIENT_SECRET,\n"
      "PIM_USERNAME and PIM_PASSWORD. `pimsim run` starts it for a scenario's\n"
      "workload { reference { ... } }. Prints a summary; exit code 0 when every\n"
      "operation succeeded, 1 when the PIM rejected some, 2 for bad usage, 3 when some\n"
      "failed.");
  cl.AddString("spec", "the workload, as one-line textproto", &spec_text);
  cl.AddString("spec_file", "the workload, as a textproto file", &spec_file);
  cl.AddString("connections_file", "instead of PIM_CONNECTIONS_FILE", &connections_file);
  cl.AddString("ca_file",
               "PEM file of the CAs to trust for HTTPS (default: PIM_CA_FILE, CURL_CA_BUNDLE or\n"
               "                       SSL_CERT_FILE, else the system's)",
               &ca_file);
  cl.AddInt("seed", "seed of the workload's and the backoff's random draws", &seed);
  if (absl::Status s = cl.Parse(argc, argv); !s.ok()) {
    std::cerr << "pimsim workload: " << s.message() << "\n\n" << cl.Usage();
    return kExitUsage;
  }
  if (cl.help_requested()) {
    std::cout << cl.Usage();
    return kExitPass;
  }
  auto usage = [](const std::string& why) {
    std::cerr << "pimsim workload: " << why << "\n";
    return kExitUsage;
  };
  if (spec_text.empty() == spec_file.empty()) return usage("give --spec or --spec_file");
  if (!spec_file.empty()) {
    std::ifstream in(spec_file, std::ios::binary);
    if (!in) return usage(absl::StrCat("cannot read ", spec_file));
    std::stringstream text;
    text << in.rdbuf();
    spec_text = text.str();
  }
  pimsim::v1::ReferenceWorkload spec;
  if (!google::protobuf::TextFormat::ParseFromString(spec_text, &spec)) {
    return usage("the workload is not a valid pimsim.v1.ReferenceWorkload textproto");
  }
  std::vector<client::Credentials> creds;
  if (connections_file.empty() && std::getenv("PIM_CONNECTIONS_FILE") != nullptr) {
    connections_file = std::getenv("PIM_CONNECTIONS_FILE");
  }
  if (!connections_file.empty()) {
    absl::StatusOr<std::vector<client::Credentials>> all =
        client::ReadConnectionsFile(connections_file);
    if (!all.ok()) return usage(std::string(all.status().message()));
    // The first instance's: those with the first entry's base URL.
    for (const client::Credentials& c : *all) {
      if (c.base_url == (*all)[0].base_url) creds.push_back(c);
    }
  } else {
    absl::StatusOr<client::Credentials> c = client::CredentialsFromEnvironment();
    if (!c.ok()) return usage(std::string(c.status().message()));
    creds.push_back(*c);
  }
  if (absl::Status s = client::ValidateReferenceWorkload(spec, static_cast<int>(creds.size()));
      !s.ok()) {
    return usage(std::string(s.message()));
  }
  if (spec.has_connections()) creds.resize(spec.connections());
  absl::StatusOr<client::Policy> policy = client::PolicyFromProto(spec.policy());
  if (!policy.ok()) return usage(std::string(policy.status().message()));

  client::CurlLoop::Options transport;
  transport.ca_file = ca_file.empty() ? client::CaFileFromEnvironment() : ca_file;
  client::CurlLoop loop(transport);
  client::AkeneoClient akeneo(loop, loop, *policy, creds, static_cast<uint64_t>(seed));
  client::WorkloadDriver driver(loop, akeneo, spec, static_cast<uint64_t>(seed));
  const absl::Time start = loop.Now();
  driver.Start([&] { loop.Stop(); });
  loop.Run([&] { return driver.finished(); });
  const double secs = std::max(1e-3, absl::ToDoubleSeconds(loop.Now() - start));
  const client::WorkloadDriver::Counts& c = driver.counts();
  const client::ClientStats& s = akeneo.stats();
  std::cout << "pimsim workload: " << driver.Describe() << " over " << creds.size()
            << " connection(s): " << c.finished << " of " << c.operations
            << " operations finished in " << absl::StrFormat("%.1f", secs) << " s; " << c.applied
            << " items applied, " << c.rejected << " rejected, " << c.failed << " failed\n"
            << "  " << s.requests << " requests (" << absl::StrFormat("%.1f", s.requests / secs)
            << "/s), " << s.retries << " retries, " << s.throttled << " throttled (429), "
            << s.budget_exhausted << " waits for the retry budget, " << s.gave_up
            << " gave up\n";
  if (!driver.first_problem().empty()) {
    std::cout << "  first problem: " << driver.first_problem() << "\n";
  }
  if (!driver.finished()) {
    std::cout << "  the workload stopped before every operation finished\n";
    return kExitRunFailed;
  }
  if (c.failed) return kExitRunFailed;
  return c.rejected ? kExitViolations : kExitPass;
}

}  // namespace pimsim::tools
