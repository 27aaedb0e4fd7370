// Fuzzes Akeneo's PATCH merge rules: each input line is a JSON patch merged
// into one document under a schema with a field of every FieldKind, the way
// the handlers merge (into a copy, kept only when the merge succeeds).
//
// Properties: merging never throws; a patch that merged once merges again
// and leaves the document as it was (the rules are idempotent); a refused
// "values" patch changes nothing (MergeProductValues checks it whole first).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "bazel/fuzz_check.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/merge.h"

namespace pimsim::api {
namespace {

constexpr FieldSpec kSchema[] = {
    {"code", FieldKind::kString},
    {"parent", FieldKind::kNullableString},
    {"enabled", FieldKind::kBool},
    {"localizable", FieldKind::kNullableBool},
    {"sort_order", FieldKind::kInteger},
    {"number_min", FieldKind::kNullableNumber},
    {"categories", FieldKind::kStringArray},
    {"associations", FieldKind::kObject},
    {"labels", FieldKind::kLabels},
    {"values", FieldKind::kProductValues},
    {"created", FieldKind::kReadOnly},
};

constexpr size_t kMaxPatches = 4;

}  // namespace
}  // namespace pimsim::api

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pimsim::api;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  Json doc = Json::object();
  for (size_t i = 0; i < kMaxPatches && !input.empty(); ++i) {
    const size_t nl = input.find('\n');
    const std::optional<Json> patch = ParseJson(input.substr(0, nl));
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    if (!patch.has_value()) continue;

    Json merged = doc;
    if (MergePatch(kSchema, *patch, &merged).ok()) {
      Json twice = merged;
      FUZZ_CHECK(MergePatch(kSchema, *patch, &twice).ok());
      FUZZ_CHECK(twice == merged);
      doc = std::move(merged);
    }

    Json values = doc.contains("values") ? doc["values"] : Json::object();
    const Json before = values;
    if (!MergeProductValues(*patch, &values).ok()) FUZZ_CHECK(values == before);
  }
  return 0;
}
