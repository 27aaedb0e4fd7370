#include "checker/catalogue.h"

#include <set>
#include <string>

#include "checker/rules/rules.h"
#include "gtest/gtest.h"

namespace pimsim::checker {
namespace {

TEST(CatalogueTest, ListsTheTwentyRulesOfTheDesignInOrder) {
  const std::vector<std::string> expected = {
      "concurrency.connection", "concurrency.instance",  "rate.instance",
      "rate.attribute_options", "retry_after.ignored",   "backoff.immediate",
      "backoff.not_growing",    "backoff.no_jitter",     "retry.too_many",
      "retry.non_retryable",    "retry.non_idempotent",  "request.duplicate_in_flight",
      "throttle.persistent",    "throttle.ignored",      "retry.abandoned",
      "retry.no_budget",        "timeout.none",          "auth.token_churn",
      "batch.unused",           "cache.unused"};
  ASSERT_EQ(Catalogue().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(Catalogue()[i].id, expected[i]);
}

TEST(CatalogueTest, DefaultSeveritiesFollowTheDesign) {
  using pimsim::v1::SEVERITY_ADVICE;
  using pimsim::v1::SEVERITY_ERROR;
  using pimsim::v1::SEVERITY_WARNING;
  EXPECT_EQ(Catalogue()[FindRule("backoff.no_jitter")].severity, SEVERITY_ERROR);
  EXPECT_EQ(Catalogue()[FindRule("throttle.persistent")].severity, SEVERITY_ERROR);
  EXPECT_EQ(Catalogue()[FindRule("throttle.ignored")].severity, SEVERITY_WARNING);
  EXPECT_EQ(Catalogue()[FindRule("retry.abandoned")].severity, SEVERITY_WARNING);
  EXPECT_EQ(Catalogue()[FindRule("retry.no_budget")].severity, SEVERITY_WARNING);
  EXPECT_EQ(Catalogue()[FindRule("timeout.none")].severity, SEVERITY_WARNING);
  EXPECT_EQ(Catalogue()[FindRule("auth.token_churn")].severity, SEVERITY_WARNING);
  EXPECT_EQ(Catalogue()[FindRule("batch.unused")].severity, SEVERITY_ADVICE);
  EXPECT_EQ(Catalogue()[FindRule("cache.unused")].severity, SEVERITY_ADVICE);
  for (const char* id : {"concurrency.connection", "concurrency.instance", "rate.instance",
                         "rate.attribute_options", "retry_after.ignored", "backoff.immediate",
                         "backoff.not_growing", "retry.too_many", "retry.non_retryable",
                         "retry.non_idempotent", "request.duplicate_in_flight"}) {
    EXPECT_EQ(Catalogue()[FindRule(id)].severity, SEVERITY_ERROR) << id;
  }
}

TEST(CatalogueTest, EveryRuleHasAFunctionADescriptionAndAdvice) {
  std::set<std::string> ids;
  for (const RuleInfo& r : Catalogue()) {
    EXPECT_NE(r.check, nullptr) << r.id;
    EXPECT_GT(std::string(r.description).size(), 20u) << r.id;
    // One line a reviewer would write: what to change in the client.
    const std::string advice = r.advice;
    EXPECT_GT(advice.size(), 20u) << r.id;
    EXPECT_EQ(advice.find('\n'), std::string::npos) << r.id;
    EXPECT_EQ(advice.back(), '.') << r.id;
    EXPECT_TRUE(ids.insert(r.id).second) << r.id;
  }
  EXPECT_EQ(FindRule("no.such_rule"), -1);
}

}  // namespace
}  // namespace pimsim::checker
