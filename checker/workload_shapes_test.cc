// Verdicts on the traffic real integrations send: a simulated client works
// through a catalogue sync (product reads, list pages, upserts, creates)
// against a PIM that fails some requests, on two workloads: one where every
// operation has its own URL, and one that repeats requests as real syncs do
// (products read twice, a list page polled by every worker, upserts sent
// again, a burst of identical token requests). Each retry policy must get
// the same verdict on both: a compliant client passes, and each way of
// retrying badly is caught by its rule.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "checker/testing/journal_builder.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

using testing::EventSpec;
using testing::JournalBuilder;
using testing::RuleOf;
using testing::Summary;

// A small deterministic generator: the journals replay.
class Lcg {
 public:
  explicit Lcg(uint64_t seed) : s_(seed * 2862933555777941757ull + 3037000493ull) {}
  double Uniform() {  // [0, 1)
    s_ = s_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(s_ >> 11) / 9007199254740992.0;
  }

 private:
  uint64_t s_;
};

struct Policy {
  bool retries = true;
  bool jitter = true;             // full jitter; else exactly base * 2^k
  bool immediate = false;         // every retry at once
  double retry_after_cap = 1e9;   // seconds
  bool resend_post = false;       // re-send a POST at once after an ambiguous failure
  bool retry_404 = false;         // retry a 404 after 1 s, twice
  int max_attempts = 6;
};

struct Op {
  std::string method;
  std::string path;
  std::string body;
  bool missing = false;  // the product does not exist: 404
};

enum class Workload { kUnique, kRepeats };

class Sync {
 public:
  Sync(Policy policy, Workload workload, uint64_t seed)
      : policy_(policy), workload_(workload), rng_(seed) {}

  pimsim::v1::Report Run() {
    // Every worker asks for a token at once, with the same credentials: two
    // of the four identical requests are rate-limited, and the client, with
    // a token already, never sends them again. The later ones of the burst
    // arrive after the first 429 went out.
    for (int k = 0; k < 4; ++k) {
      EventSpec& e = j_.Send("POST", "/api/oauth/v1/token").Body("grant").At(0.001 + k * 0.00005);
      if (k == 1 || k == 2) {
        e.Rejected(pimsim::v1::REJECTION_RATE_INSTANCE).RetryAfter(1).Latency(0.00001);
      } else {
        e.Latency(0.04);
      }
    }
    for (int w = 0; w < kWorkers; ++w) Worker(w);
    return j_.Check();
  }

 private:
  static constexpr int kWorkers = 4;
  static constexpr int kOps = 260;

  std::vector<Op> Plan(int w) {
    std::vector<Op> ops;
    std::vector<std::pair<size_t, Op>> later;  // (index to insert before, op)
    for (int i = 0; i < kOps; ++i) {
      const std::string id = absl::StrCat(w, "-", i);
      const double u = rng_.Uniform();
      Op op;
      if (u < 0.55) {
        op = {"GET", "/api/rest/v1/products/p" + id, "", rng_.Uniform() < 0.06};
        // A sync reading the product again a few operations on.
        if (workload_ == Workload::kRepeats && rng_.Uniform() < 0.35) {
          later.push_back({ops.size() + 20 + static_cast<size_t>(rng_.Uniform() * 40), op});
        }
      } else if (u < 0.75) {
        op = {"PATCH", "/api/rest/v1/products/u" + id, "{\"values\":" + id + "}"};
        if (workload_ == Workload::kRepeats && rng_.Uniform() < 0.3) {
          later.push_back({ops.size() + 15 + static_cast<size_t>(rng_.Uniform() * 30), op});
        }
      } else if (u < 0.87) {
        op = {"POST", "/api/rest/v1/products", "{\"identifier\":\"new-" + id + "\"}"};
      } else {
        op = {"GET", "/api/rest/v1/products?page=" + id, ""};
      }
      ops.push_back(op);
      // Every worker polls the same first page.
      if (workload_ == Workload::kRepeats && i % 10 == 5) {
        ops.push_back({"GET", "/api/rest/v1/products?page=1", ""});
      }
    }
    std::stable_sort(later.begin(), later.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Op> merged;
    size_t next = 0;
    for (size_t i = 0; i <= ops.size(); ++i) {
      while (next < later.size() && later[next].first <= i) merged.push_back(later[next++].second);
      if (i < ops.size()) merged.push_back(ops[i]);
    }
    return merged;
  }

  void Worker(int w) {
    double t = 0.1 + 0.013 * w;
    for (const Op& op : Plan(w)) t = Perform(op, t) + 0.04 + 0.12 * rng_.Uniform();
  }

  // Sends op's attempts from `t`; returns when the last one ended.
  double Perform(const Op& op, double t) {
    for (int attempt = 0;; ++attempt) {
      const double latency = 0.015 + 0.03 * rng_.Uniform();
      EventSpec& e = j_.Send(op.method, op.path).At(t).Latency(latency);
      if (!op.body.empty()) e.Body(op.body);
      const double end = t + latency;
      // What the PIM answers.
      const double u = rng_.Uniform();
      int status = 200;
      int retry_after = -1;
      bool dropped = false;
      if (op.method == "GET") {
        if (u < 0.07) status = 503;
        else if (u < 0.10) status = 429, retry_after = 2;
        else if (u < 0.13) status = 429, retry_after = 35;
        else if (op.missing) status = 404;
      } else if (u < 0.04) {
        dropped = true;  // after the body was read: applied or not, who knows
      } else if (u < 0.06) {
        status = op.method == "POST" ? 500 : 503;
      }
      if (dropped) {
        e.Dropped();
      } else if (status != 200) {
        e.Status(status);
        if (retry_after >= 0) e.RetryAfter(retry_after);
      }
      const bool transient = dropped || status == 429 || status >= 500;
      if (status == 404) {
        if (!policy_.retry_404 || attempt >= 2) return end;
        t = end + 1.0 + 0.001 * rng_.Uniform();
        continue;
      }
      if (!transient || !policy_.retries || attempt + 1 >= policy_.max_attempts) return end;
      const bool ambiguous_post = op.method == "POST" && (dropped || status == 500);
      if (ambiguous_post) {
        if (!policy_.resend_post) return end;
        t = end + 0.0005;
        continue;
      }
      double delay;
      if (retry_after >= 0) {
        delay = std::min<double>(retry_after, policy_.retry_after_cap) + 0.05 * rng_.Uniform();
      } else if (policy_.immediate) {
        delay = 0.0003 + 0.001 * rng_.Uniform();
      } else {
        const double cap = std::min(20.0, 0.5 * std::pow(2.0, attempt));
        delay = policy_.jitter ? cap * rng_.Uniform() : cap;
      }
      t = end + delay;
    }
  }

  const Policy policy_;
  const Workload workload_;
  Lcg rng_;
  JournalBuilder j_;
};

bool Violated(const pimsim::v1::Report& r, const std::string& rule) {
  return RuleOf(r, rule).outcome() == pimsim::v1::RULE_OUTCOME_VIOLATED;
}

// Error-severity violations, by rule.
std::string Errors(const pimsim::v1::Report& r) {
  std::string out;
  for (const pimsim::v1::RuleResult& rule : r.rules()) {
    if (rule.outcome() != pimsim::v1::RULE_OUTCOME_VIOLATED) continue;
    for (const pimsim::v1::Violation& v : r.violations()) {
      if (v.rule() == rule.rule() && v.severity() == pimsim::v1::SEVERITY_ERROR) {
        absl::StrAppend(&out, rule.rule(), " ");
        break;
      }
    }
  }
  return out;
}

class WorkloadShapesTest : public ::testing::TestWithParam<Workload> {
 protected:
  pimsim::v1::Report Run(Policy policy, uint64_t seed = 1) {
    return Sync(policy, GetParam(), seed).Run();
  }
};

TEST_P(WorkloadShapesTest, CompliantClientPasses) {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    const auto r = Run({}, seed);
    EXPECT_EQ(Errors(r), "") << "seed " << seed << Summary(r);
    EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS) << "seed " << seed;
    for (const char* rule : {"retry_after.ignored", "retry.non_retryable", "retry.non_idempotent",
                             "backoff.immediate", "backoff.not_growing", "backoff.no_jitter",
                             "retry.too_many", "request.duplicate_in_flight", "retry.abandoned"}) {
      EXPECT_FALSE(Violated(r, rule)) << rule << " seed " << seed << Summary(r);
    }
  }
}

TEST_P(WorkloadShapesTest, ClientWithoutRetriesPassesWithAbandonedWarning) {
  const auto r = Run({.retries = false});
  EXPECT_EQ(Errors(r), "") << Summary(r);
  EXPECT_TRUE(Violated(r, "retry.abandoned")) << Summary(r);
  EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_PASS);
}

TEST_P(WorkloadShapesTest, LockstepBackoffIsCaught) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const auto r = Run({.jitter = false}, seed);
    EXPECT_EQ(Errors(r), "backoff.no_jitter ") << "seed " << seed << Summary(r);
  }
}

TEST_P(WorkloadShapesTest, ImmediateRetriesAreCaught) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const auto r = Run({.immediate = true}, seed);
    EXPECT_TRUE(Violated(r, "backoff.immediate")) << "seed " << seed << Summary(r);
    EXPECT_EQ(r.verdict(), pimsim::v1::VERDICT_FAIL);
  }
}

TEST_P(WorkloadShapesTest, RetryAfterCappedAtThirtySecondsIsCaught) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const auto r = Run({.retry_after_cap = 30}, seed);
    EXPECT_EQ(Errors(r), "retry_after.ignored ") << "seed " << seed << Summary(r);
  }
}

TEST_P(WorkloadShapesTest, BlindPostResendIsCaught) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const auto r = Run({.resend_post = true}, seed);
    EXPECT_EQ(Errors(r), "retry.non_idempotent ") << "seed " << seed << Summary(r);
  }
}

TEST_P(WorkloadShapesTest, Retried404sAreCaught) {
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    const auto r = Run({.retry_404 = true}, seed);
    EXPECT_EQ(Errors(r), "retry.non_retryable ") << "seed " << seed << Summary(r);
  }
}

INSTANTIATE_TEST_SUITE_P(Workloads, WorkloadShapesTest,
                         ::testing::Values(Workload::kUnique, Workload::kRepeats),
                         [](const ::testing::TestParamInfo<Workload>& info) {
                           return info.param == Workload::kUnique ? "UniqueUrls" : "Repeats";
                         });

}  // namespace
}  // namespace pimsim::checker
