#include "tools/import_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "client/akeneo_client.h"
#include "client/curl_loop.h"
#include "client/importer.h"
#include "client/pager.h"
#include "nlohmann/json.hpp"
#include "client/policy.h"
#include "tools/command_line.h"
#include "tools/exit_codes.h"

namespace pimsim::tools {
namespace {

constexpr char kSummary[] =
    "pimsim import FILE [flags]\n"
    "\n"
    "Upserts the products of FILE (NDJSON: one product object a line, as\n"
    "PATCH /api/rest/v1/products takes them; - for standard input) into a PIM\n"
    "with the reference client: one token per connection, at most 4 requests in\n"
    "flight per connection and 10 per instance, paced under 100 requests/s,\n"
    "429s, 5xx, timeouts and disconnects retried with full-jitter backoff.\n"
    "\n"
    "The PIM: PIM_BASE_URL, PIM_CLIENT_ID, PIM_CLIENT_SECRET, PIM_USERNAME and\n"
    "PIM_PASSWORD (each overridden by its flag), or with --connections=N the\n"
    "first N connections of PIM_CONNECTIONS_FILE (what `pimsim run` sets).\n"
    "HTTPS verifies the server against the system's CAs, or --ca_file (also\n"
    "PIM_CA_FILE, CURL_CA_BUNDLE or SSL_CERT_FILE).\n"
    "\n"
    "A progress bar (rate, ETA, retries, 429s) is shown when stderr is a\n"
    "terminal. Lines the PIM rejected, and lines that could not be applied, go\n"
    "to --rejected as NDJSON with the PIM's answer. Exit code 0 when every line\n"
    "was applied, 1 when some were rejected, 2 for bad usage, 3 when the import\n"
    "could not finish (lines left unapplied).\n"
    "\n"
    "Presets (--preset) for playing a misbehaving integration:\n";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string Count(uint64_t n) {
  std::string s = absl::StrCat(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(i, ",");
  return s;
}

struct Progress {
  bool enabled = false;
  uint64_t total_bytes = 0;  // 0: unknown (standard input)
  absl::Time start;
  size_t last_width = 0;

  void Draw(const client::ImportCounts& c, const client::ClientStats& s, absl::Time now,
            bool final) {
    if (!enabled) return;
    const double secs = std::max(1e-3, absl::ToDoubleSeconds(now - start));
    const uint64_t done = c.applied + c.rejected + c.failed;
    const double rate = done / secs;
    std::string bar;
    std::string eta = "";
    if (total_bytes > 0) {
      const double frac = std::min(1.0, static_cast<double>(c.bytes_read) / total_bytes);
      const int width = 24;
      const int filled = static_cast<int>(frac * width);
      bar = absl::StrCat("[", std::string(filled, '#'), std::string(width - filled, '.'), "] ",
                         absl::StrFormat("%3.0f%% ", frac * 100));
      if (frac > 0.01 && !final) {
        eta = absl::StrFormat(" ETA %.0fs", secs / frac - secs);
      }
    }
    std::string line = absl::StrCat(bar, Count(done), " lines ", absl::StrFormat("%.0f", rate),
                                    "/s", eta, "  retries ", s.retries, "  429s ", s.throttled,
                                    c.rejected ? absl::StrCat("  rejected ", c.rejected) : "",
                                    c.failed ? absl::StrCat("  failed ", c.failed) : "");
    const size_t width = line.size();
    if (width < last_width) line.append(last_width - width, ' ');
    last_width = width;
    std::cerr << "\r" << line << (final ? "\n" : "") << std::flush;
  }
};

}  // namespace

int RunImport(int argc, char** argv) {
  std::string base_url, client_id, secret, username, password, connections_file, preset = "compliant";
  std::string rejected_path, ca_file, progress = "auto", collection = "/api/rest/v1/products",
                                      key_field = "identifier", timeout = "30s";
  int64_t batch_size = 100, connections = 0, seed = 0, max_attempts = 0;
  bool insecure = false, verify = false, create = false;
  CommandLine cl("import", absl::StrCat(kSummary, client::PresetHelp()));
  cl.AddInt("batch_size", "lines per batch PATCH, 1 to 100 (1: one PATCH per product)",
            &batch_size);
  cl.AddInt("connections",
            "use the first N connections of PIM_CONNECTIONS_FILE (0: the PIM_* credentials)",
            &connections);
  cl.AddString("connections_file", "instead of PIM_CONNECTIONS_FILE", &connections_file);
  cl.AddString("preset", "client behaviour: compliant or a misbehaving preset", &preset);
  cl.AddString("rejected", "write rejected and unapplied lines here (NDJSON)", &rejected_path);
  cl.AddString("base_url", "instead of PIM_BASE_URL", &base_url);
  cl.AddString("client_id", "instead of PIM_CLIENT_ID", &client_id);
  cl.AddString("secret", "instead of PIM_CLIENT_SECRET", &secret);
  cl.AddString("username", "instead of PIM_USERNAME", &username);
  cl.AddString("password", "instead of PIM_PASSWORD", &password);
  cl.AddString("ca_file", "PEM file of the CAs to trust for HTTPS", &ca_file);
  cl.AddBool("insecure", "do not verify the server's certificate", &insecure);
  cl.AddString("timeout", "give up on one request after this long (e.g. 30s)", &timeout);
  cl.AddInt("max_attempts", "attempts of one request, the first included (0: the preset's, 9)",
            &max_attempts);
  cl.AddString("progress", "auto (on a terminal), always or never", &progress);
  cl.AddString("collection", "the batch endpoint", &collection);
  cl.AddString("key_field", "the field naming each line's item", &key_field);
  cl.AddBool("create",
             "POST each line as a create (one a request; an item that exists is rejected) "
             "instead of upserting",
             &create);
  cl.AddBool("verify",
             "after the import, list the collection and check that every applied line is "
             "there exactly once (keeps the keys in memory)",
             &verify);
  cl.AddInt("seed", "seed of the backoff jitter (0: from the clock)", &seed);
  if (absl::Status s = cl.Parse(argc, argv); !s.ok()) {
    std::cerr << "pimsim import: " << s.message() << "\n\n" << cl.Usage();
    return kExitUsage;
  }
  if (cl.help_requested()) {
    std::cout << cl.Usage();
    return kExitPass;
  }
  auto usage = [&](const std::string& why) {
    std::cerr << "pimsim import: " << why << "\n";
    return kExitUsage;
  };
  if (cl.positional().size() != 1) return usage("give one NDJSON file (or - for standard input)");
  if (batch_size < 1 || batch_size > client::BatchUpserter::kMaxBatch) {
    return usage("--batch_size must be 1 to 100");
  }
  if (connections < 0) return usage("--connections must be 0 or more");
  if (progress != "auto" && progress != "always" && progress != "never") {
    return usage("--progress is auto, always or never");
  }
  absl::Duration request_timeout;
  if (!absl::ParseDuration(timeout, &request_timeout) || request_timeout <= absl::ZeroDuration()) {
    return usage("--timeout takes a duration such as 30s");
  }
  absl::StatusOr<client::Policy> policy = client::PolicyPreset(preset);
  if (!policy.ok()) return usage(std::string(policy.status().message()));
  policy->request_timeout = request_timeout;
  if (max_attempts < 0) return usage("--max_attempts must be 1 or more");
  if (max_attempts > 0) policy->max_attempts = static_cast<int>(max_attempts);

  std::vector<client::Credentials> creds;
  if (connections > 0) {
    if (connections_file.empty()) connections_file = Env("PIM_CONNECTIONS_FILE");
    if (connections_file.empty()) {
      return usage("--connections needs PIM_CONNECTIONS_FILE or --connections_file");
    }
    absl::StatusOr<std::vector<client::Credentials>> all =
        client::ReadConnectionsFile(connections_file);
    if (!all.ok()) return usage(std::string(all.status().message()));
    if (static_cast<int64_t>(all->size()) < connections) {
      return usage(absl::StrCat(connections_file, " has ", all->size(), " connections, not ",
                                connections));
    }
    creds.assign(all->begin(), all->begin() + connections);
  } else {
    absl::StatusOr<client::Credentials> c = client::CredentialsFromEnvironment(
        {base_url, client_id, secret, username, password});
    if (!c.ok()) return usage(absl::StrCat(c.status().message(), " (nor its flag)"));
    creds.push_back(*std::move(c));
  }

  const std::string& path = cl.positional()[0];
  std::ifstream file;
  std::istream* in = &std::cin;
  Progress bar;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return usage(absl::StrCat("cannot read ", path));
    in = &file;
    struct stat st;
    if (stat(path.c_str(), &st) == 0) bar.total_bytes = static_cast<uint64_t>(st.st_size);
  }
  std::ofstream rejected;
  if (!rejected_path.empty()) {
    rejected.open(rejected_path, std::ios::binary | std::ios::trunc);
    if (!rejected) return usage(absl::StrCat("cannot write ", rejected_path));
  }

  client::CurlLoop::Options transport;
  transport.ca_file = ca_file.empty() ? client::CaFileFromEnvironment() : ca_file;
  transport.verify_peer = !insecure;
  client::CurlLoop loop(transport);
  const uint64_t jitter_seed =
      seed != 0 ? static_cast<uint64_t>(seed) : static_cast<uint64_t>(absl::ToUnixNanos(loop.Now()));
  client::AkeneoClient akeneo(loop, loop, *policy, creds, jitter_seed);
  uint64_t gave_up_reported = 0;
  akeneo.OnGaveUp([&](const client::Call& call, const client::Outcome& o) {
    if (++gave_up_reported <= 5) {
      std::cerr << "\npimsim import: gave up on " << call.method << " " << call.target << ": "
                << o.message << "\n";
    }
  });
  client::ImportOptions options;
  options.batch_size = static_cast<int>(batch_size);
  options.collection = collection;
  options.key_field = key_field;
  options.keep_applied_keys = verify;
  options.create = create;
  client::Importer importer(loop, akeneo, options, *in, rejected_path.empty() ? nullptr : &rejected);

  bar.enabled = progress == "always" || (progress == "auto" && isatty(STDERR_FILENO));
  bar.start = loop.Now();
  std::function<void()> tick = [&] {
    bar.Draw(importer.counts(), akeneo.stats(), loop.Now(), false);
    // Nothing else to wait for and not finished: a stall, which must end
    // the run as it would without the progress bar's timer.
    if (importer.finished() || (loop.active() == 0 && loop.timers() == 0)) return;
    loop.RunAt(loop.Now() + absl::Milliseconds(250), tick);
  };
  if (bar.enabled) loop.RunAt(loop.Now(), tick);
  importer.Start([&] { loop.Stop(); });
  loop.Run([&] { return importer.finished(); });
  const absl::Duration took = loop.Now() - bar.start;
  bar.Draw(importer.counts(), akeneo.stats(), loop.Now(), true);

  // --verify: every applied key listed exactly once.
  bool verified = true;
  std::string verify_line;
  if (verify && importer.finished()) {
    std::map<std::string, int> seen;
    for (const std::string& k : importer.applied_keys()) seen.emplace(k, 0);
    uint64_t listed = 0, duplicates = 0;
    bool listing_done = false;
    client::Outcome last;
    client::ListAll(
        akeneo, absl::StrCat(collection, "?limit=100&pagination_type=search_after"),
        [&](const nlohmann::json& item) {
          ++listed;
          auto key = item.find(key_field);
          if (key == item.end() || !key->is_string()) return;
          auto it = seen.find(key->get<std::string>());
          if (it != seen.end() && ++it->second > 1) ++duplicates;
        },
        [&](const client::Outcome& o) {
          last = o;
          listing_done = true;
          loop.Stop();
        });
    loop.Run([&] { return listing_done; });
    uint64_t missing = 0;
    for (const auto& [k, n] : seen) missing += n == 0;
    verified = listing_done && last.ok() && missing == 0 && duplicates == 0;
    verify_line = absl::StrCat(
        "  verify: ", listing_done && last.ok() ? "" : "listing failed; ", Count(listed),
        " listed, ", Count(seen.size() - missing), " of ", Count(seen.size()),
        " applied lines present, ", Count(missing), " missing, ", Count(duplicates),
        " listed more than once: ", verified ? "ok" : "FAILED", "\n");
  }

  const client::ImportCounts& c = importer.counts();
  const client::ClientStats& s = akeneo.stats();
  // Lines read but with no result: the loop found nothing left to wait for
  // before every line had one (never expected; reported, not hidden).
  const uint64_t unfinished = c.lines - c.applied - c.rejected - c.failed;
  const double secs = std::max(1e-3, absl::ToDoubleSeconds(took));
  std::cout << "pimsim import: " << Count(c.lines) << " lines: " << Count(c.applied)
            << " applied, " << Count(c.rejected) << " rejected, " << Count(c.failed)
            << " not applied, in " << absl::StrFormat("%.1f", secs) << " s ("
            << absl::StrFormat("%.0f", c.applied / secs) << " lines/s)\n"
            << "  " << s.requests << " requests (" << c.batches << " "
            << (create ? "creates" : batch_size == 1 ? "upserts" : "batches") << ", " << s.token_requests
            << " token), " << s.retries << " retries, " << s.throttled << " throttled (429), "
            << s.server_errors << " 5xx, " << s.timeouts << " timeouts, " << s.disconnects
            << " disconnects, " << s.read_backs << " read-backs, " << s.budget_exhausted
            << " waits for the retry budget, " << s.gave_up << " gave up\n";
  std::cout << verify_line;
  if (!importer.first_failure().empty()) {
    std::cout << "  first line not applied: " << importer.first_failure() << "\n";
  }
  if (!importer.finished()) {
    std::cout << "  the import stopped with " << Count(unfinished)
              << " lines still waiting for a result\n";
  }
  if (!rejected_path.empty() && (c.rejected || c.failed)) {
    std::cout << "  rejected and unapplied lines: " << rejected_path << "\n";
  }
  rejected.close();
  if (!importer.finished() || unfinished || c.failed || !verified) return kExitRunFailed;
  return c.rejected ? kExitViolations : kExitPass;
}

}  // namespace pimsim::tools
