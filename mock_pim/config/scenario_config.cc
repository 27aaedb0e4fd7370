#include "mock_pim/config/scenario_config.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/time_util.h"
#include "checker/expectations.h"
#include "client/workload_spec.h"
#include "mock_pim/api/seed.h"
#include "mock_pim/faults/fault_spec.h"
#include "mock_pim/latency/latency_model.h"
#include "limits/limits_config.h"

namespace pimsim::config {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::TextFormat;
using google::protobuf::util::TimeUtil;

constexpr uint32_t kMaxSeedProducts = 2'000'000;

absl::Status FieldError(absl::string_view path, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", reason));
}

bool ValidName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '-')) return false;
  }
  return true;
}

absl::Status ValidateDurationField(absl::string_view path, bool has,
                                   const google::protobuf::Duration& d) {
  if (has && TimeUtil::DurationToNanoseconds(d) <= 0) {
    return FieldError(path, absl::StrCat("must be > 0, got ", TimeUtil::ToString(d)));
  }
  return absl::OkStatus();
}

absl::Status ValidateInstance(const pimsim::v1::Instance& instance, absl::string_view path) {
  if (!ValidName(instance.name())) {
    return FieldError(absl::StrCat(path, ".name"),
                      absl::StrCat("must match [a-z0-9_-]{1,64}, got \"", instance.name(), "\""));
  }
  if (instance.name() == "api" || instance.name() == "metrics") {
    return FieldError(absl::StrCat(path, ".name"),
                      absl::StrCat("\"", instance.name(), "\" is reserved (it is a route of the mock)"));
  }
  if (instance.connections_size() > kMaxConnectionsPerInstance) {
    return FieldError(absl::StrCat(path, ".connections"),
                      absl::StrCat("at most ", kMaxConnectionsPerInstance,
                                   " connections per instance (Akeneo's limit), got ",
                                   instance.connections_size()));
  }
  absl::flat_hash_set<std::string> ids;
  for (int i = 0; i < instance.connections_size(); ++i) {
    const pimsim::v1::Connection& c = instance.connections(i);
    std::string cpath = absl::StrCat(path, ".connections[", i, "]");
    if (c.client_id().empty()) return FieldError(absl::StrCat(cpath, ".client_id"), "must not be empty");
    if (!ids.insert(c.client_id()).second) {
      return FieldError(absl::StrCat(cpath, ".client_id"),
                        absl::StrCat("duplicate client id \"", c.client_id(), "\""));
    }
    if (c.secret().empty()) return FieldError(absl::StrCat(cpath, ".secret"), "must not be empty");
    if (c.username().empty()) return FieldError(absl::StrCat(cpath, ".username"), "must not be empty");
    if (c.password().empty()) return FieldError(absl::StrCat(cpath, ".password"), "must not be empty");
  }
  absl::Status limits = ValidateLimits(instance.limits());
  if (!limits.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".limits.", limits.message()));
  }
  if (instance.seed().products() > kMaxSeedProducts) {
    return FieldError(absl::StrCat(path, ".seed.products"),
                      absl::StrCat("at most ", kMaxSeedProducts, ", got ", instance.seed().products()));
  }
  if (instance.seed().has_attributes() && instance.seed().attributes() > 1000) {
    return FieldError(absl::StrCat(path, ".seed.attributes"), "at most 1000");
  }
  if (instance.seed().has_families() && instance.seed().families() > 1000) {
    return FieldError(absl::StrCat(path, ".seed.families"), "at most 1000");
  }
  if (instance.seed().has_categories() && instance.seed().categories() > 100000) {
    return FieldError(absl::StrCat(path, ".seed.categories"), "at most 100000");
  }
  if (instance.seed().has_options_per_select() && instance.seed().options_per_select() > 10000) {
    return FieldError(absl::StrCat(path, ".seed.options_per_select"), "at most 10000");
  }
  // And whatever else the catalogue generator refuses (products need a
  // family), so that a scenario that loads can be served.
  if (absl::Status seed = api::ValidateSeedData(instance.seed()); !seed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ".", seed.message()));
  }
  if (absl::Status s = ValidateDurationField(absl::StrCat(path, ".access_token_lifetime"),
                                             instance.has_access_token_lifetime(),
                                             instance.access_token_lifetime());
      !s.ok()) {
    return s;
  }
  return ValidateDurationField(absl::StrCat(path, ".refresh_token_lifetime"),
                               instance.has_refresh_token_lifetime(),
                               instance.refresh_token_lifetime());
}

// Phases, workload and max_duration: what `pimsim run` reads.
absl::Status ValidateRun(const pimsim::v1::Scenario& scenario) {
  if (absl::Status s = ValidateDurationField("max_duration", scenario.has_max_duration(),
                                             scenario.max_duration());
      !s.ok()) {
    return s;
  }
  if (scenario.has_max_duration() &&
      TimeUtil::DurationToNanoseconds(scenario.max_duration()) > absl::ToInt64Nanoseconds(kMaxRunDuration)) {
    return FieldError("max_duration", "at most 24h");
  }
  absl::flat_hash_set<std::string> instance_names;
  for (const pimsim::v1::Instance& instance : scenario.instances()) {
    instance_names.insert(instance.name());
  }
  absl::flat_hash_set<std::string> phase_names;
  for (const pimsim::v1::Phase& phase : scenario.phases()) phase_names.insert(phase.name());
  absl::flat_hash_set<std::string> seen;
  // Phase rules join the scenario's in one list of the mock's: one namespace.
  absl::flat_hash_set<std::string> rule_names;
  for (const pimsim::v1::FaultRule& rule : scenario.faults()) rule_names.insert(rule.name());
  for (int i = 0; i < scenario.phases_size(); ++i) {
    const pimsim::v1::Phase& phase = scenario.phases(i);
    const std::string path = absl::StrCat("phases[", i, "]");
    if (!ValidName(phase.name())) {
      return FieldError(absl::StrCat(path, ".name"),
                        absl::StrCat("must match [a-z0-9_-]{1,64}, got \"", phase.name(), "\""));
    }
    if (!seen.insert(phase.name()).second) {
      return FieldError(absl::StrCat(path, ".name"),
                        absl::StrCat("duplicate phase name \"", phase.name(), "\""));
    }
    switch (phase.end_case()) {
      case pimsim::v1::Phase::kDuration:
        if (absl::Status s = ValidateDurationField(absl::StrCat(path, ".duration"), true,
                                                   phase.duration());
            !s.ok()) {
          return s;
        }
        break;
      case pimsim::v1::Phase::kRequests:
        if (phase.requests() == 0) return FieldError(absl::StrCat(path, ".requests"), "must be >= 1");
        break;
      default:
        return FieldError(path, "needs duration or requests (when the phase ends)");
    }
    for (int k = 0; k < phase.faults_size(); ++k) {
      const pimsim::v1::FaultRule& rule = phase.faults(k);
      const std::string rule_path = absl::StrCat(path, ".faults[", k, "]");
      if (!rule.trigger().phase().empty() && rule.trigger().phase() != phase.name()) {
        return FieldError(absl::StrCat(rule_path, ".trigger.phase"),
                          absl::StrCat("a rule of phase \"", phase.name(), "\" cannot name phase \"",
                                       rule.trigger().phase(), "\""));
      }
      if (absl::Status s = ValidateFaultRule(rule); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(rule_path, ".", s.message()));
      }
      if (!rule.name().empty() && !rule_names.insert(rule.name()).second) {
        return FieldError(absl::StrCat(rule_path, ".name"),
                          absl::StrCat("duplicate fault name \"", rule.name(), "\""));
      }
    }
    for (const auto& [instance, limits] : phase.limits()) {
      if (!instance_names.contains(instance) &&
          !(scenario.instances_size() == 0 && instance == kDefaultInstance)) {
        return FieldError(absl::StrCat(path, ".limits"),
                          absl::StrCat("no instance named \"", instance, "\""));
      }
      if (absl::Status s = ValidateLimits(limits); !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ".limits[\"", instance, "\"].", s.message()));
      }
    }
  }
  for (int i = 0; i < scenario.faults_size(); ++i) {
    const std::string& phase = scenario.faults(i).trigger().phase();
    if (!phase.empty() && scenario.phases_size() > 0 && !phase_names.contains(phase)) {
      return FieldError(absl::StrCat("faults[", i, "].trigger.phase"),
                        absl::StrCat("no phase named \"", phase, "\""));
    }
  }
  if (scenario.workload().has_external()) {
    const pimsim::v1::ExternalCommand& command = scenario.workload().external();
    if (command.argv().empty() || command.argv(0).empty()) {
      return FieldError("workload.external.argv", "needs the program to run");
    }
    for (const auto& [name, value] : command.env()) {
      if (name.empty() || name.find('=') != std::string::npos ||
          name.find('\0') != std::string::npos || value.find('\0') != std::string::npos) {
        return FieldError("workload.external.env",
                          absl::StrCat("bad variable name \"", name, "\""));
      }
    }
    for (int i = 0; i < command.argv_size(); ++i) {
      if (command.argv(i).find('\0') != std::string::npos) {
        return FieldError(absl::StrCat("workload.external.argv"), "an argument holds a NUL byte");
      }
    }
    if (absl::Status s = ValidateDurationField("workload.external.timeout",
                                               command.has_timeout(), command.timeout());
        !s.ok()) {
      return s;
    }
  }
  if (scenario.workload().has_reference()) {
    const int connections =
        scenario.instances_size() == 0 ? 1 : scenario.instances(0).connections_size();
    if (absl::Status s = client::ValidateReferenceWorkload(scenario.workload().reference(),
                                                           std::max(connections, 1));
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// Collects the text parser's syntax errors as "file:line:column: message".
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  explicit ErrorCollector(absl::string_view filename) : filename_(filename) {}
  void AddError(int line, int column, const std::string& message) override {
    if (first_.empty()) first_ = absl::StrCat(filename_, ":", line + 1, ":", column + 1, ": ", message);
  }
  void AddWarning(int line, int column, const std::string& message) override {}
  const std::string& first() const { return first_; }

 private:
  std::string filename_;
  std::string first_;
};

// Finds where the field at `path` ("instances[1].limits.burst") was written,
// or the closest enclosing field that was. Returns false if none was.
bool Locate(const TextFormat::ParseInfoTree& root, const Descriptor* descriptor,
            absl::string_view path, int* line, int* column) {
  const TextFormat::ParseInfoTree* tree = &root;
  bool found = false;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    int index = -1;
    absl::string_view name = part;
    if (size_t bracket = part.find('['); bracket != absl::string_view::npos) {
      name = part.substr(0, bracket);
      absl::string_view digits = part.substr(bracket + 1);
      digits = digits.substr(0, digits.find(']'));
      if (!absl::SimpleAtoi(digits, &index)) return found;
    }
    if (descriptor == nullptr || tree == nullptr) return found;
    const FieldDescriptor* field = descriptor->FindFieldByName(std::string(name));
    if (field == nullptr) return found;
    // A repeated field named without an index ("connections: at most 50")
    // has no one location: the enclosing field's is the answer. (Asking
    // protobuf for index -1 of a repeated field aborts the process.)
    if (field->is_repeated() != (index >= 0)) return found;
    TextFormat::ParseLocation loc = tree->GetLocation(field, index);
    if (loc.line < 0) return found;
    *line = loc.line + 1;
    *column = loc.column + 1;
    found = true;
    if (field->type() != FieldDescriptor::TYPE_MESSAGE) return found;
    tree = tree->GetTreeForNested(field, index);
    descriptor = field->message_type();
  }
  return found;
}

}  // namespace

absl::Status ValidateScenario(const pimsim::v1::Scenario& scenario) {
  absl::flat_hash_set<std::string> names;
  for (int i = 0; i < scenario.instances_size(); ++i) {
    const pimsim::v1::Instance& instance = scenario.instances(i);
    std::string path = absl::StrCat("instances[", i, "]");
    if (absl::Status s = ValidateInstance(instance, path); !s.ok()) return s;
    if (!names.insert(instance.name()).second) {
      return FieldError(absl::StrCat(path, ".name"),
                        absl::StrCat("duplicate instance name \"", instance.name(), "\""));
    }
  }
  absl::flat_hash_set<std::string> fault_names;
  for (int i = 0; i < scenario.faults_size(); ++i) {
    const pimsim::v1::FaultRule& rule = scenario.faults(i);
    if (absl::Status s = ValidateFaultRule(rule); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("faults[", i, "].", s.message()));
    }
    if (!rule.name().empty() && !fault_names.insert(rule.name()).second) {
      return FieldError(absl::StrCat("faults[", i, "].name"),
                        absl::StrCat("duplicate fault name \"", rule.name(), "\""));
    }
  }
  if (absl::Status s = ValidateRun(scenario); !s.ok()) return s;
  if (absl::Status s = checker::ValidateExpectations(scenario.expectations()); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("expectations.", s.message()));
  }
  absl::StatusOr<LatencyModel> latency = LatencyModel::Create(scenario.latency());
  if (!latency.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("latency.", latency.status().message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<pimsim::v1::Scenario> ParseScenarioText(std::string_view text,
                                                       std::string_view filename) {
  absl::string_view file(filename.data(), filename.size());
  pimsim::v1::Scenario scenario;
  TextFormat::Parser parser;
  ErrorCollector errors(file);
  TextFormat::ParseInfoTree tree;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(std::string(text), &scenario)) {
    return absl::InvalidArgumentError(
        errors.first().empty() ? absl::StrCat(file, ": cannot parse scenario") : errors.first());
  }
  absl::Status valid = ValidateScenario(scenario);
  if (valid.ok()) return scenario;
  absl::string_view message = valid.message();
  absl::string_view path = message.substr(0, message.find(':'));
  // A limits message continues the path ("...limits.instance_rate.burst must ...").
  path = path.substr(0, path.find(' '));
  int line = 0, column = 0;
  if (Locate(tree, pimsim::v1::Scenario::descriptor(), path, &line, &column)) {
    return absl::InvalidArgumentError(absl::StrCat(file, ":", line, ":", column, ": ", message));
  }
  return absl::InvalidArgumentError(absl::StrCat(file, ": ", message));
}

absl::StatusOr<pimsim::v1::Scenario> LoadScenarioFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open scenario file"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat(path, ": read error"));
  return ParseScenarioText(buffer.str(), path);
}

absl::Status AddFaultSpecs(const std::vector<std::string>& specs, pimsim::v1::Scenario* scenario) {
  for (const std::string& spec : specs) {
    absl::StatusOr<pimsim::v1::FaultRule> rule = ParseFaultSpec(spec);
    if (!rule.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--fault \"", spec, "\": ", rule.status().message()));
    }
    if (rule->name().empty()) rule->set_name(absl::StrCat("fault-", scenario->faults_size() + 1));
    *scenario->add_faults() = *std::move(rule);
  }
  return absl::OkStatus();
}

void SetNumberedConnections(int n, pimsim::v1::Instance* instance) {
  instance->clear_connections();
  for (int i = 1; i <= n; ++i) {
    pimsim::v1::Connection* c = instance->add_connections();
    c->set_client_id(i == 1 ? std::string(kDefaultClientId) : absl::StrCat(kDefaultClientId, "-", i));
    c->set_secret(c->client_id());
    c->set_username(kDefaultUser);
    c->set_password(kDefaultUser);
  }
}

pimsim::v1::Scenario WithDefaults(pimsim::v1::Scenario scenario) {
  if (scenario.instances_size() == 0) scenario.add_instances()->set_name(kDefaultInstance);
  for (pimsim::v1::Instance& instance : *scenario.mutable_instances()) {
    if (instance.connections_size() == 0) SetNumberedConnections(1, &instance);
  }
  if (!scenario.has_seed()) scenario.set_seed(1);
  return scenario;
}

}  // namespace pimsim::config
