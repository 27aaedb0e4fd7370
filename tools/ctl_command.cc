#include "tools/ctl_command.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/proto_json.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "mock_pim/faults/fault_spec.h"
#include "limits/limits_config.h"
#include "proto/control.grpc.pb.h"
#include "tools/command_line.h"
#include "tools/exit_codes.h"

namespace pimsim::tools {
namespace {

using pimsim::v1::PimControl;

constexpr char kSummary[] =
    "Steers a running `pimsim serve` over its control API (see its first stdout line,\n"
    "control=HOST:PORT).\n"
    "\n"
    "verbs:\n"
    "  limits get [--instance=I]       the limits in force (textproto, every default filled in)\n"
    "  limits set [--instance=I] [--limits=TEXTPROTO] [--rate=R] [--burst=B]\n"
    "             [--per_connection=N] [--per_instance=N] [--retry_after=FORM] [--enabled=on|off]\n"
    "                                  --limits replaces every limit (unset fields: defaults);\n"
    "                                  the other flags change only their field, over --limits or\n"
    "                                  over the limits in force. --rate without --burst resets "
    "the\n"
    "                                  burst to its default, ceil(rate). Prints the new limits.\n"
    "  faults list                     one fault spec per line\n"
    "  faults add SPEC                 e.g. 'status=503,p=0.3,method=GET,name=flaky' (see README)\n"
    "  faults clear [NAME...]          the named rules, or every rule\n"
    "  phase NAME                      make NAME the current phase; prints the previous one\n"
    "  reset [--store] [--journal] [--counters] [--limiter]\n"
    "                                  reset those parts of the mock's state (none given: all)\n"
    "  journal tail [--after=N] [--follow]\n"
    "                                  journal events with id > N as JSON lines; --follow keeps\n"
    "                                  streaming them as requests complete (until Ctrl-C)\n"
    "  counters                        every counter, \"name{labels} value\" per line\n"
    "\n"
    "exit codes: 0 ok, 2 bad usage or a request the server rejected as invalid,\n"
    "3 the control server is unreachable or the call failed";

constexpr absl::Duration kCallTimeout = absl::Seconds(10);

int Fail(absl::string_view message, int code) {
  std::cerr << "pimsim ctl: " << message << "\n";
  return code;
}

struct CtlFlags {
  std::string control;
  std::string control_token;
  std::string instance;
  std::string limits;
  std::string rate;
  int64_t burst = -1;
  int64_t per_connection = -1;
  int64_t per_instance = -1;
  std::string retry_after;
  std::string enabled;
  bool store = false;
  bool journal = false;
  bool counters = false;
  bool limiter = false;
  int64_t after = 0;
  bool follow = false;

  // Names of the flags given on the command line.
  std::set<std::string> given;
};

// Registers the flags, recording which ones are given so that a flag meant
// for another verb is an error rather than silently ignored.
void AddFlags(CommandLine& cl, CtlFlags& f) {
  auto string_flag = [&cl, &f](const std::string& name, std::string help, std::string* value) {
    cl.AddCustom(name, std::move(help), *value, [&f, name, value](absl::string_view v) {
      *value = std::string(v);
      f.given.insert(name);
      return absl::OkStatus();
    });
  };
  auto int_flag = [&cl, &f](const std::string& name, std::string help, int64_t* value) {
    cl.AddCustom(name, std::move(help), "", [&f, name, value](absl::string_view v) {
      if (!absl::SimpleAtoi(v, value) || *value < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, ": expected a non-negative integer, got \"", v, "\""));
      }
      f.given.insert(name);
      return absl::OkStatus();
    });
  };
  string_flag("control", "HOST:PORT of the control API (serve's control=...)", &f.control);
  string_flag("control_token", "bearer token, if serve has --control_token", &f.control_token);
  string_flag("instance", "limits: the instance (default: the first)", &f.instance);
  string_flag("limits", "limits set: a pimsim.v1.Limits textproto", &f.limits);
  string_flag("rate", "limits set: instance_rate.requests_per_second", &f.rate);
  int_flag("burst", "limits set: instance_rate.burst", &f.burst);
  int_flag("per_connection", "limits set: max_in_flight_per_connection (0: unlimited)",
           &f.per_connection);
  int_flag("per_instance", "limits set: max_in_flight_per_instance (0: unlimited)",
           &f.per_instance);
  string_flag("retry_after", "limits set: Retry-After form: seconds, http-date or none",
              &f.retry_after);
  string_flag("enabled", "limits set: on, or off to enforce no limit", &f.enabled);
  cl.AddBool("store", "reset: re-seed resources and tokens", &f.store);
  cl.AddBool("journal", "reset: drop journal events", &f.journal);
  cl.AddBool("counters", "reset: fault match counters and the phase", &f.counters);
  cl.AddBool("limiter", "reset: buckets full, protection windows ended", &f.limiter);
  int_flag("after", "journal tail: print events with id > N", &f.after);
  cl.AddBool("follow", "journal tail: keep streaming events as they complete", &f.follow);
}

// A counter value as Prometheus prints it: integers in full, without an
// exponent; anything else with every significant digit.
std::string FormatValue(double value) {
  if (std::isfinite(value) && std::trunc(value) == value &&
      std::fabs(value) < 9.007199254740992e15) {
    return absl::StrCat(static_cast<int64_t>(value));
  }
  return absl::StrFormat("%.17g", value);
}

// The limits as textproto, after a comment naming the instance if known.
std::string LimitsText(const std::string& instance, const pimsim::v1::Limits& limits) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(limits, &text);
  return instance.empty() ? text : absl::StrCat("# instance: ", instance, "\n", text);
}

class Ctl {
 public:
  explicit Ctl(const CtlFlags& flags)
      : flags_(flags),
        stub_(PimControl::NewStub(grpc::CreateCustomChannel(
            flags.control, grpc::InsecureChannelCredentials(), ChannelArgs()))) {}

  int Limits(const std::vector<std::string>& args);
  int Faults(const std::vector<std::string>& args);
  int Phase(const std::vector<std::string>& args);
  int Reset();
  int JournalTail();
  int Counters();

 private:
  static grpc::ChannelArguments ChannelArgs() {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    return args;
  }

  // A context carrying the token, with the unary deadline unless streaming.
  std::unique_ptr<grpc::ClientContext> Context(bool streaming = false) const {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!streaming) {
      context->set_deadline(std::chrono::system_clock::now() +
                            std::chrono::milliseconds(absl::ToInt64Milliseconds(kCallTimeout)));
    }
    if (!flags_.control_token.empty()) {
      context->AddMetadata("authorization", absl::StrCat("Bearer ", flags_.control_token));
    }
    return context;
  }

  // The exit code and message for a failed call.
  int CallFailed(absl::string_view method, const grpc::Status& status) const {
    switch (status.error_code()) {
      case grpc::StatusCode::INVALID_ARGUMENT:
        return Fail(status.error_message(), kExitUsage);
      case grpc::StatusCode::UNAVAILABLE:
      case grpc::StatusCode::DEADLINE_EXCEEDED:
        return Fail(absl::StrCat("cannot reach the control server at ", flags_.control, " (",
                                 method, "): ", status.error_message()),
                    kExitRunFailed);
      default:
        return Fail(absl::StrCat(method, " failed: ", status.error_message()), kExitRunFailed);
    }
  }

  int LimitsSet();

  const CtlFlags& flags_;
  std::unique_ptr<PimControl::Stub> stub_;
};

int Ctl::Limits(const std::vector<std::string>& args) {
  if (args.size() != 2 || (args[1] != "get" && args[1] != "set")) {
    return Fail("expected `limits get` or `limits set`", kExitUsage);
  }
  if (args[1] == "set") return LimitsSet();
  pimsim::v1::GetLimitsRequest request;
  request.set_instance(flags_.instance);
  pimsim::v1::GetLimitsResponse response;
  grpc::Status s = stub_->GetLimits(Context().get(), request, &response);
  if (!s.ok()) return CallFailed("GetLimits", s);
  std::cout << LimitsText(response.instance(), response.limits());
  return kExitPass;
}

int Ctl::LimitsSet() {
  const bool has_field_flag = flags_.given.count("rate") || flags_.given.count("burst") ||
                              flags_.given.count("per_connection") ||
                              flags_.given.count("per_instance") ||
                              flags_.given.count("retry_after") || flags_.given.count("enabled");
  if (!flags_.given.count("limits") && !has_field_flag) {
    return Fail(
        "limits set needs --limits=TEXTPROTO or one of --rate, --burst, --per_connection, "
        "--per_instance, --retry_after, --enabled",
        kExitUsage);
  }
  pimsim::v1::Limits limits;
  std::string instance = flags_.instance;
  if (flags_.given.count("limits")) {
    if (!google::protobuf::TextFormat::ParseFromString(flags_.limits, &limits)) {
      return Fail(
          absl::StrCat("--limits: not a pimsim.v1.Limits textproto: \"", flags_.limits, "\""),
          kExitUsage);
    }
  } else {
    pimsim::v1::GetLimitsRequest request;
    request.set_instance(flags_.instance);
    pimsim::v1::GetLimitsResponse current;
    grpc::Status s = stub_->GetLimits(Context().get(), request, &current);
    if (!s.ok()) return CallFailed("GetLimits", s);
    limits = current.limits();
    instance = current.instance();
  }
  if (flags_.given.count("rate")) {
    double rate = 0;
    if (!absl::SimpleAtod(flags_.rate, &rate)) {
      return Fail(absl::StrCat("--rate: not a number: \"", flags_.rate, "\""), kExitUsage);
    }
    limits.mutable_instance_rate()->set_requests_per_second(rate);
    limits.mutable_instance_rate()->clear_burst();
  }
  if (flags_.given.count("burst")) {
    if (flags_.burst > UINT32_MAX) return Fail("--burst is too large", kExitUsage);
    limits.mutable_instance_rate()->set_burst(static_cast<uint32_t>(flags_.burst));
  }
  if (flags_.given.count("per_connection")) {
    if (flags_.per_connection > UINT32_MAX)
      return Fail("--per_connection is too large", kExitUsage);
    limits.set_max_in_flight_per_connection(static_cast<uint32_t>(flags_.per_connection));
  }
  if (flags_.given.count("per_instance")) {
    if (flags_.per_instance > UINT32_MAX) return Fail("--per_instance is too large", kExitUsage);
    limits.set_max_in_flight_per_instance(static_cast<uint32_t>(flags_.per_instance));
  }
  if (flags_.given.count("retry_after")) {
    absl::StatusOr<pimsim::v1::RetryAfterForm> form = ParseRetryAfterForm(flags_.retry_after);
    if (!form.ok()) {
      return Fail(absl::StrCat("--retry_after: ", form.status().message()), kExitUsage);
    }
    limits.set_retry_after(*form);
  }
  if (flags_.given.count("enabled")) {
    if (flags_.enabled != "on" && flags_.enabled != "off") {
      return Fail(absl::StrCat("--enabled: expected on or off, got \"", flags_.enabled, "\""),
                  kExitUsage);
    }
    limits.set_enabled(flags_.enabled == "on");
  }
  pimsim::v1::SetLimitsRequest request;
  request.set_instance(flags_.instance);
  *request.mutable_limits() = limits;
  pimsim::v1::SetLimitsResponse response;
  grpc::Status s = stub_->SetLimits(Context().get(), request, &response);
  if (!s.ok()) return CallFailed("SetLimits", s);
  std::cout << LimitsText(instance, response.limits());
  return kExitPass;
}

int Ctl::Faults(const std::vector<std::string>& args) {
  const std::string verb = args.size() >= 2 ? args[1] : "";
  if (verb == "list" && args.size() == 2) {
    pimsim::v1::ListFaultsResponse response;
    grpc::Status s = stub_->ListFaults(Context().get(), {}, &response);
    if (!s.ok()) return CallFailed("ListFaults", s);
    for (const pimsim::v1::FaultRule& rule : response.rules()) {
      std::cout << FormatFaultSpec(rule) << "\n";
    }
    return kExitPass;
  }
  if (verb == "add" && args.size() == 3) {
    pimsim::v1::AddFaultRequest request;
    request.set_spec(args[2]);
    pimsim::v1::AddFaultResponse response;
    grpc::Status s = stub_->AddFault(Context().get(), request, &response);
    if (!s.ok()) return CallFailed("AddFault", s);
    std::cout << FormatFaultSpec(response.rule()) << "\n";
    return kExitPass;
  }
  if (verb == "clear") {
    pimsim::v1::ClearFaultsRequest request;
    for (size_t i = 2; i < args.size(); ++i) request.add_names(args[i]);
    pimsim::v1::ClearFaultsResponse response;
    grpc::Status s = stub_->ClearFaults(Context().get(), request, &response);
    if (!s.ok()) return CallFailed("ClearFaults", s);
    std::cout << "removed " << response.removed() << "\n";
    return kExitPass;
  }
  return Fail("expected `faults list`, `faults add SPEC` or `faults clear [NAME...]`", kExitUsage);
}

int Ctl::Phase(const std::vector<std::string>& args) {
  if (args.size() != 2) return Fail("expected `phase NAME`", kExitUsage);
  pimsim::v1::StartPhaseRequest request;
  request.set_name(args[1]);
  pimsim::v1::StartPhaseResponse response;
  grpc::Status s = stub_->StartPhase(Context().get(), request, &response);
  if (!s.ok()) return CallFailed("StartPhase", s);
  std::cout << "previous phase: " << (response.previous().empty() ? "(none)" : response.previous())
            << "\n";
  return kExitPass;
}

int Ctl::Reset() {
  pimsim::v1::ResetRequest request;
  request.set_store(flags_.store);
  request.set_journal(flags_.journal);
  request.set_counters(flags_.counters);
  request.set_limiter(flags_.limiter);
  pimsim::v1::ResetResponse response;
  grpc::Status s = stub_->Reset(Context().get(), request, &response);
  if (!s.ok()) return CallFailed("Reset", s);
  std::vector<std::string> parts;
  if (flags_.store) parts.push_back("store");
  if (flags_.journal) parts.push_back("journal");
  if (flags_.counters) parts.push_back("counters");
  if (flags_.limiter) parts.push_back("limiter");
  std::cout << "reset " << (parts.empty() ? "everything" : absl::StrJoin(parts, ", ")) << "\n";
  return kExitPass;
}

int Ctl::JournalTail() {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  const ProtoJsonPrinter printer(pimsim::v1::JournalEvent::descriptor(), options);
  std::string line;
  auto print = [&](const pimsim::v1::JournalEvent& event) {
    line.clear();
    (void)printer.Print(event, &line);
    std::cout << line << "\n";
  };
  if (flags_.follow) {
    pimsim::v1::WatchJournalRequest request;
    request.set_after_id(static_cast<uint64_t>(flags_.after));
    std::unique_ptr<grpc::ClientContext> context = Context(/*streaming=*/true);
    std::unique_ptr<grpc::ClientReader<pimsim::v1::JournalEvent>> reader =
        stub_->WatchJournal(context.get(), request);
    pimsim::v1::JournalEvent event;
    bool any = false;
    while (reader->Read(&event)) {
      print(event);
      std::cout.flush();
      any = true;
    }
    grpc::Status s = reader->Finish();
    // The server ending the stream because it shuts down (ControlService's
    // UNAVAILABLE "... shutting down") ends a follow normally; an
    // unreachable server does not.
    if (s.ok() || (s.error_code() == grpc::StatusCode::UNAVAILABLE &&
                   (any || absl::StrContains(s.error_message(), "shutting down")))) {
      std::cerr << "pimsim ctl: the journal stream ended: " << s.error_message() << "\n";
      return kExitPass;
    }
    return CallFailed("WatchJournal", s);
  }
  pimsim::v1::GetJournalRequest request;
  request.set_after_id(static_cast<uint64_t>(flags_.after));
  while (true) {
    pimsim::v1::GetJournalResponse response;
    grpc::Status s = stub_->GetJournal(Context().get(), request, &response);
    if (!s.ok()) return CallFailed("GetJournal", s);
    for (const pimsim::v1::JournalEvent& event : response.events()) print(event);
    if (response.events_size() == 0) {
      if (response.summary().overflowed() > 0) {
        std::cerr << "pimsim ctl: the journal overflowed: " << response.summary().overflowed()
                  << " events were not kept\n";
      }
      return kExitPass;
    }
    request.set_after_id(response.next_after_id());
  }
}

int Ctl::Counters() {
  pimsim::v1::GetCountersResponse response;
  grpc::Status s = stub_->GetCounters(Context().get(), {}, &response);
  if (!s.ok()) return CallFailed("GetCounters", s);
  const std::map<std::string, double> sorted(response.counters().begin(),
                                             response.counters().end());
  for (const auto& [name, value] : sorted) std::cout << name << " " << FormatValue(value) << "\n";
  return kExitPass;
}

// The flags each verb accepts, besides --control and --control_token.
const std::map<std::string, std::set<std::string>>& VerbFlags() {
  static const auto* flags = new std::map<std::string, std::set<std::string>>{
      {"limits get", {"instance"}},
      {"limits set",
       {"instance", "limits", "rate", "burst", "per_connection", "per_instance", "retry_after",
        "enabled"}},
      {"faults", {}},
      {"phase", {}},
      {"reset", {"store", "journal", "counters", "limiter"}},
      {"journal tail", {"after", "follow"}},
      {"counters", {}},
  };
  return *flags;
}

}  // namespace

int RunCtl(int argc, char** argv) {
  CtlFlags flags;
  CommandLine cl("ctl --control=HOST:PORT <verb>", kSummary);
  AddFlags(cl, flags);
  if (absl::Status s = cl.Parse(argc, argv); !s.ok()) {
    return Fail(absl::StrCat(s.message(), "\n\n", cl.Usage()), kExitUsage);
  }
  if (cl.help_requested()) {
    std::cout << cl.Usage();
    return kExitPass;
  }
  const std::vector<std::string>& args = cl.positional();
  if (args.empty()) return Fail(absl::StrCat("no verb given\n\n", cl.Usage()), kExitUsage);

  std::string verb = args[0];
  if ((verb == "limits" || verb == "journal") && args.size() >= 2) verb += " " + args[1];
  auto allowed = VerbFlags().find(verb);
  if (allowed == VerbFlags().end()) {
    return Fail(
        absl::StrCat("unknown verb \"", absl::StrJoin(args, " "), "\" (see pimsim ctl --help)"),
        kExitUsage);
  }
  // Boolean flags count as given when true.
  std::set<std::string> given = flags.given;
  for (const auto& [name, value] : {std::pair<const char*, bool>{"store", flags.store},
                                    {"journal", flags.journal},
                                    {"counters", flags.counters},
                                    {"limiter", flags.limiter},
                                    {"follow", flags.follow}}) {
    if (value) given.insert(name);
  }
  for (const std::string& name : given) {
    if (name != "control" && name != "control_token" && !allowed->second.count(name)) {
      return Fail(absl::StrCat("--", name, " does not apply to `pimsim ctl ", verb, "`"),
                  kExitUsage);
    }
  }
  if (flags.control.empty()) {
    return Fail("--control=HOST:PORT is required (serve prints it: control=...)", kExitUsage);
  }
  if (verb == "journal tail" && args.size() != 2) {
    return Fail("expected `journal tail [--after=N] [--follow]`", kExitUsage);
  }
  if ((verb == "reset" || verb == "counters") && args.size() != 1) {
    return Fail(absl::StrCat("`", verb, "` takes no argument"), kExitUsage);
  }

  Ctl ctl(flags);
  if (args[0] == "limits") return ctl.Limits(args);
  if (args[0] == "faults") return ctl.Faults(args);
  if (args[0] == "phase") return ctl.Phase(args);
  if (args[0] == "reset") return ctl.Reset();
  if (args[0] == "journal") return ctl.JournalTail();
  return ctl.Counters();
}

}  // namespace pimsim::tools
