#include "mock_pim/faults/fault_injector.h"

#include <algorithm>
#include <iterator>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "common/fnv.h"
#include "common/random.h"
#include "google/protobuf/util/message_differencer.h"
#include "mock_pim/faults/fault_spec.h"
#include "mock_pim/faults/path_glob.h"
#include "mock_pim/latency/latency_model.h"

namespace pimsim {
namespace {

using pimsim::v1::FaultAction;
using pimsim::v1::FaultRule;

constexpr const char* kKindNames[] = {
    "status_500",        "status_502",       "status_503", "status_504",
    "status_408",        "status_429",       "disconnect_before", "disconnect_after",
    "truncate",          "hang",             "latency",
};

int KindIndex(const FaultAction& action) {
  switch (action.kind_case()) {
    case FaultAction::kStatus:
      switch (action.status().code()) {
        case 500:
          return 0;
        case 502:
          return 1;
        case 503:
          return 2;
        case 504:
          return 3;
        case 408:
          return 4;
        default:
          return 5;  // 429; validation admits no other code
      }
    case FaultAction::kDisconnect:
      return action.disconnect().point() == pimsim::v1::DISCONNECT_POINT_AFTER_PROCESSING ? 7 : 6;
    case FaultAction::kTruncate:
      return 8;
    case FaultAction::kHang:
      return 9;
    default:
      return 10;
  }
}

// Methods matched by bit, so that a rule's method check touches no strings.
constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                                         "OPTIONS"};

uint32_t MethodBit(std::string_view method) {
  for (size_t i = 0; i < std::size(kMethods); ++i) {
    if (method == kMethods[i]) return 1u << i;
  }
  return 0;
}

// A rule's random stream is a function of its name alone.
uint64_t NameStream(std::string_view name) { return Fnv1a64(name); }

// A uniform double in [0, 1) from the top 53 bits.
double Uniform01(SplitMix64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

std::string RuleLabel(const std::string& where, const std::string& name) {
  return name.empty() ? where : absl::StrCat(where, " ", QuoteValue(name));
}

}  // namespace

struct FaultInjector::CompiledRule {
  // Match, first: most rules are rejected here.
  uint32_t route_mask = 0;   // bit per RouteKind; 0: any
  uint32_t method_mask = 0;  // bit per kMethods entry; 0 with no other_methods: any
  std::vector<std::string> other_methods;  // methods not in kMethods
  std::vector<std::string> connections, instances;
  PathGlob path;
  FaultRule proto;
  uint64_t stream = 0;
  // Trigger.
  bool draw_probability = false;
  double probability = 1;
  uint64_t every_nth = 0, first_n = 0, after_n = 0, max_fires = 0;
  absl::Duration window_start = -absl::InfiniteDuration();
  absl::Duration window_end = absl::InfiniteDuration();
  std::string phase;
  // Action.
  bool is_latency = false;
  int kind_index = 0;
  std::optional<LatencyModel> latency;  // its ROUTE_KIND_OTHER is the extra delay
  // Counts.
  std::atomic<uint64_t> matched{0};
  std::atomic<uint64_t> fired{0};
};

FaultInjector::FaultInjector(uint64_t seed, absl::Time run_start)
    : seed_(seed), run_start_(run_start) {}

FaultInjector::~FaultInjector() = default;

absl::StatusOr<std::unique_ptr<FaultInjector::CompiledRule>> FaultInjector::Compile(
    FaultRule rule, const std::string& where) {
  if (absl::Status s = ValidateFaultRule(rule); !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(RuleLabel(where, rule.name()), ": ", s.message()));
  }
  auto c = std::make_unique<CompiledRule>();
  const pimsim::v1::FaultMatch& m = rule.match();
  for (int k : m.route_kinds()) c->route_mask |= 1u << k;
  for (const std::string& method : m.methods()) {
    const uint32_t bit = MethodBit(method);
    if (bit != 0) {
      c->method_mask |= bit;
    } else {
      c->other_methods.push_back(method);
    }
  }
  c->connections.assign(m.connections().begin(), m.connections().end());
  c->instances.assign(m.instances().begin(), m.instances().end());
  c->path = PathGlob(m.path());

  const pimsim::v1::FaultTrigger& t = rule.trigger();
  if (t.has_probability()) {
    c->probability = t.probability();
    c->draw_probability = c->probability < 1;
  }
  c->every_nth = t.every_nth();
  c->first_n = t.first_n();
  c->after_n = t.after_n();
  c->max_fires = t.max_fires();
  if (t.has_window_start()) c->window_start = FromProto(t.window_start());
  if (t.has_window_end()) c->window_end = FromProto(t.window_end());
  c->phase = t.phase();

  c->kind_index = KindIndex(rule.action());
  if (rule.action().has_latency()) {
    c->is_latency = true;
    pimsim::v1::LatencyModel model;
    *model.mutable_other() = rule.action().latency().extra();
    absl::StatusOr<LatencyModel> created = LatencyModel::Create(model);
    if (!created.ok()) return created.status();  // validated above; cannot happen
    c->latency = *std::move(created);
  }
  c->stream = NameStream(rule.name());
  c->proto = std::move(rule);
  return c;
}

absl::Status FaultInjector::SetRules(std::vector<FaultRule> rules) {
  if (rules.size() > kMaxFaultRules) {
    return absl::InvalidArgumentError(
        absl::StrCat("at most ", kMaxFaultRules, " fault rules, got ", rules.size()));
  }
  // Names: explicit ones must be unique; then the unnamed get free defaults.
  std::unordered_set<std::string> taken;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string& name = rules[i].name();
    if (name.empty()) continue;
    if (!taken.insert(name).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          RuleLabel(absl::StrCat("rules[", i, "]"), name), ": name is used by an earlier rule"));
    }
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    if (!rules[i].name().empty()) continue;
    for (size_t k = i + 1;; ++k) {
      std::string name = absl::StrCat("fault-", k);
      if (taken.insert(name).second) {
        rules[i].set_name(std::move(name));
        break;
      }
    }
  }
  std::vector<std::unique_ptr<CompiledRule>> compiled;
  compiled.reserve(rules.size());
  for (size_t i = 0; i < rules.size(); ++i) {
    absl::StatusOr<std::unique_ptr<CompiledRule>> c =
        Compile(std::move(rules[i]), absl::StrCat("rules[", i, "]"));
    if (!c.ok()) return c.status();
    compiled.push_back(*std::move(c));
  }

  WriterMutexLock lock(&mu_);
  // An unchanged rule keeps its counts.
  for (auto& c : compiled) {
    for (const auto& old : rules_) {
      if (old->proto.name() == c->proto.name() &&
          google::protobuf::util::MessageDifferencer::Equals(old->proto, c->proto)) {
        c->matched.store(old->matched.load(std::memory_order_relaxed), std::memory_order_relaxed);
        c->fired.store(old->fired.load(std::memory_order_relaxed), std::memory_order_relaxed);
        break;
      }
    }
  }
  rules_ = std::move(compiled);
  has_rules_.store(!rules_.empty(), std::memory_order_release);
  return absl::OkStatus();
}

absl::StatusOr<FaultRule> FaultInjector::AddRule(FaultRule rule) {
  // Validate before naming, so that an invalid name is reported as given.
  if (absl::Status s = ValidateFaultRule(rule); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(RuleLabel("rule", rule.name()), ": ",
                                                   s.message()));
  }
  WriterMutexLock lock(&mu_);
  if (rules_.size() >= kMaxFaultRules) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "at most ", kMaxFaultRules, " fault rules; clear some before adding more"));
  }
  auto taken = [this](const std::string& name) ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return std::any_of(rules_.begin(), rules_.end(),
                       [&](const auto& r) { return r->proto.name() == name; });
  };
  if (rule.name().empty()) {
    for (size_t k = rules_.size() + 1;; ++k) {
      std::string name = absl::StrCat("fault-", k);
      if (!taken(name)) {
        rule.set_name(std::move(name));
        break;
      }
    }
  } else if (taken(rule.name())) {
    return absl::InvalidArgumentError(absl::StrCat(
        RuleLabel("rule", rule.name()), ": name is already used by another rule"));
  }
  absl::StatusOr<std::unique_ptr<CompiledRule>> c = Compile(std::move(rule), "rule");
  if (!c.ok()) return c.status();
  FaultRule stored = (*c)->proto;
  rules_.push_back(*std::move(c));
  has_rules_.store(true, std::memory_order_release);
  return stored;
}

size_t FaultInjector::ClearRules(const std::vector<std::string>& names) {
  WriterMutexLock lock(&mu_);
  const size_t before = rules_.size();
  if (names.empty()) {
    rules_.clear();
  } else {
    rules_.erase(std::remove_if(rules_.begin(), rules_.end(),
                                [&](const auto& r) {
                                  return std::find(names.begin(), names.end(),
                                                   r->proto.name()) != names.end();
                                }),
                 rules_.end());
  }
  has_rules_.store(!rules_.empty(), std::memory_order_release);
  return before - rules_.size();
}

std::vector<FaultRule> FaultInjector::Rules() const {
  ReaderMutexLock lock(&mu_);
  std::vector<FaultRule> out;
  out.reserve(rules_.size());
  for (const auto& r : rules_) out.push_back(r->proto);
  return out;
}

std::string FaultInjector::StartPhase(std::string name) {
  WriterMutexLock lock(&mu_);
  std::swap(phase_, name);
  return name;
}

std::string FaultInjector::phase() const {
  ReaderMutexLock lock(&mu_);
  return phase_;
}

void FaultInjector::Reset(absl::Time run_start) {
  WriterMutexLock lock(&mu_);
  run_start_ = run_start;
  phase_.clear();
  for (const auto& r : rules_) {
    r->matched.store(0, std::memory_order_relaxed);
    r->fired.store(0, std::memory_order_relaxed);
  }
}

bool FaultInjector::Matches(const CompiledRule& rule, const FaultRequest& request,
                            uint32_t route_bit, uint32_t method_bit) {
  if (rule.route_mask != 0 && (rule.route_mask & route_bit) == 0) return false;
  auto any_of = [](const std::vector<std::string>& list, std::string_view value) {
    for (const std::string& s : list) {
      if (s == value) return true;
    }
    return false;
  };
  if ((rule.method_mask != 0 || !rule.other_methods.empty()) &&
      (rule.method_mask & method_bit) == 0 && !any_of(rule.other_methods, request.method)) {
    return false;
  }
  return (rule.instances.empty() || any_of(rule.instances, request.instance)) &&
         (rule.connections.empty() || any_of(rule.connections, request.connection)) &&
         rule.path.Matches(request.path);
}

FaultDecision FaultInjector::Select(const FaultRequest& request, absl::Time arrival) {
  FaultDecision decision;
  if (!has_rules_.load(std::memory_order_acquire)) return decision;

  ReaderMutexLock lock(&mu_);
  const absl::Duration since_start = arrival - run_start_;
  const int kind = static_cast<int>(request.route_kind);
  const uint32_t route_bit = kind >= 0 && kind < 32 ? 1u << kind : 0;
  const uint32_t method_bit = MethodBit(request.method);
  for (const auto& rp : rules_) {
    CompiledRule& rule = *rp;
    if (!Matches(rule, request, route_bit, method_bit)) continue;
    const uint64_t n = rule.matched.fetch_add(1, std::memory_order_relaxed) + 1;
    if (!rule.is_latency && decision.action.has_value()) continue;

    if (rule.after_n != 0 && n <= rule.after_n) continue;
    if (rule.first_n != 0 && n > rule.first_n) continue;
    if (rule.every_nth != 0 && n % rule.every_nth != 0) continue;
    if (since_start < rule.window_start || since_start >= rule.window_end) continue;
    if (!rule.phase.empty() && rule.phase != phase_) continue;

    SplitMix64 rng(StreamSeed(seed_, n, rule.stream));
    if (rule.draw_probability && !(Uniform01(rng) < rule.probability)) continue;

    if (rule.max_fires != 0) {
      uint64_t fired = rule.fired.load(std::memory_order_relaxed);
      do {
        if (fired >= rule.max_fires) break;
      } while (!rule.fired.compare_exchange_weak(fired, fired + 1, std::memory_order_relaxed));
      if (fired >= rule.max_fires) continue;
    } else {
      rule.fired.fetch_add(1, std::memory_order_relaxed);
    }

    if (rule.is_latency) {
      decision.extra_latency += rule.latency->Draw(pimsim::v1::ROUTE_KIND_OTHER, 0, rng);
    } else {
      decision.action = rule.proto.action();
    }
    if (!decision.fired.empty()) decision.fired.push_back(',');
    decision.fired.append(rule.proto.name());
    injected_[rule.kind_index].fetch_add(1, std::memory_order_relaxed);
  }
  return decision;
}

std::vector<std::pair<std::string, uint64_t>> FaultInjector::InjectedCounts() const {
  std::vector<std::pair<std::string, uint64_t>> out;
  out.reserve(kNumKinds);
  for (int i = 0; i < kNumKinds; ++i) {
    out.emplace_back(kKindNames[i], injected_[i].load(std::memory_order_relaxed));
  }
  return out;
}

std::vector<FaultRuleStats> FaultInjector::RuleStats() const {
  ReaderMutexLock lock(&mu_);
  std::vector<FaultRuleStats> out;
  out.reserve(rules_.size());
  for (const auto& r : rules_) {
    out.push_back({r->proto.name(), r->matched.load(std::memory_order_relaxed),
                   r->fired.load(std::memory_order_relaxed)});
  }
  return out;
}

}  // namespace pimsim
