// Fuzzes the `search` filters with the input as the decoded parameter value:
// ProductFilter (every property and operator, dates, category trees) and
// CodeFilter, each matched against a few products and codes.
//
// Properties: parsing never throws and fails only as documented
// (InvalidArgument for text that is not JSON, FailedPrecondition for a filter
// that is); a filter depends only on the JSON value, so the same value
// written compactly gives a filter that matches the same products.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bazel/fuzz_check.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/search_filter.h"

namespace pimsim::api {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1717243200);  // 2024-06-01

std::vector<std::string> Expand(std::string_view code) {
  if (code == "master") return {"master", "shoes", "boots", "hats"};
  if (code == "shoes") return {"shoes", "boots"};
  if (code == "boots" || code == "hats") return {std::string(code)};
  return {};
}

std::vector<std::string> ExpandModels(std::string_view code) {
  if (code == "tshirt") return {"tshirt", "tshirt_red"};
  if (code == "tshirt_red") return {"tshirt_red"};
  return {};
}

const std::vector<ProductFacts>& Products() {
  static const auto* products = [] {
    static const std::vector<std::string> boots = {"boots"};
    static const std::vector<std::string> two = {"hats", "shoes"};
    auto* p = new std::vector<ProductFacts>(3);
    (*p)[0].identifier = "sku_12";
    (*p)[0].uuid = "0b9a3c6e-0000-4000-8000-000000000001";
    (*p)[0].family = "shoes";
    (*p)[0].categories = boots;
    (*p)[0].created = kNow - absl::Hours(24 * 10);
    (*p)[0].updated = kNow - absl::Hours(24 * 2);
    (*p)[0].parent = "tshirt_red";
    (*p)[1].uuid = "0b9a3c6e-0000-4000-8000-000000000002";  // no identifier, family
    (*p)[1].enabled = false;
    (*p)[1].created = absl::FromUnixSeconds(0);
    (*p)[1].updated = kNow;
    (*p)[2].identifier = "hat";
    (*p)[2].uuid = "0b9a3c6e-0000-4000-8000-000000000003";
    (*p)[2].family = "hats";
    (*p)[2].categories = two;
    (*p)[2].created = kNow - absl::Hours(24 * 400);
    (*p)[2].updated = kNow - absl::Seconds(1);
    return p;
  }();
  return *products;
}

constexpr std::string_view kCodes[] = {"", "name", "color", "master", "en_US"};

void CheckStatus(const absl::Status& s) {
  FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument ||
             s.code() == absl::StatusCode::kFailedPrecondition);
  FUZZ_CHECK(!s.message().empty());
}

}  // namespace
}  // namespace pimsim::api

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pimsim::api;
  const std::string_view search(reinterpret_cast<const char*>(data), size);
  const std::optional<Json> json = ParseJson(search);
  const std::string compact = json.has_value() ? DumpJson(*json) : std::string();

  const absl::StatusOr<ProductFilter> products = ProductFilter::Parse(search, kNow, Expand, ExpandModels);
  if (!products.ok()) {
    CheckStatus(products.status());
    if (!json.has_value()) FUZZ_CHECK(products.status().code() == absl::StatusCode::kInvalidArgument);
  } else {
    FUZZ_CHECK(json.has_value());
    const absl::StatusOr<ProductFilter> again = ProductFilter::Parse(compact, kNow, Expand, ExpandModels);
    FUZZ_CHECK(again.ok());
    for (const ProductFacts& p : Products()) FUZZ_CHECK(products->Matches(p) == again->Matches(p));
  }

  const absl::StatusOr<CodeFilter> codes = CodeFilter::Parse(search);
  if (!codes.ok()) {
    CheckStatus(codes.status());
  } else {
    FUZZ_CHECK(json.has_value());
    const absl::StatusOr<CodeFilter> again = CodeFilter::Parse(compact);
    FUZZ_CHECK(again.ok());
    for (std::string_view code : kCodes) FUZZ_CHECK(codes->Matches(code) == again->Matches(code));
  }
  return 0;
}
