// Scenario configuration: reading textproto scenario files, the defaults of
// an empty scenario, and validation with errors that point into the file.
//
// A validation error names the field path ("instances[0].limits.burst") and,
// when the scenario came from a file, the file, line and column of that field
// ("scenarios/x.textproto:12:3: instances[0]...: burst must be >= 1").
//
// Thread-safety: pure functions.
//
//   absl::StatusOr<pimsim::v1::Scenario> s = LoadScenarioFile("scenarios/smoke.textproto");
//   if (!s.ok()) { std::cerr << s.status().message(); return 2; }
//   pimsim::v1::Scenario full = WithDefaults(*s);
#ifndef PIMSIM_MOCK_PIM_CONFIG_SCENARIO_CONFIG_H_
#define PIMSIM_MOCK_PIM_CONFIG_SCENARIO_CONFIG_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "proto/scenario.pb.h"

namespace pimsim::config {

// The name, secret, user and password of the default connection.
inline constexpr char kDefaultClientId[] = "pimsim";
inline constexpr char kDefaultUser[] = "admin";
inline constexpr char kDefaultInstance[] = "default";
// Akeneo allows at most 50 connections per instance.
inline constexpr int kMaxConnectionsPerInstance = 50;
// A run's max_duration: default and bound.
inline constexpr absl::Duration kDefaultRunDuration = absl::Minutes(10);
inline constexpr absl::Duration kMaxRunDuration = absl::Hours(24);

// Checks every field; the error message is "<field path>: <reason>".
absl::Status ValidateScenario(const pimsim::v1::Scenario& scenario);

// Parses and validates a textproto scenario. `filename` is used in messages
// only ("file:line:column: reason").
absl::StatusOr<pimsim::v1::Scenario> ParseScenarioText(std::string_view text,
                                                       std::string_view filename);

// Reads, parses and validates a scenario file.
absl::StatusOr<pimsim::v1::Scenario> LoadScenarioFile(const std::string& path);

// Appends fault rules given in the one-line form (`--fault=SPEC`, see
// fault_spec.h) after the scenario's, named "fault-<n>" when unnamed. The
// error names the spec; the scenario is not validated here.
absl::Status AddFaultSpecs(const std::vector<std::string>& specs, pimsim::v1::Scenario* scenario);

// The scenario with an instance and a connection added where it has none:
// instance "default", connection pimsim/pimsim with user admin/admin.
pimsim::v1::Scenario WithDefaults(pimsim::v1::Scenario scenario);

// Connections pimsim, pimsim-2 ... pimsim-N, each secret equal to its client
// id, user admin/admin.
void SetNumberedConnections(int n, pimsim::v1::Instance* instance);

}  // namespace pimsim::config

#endif  // PIMSIM_MOCK_PIM_CONFIG_SCENARIO_CONFIG_H_
