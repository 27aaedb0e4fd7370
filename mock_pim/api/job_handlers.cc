#include "mock_pim/api/job_handlers.h"

#include <string>

#include "mock_pim/api/json_util.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api::internal {
namespace {

// A profile code is "<format>_<entity>_<type>", as Akeneo's installer names
// them.
constexpr std::string_view kFormats[] = {"csv", "xlsx"};
constexpr std::string_view kEntities[] = {
    "product",          "product_model", "category",        "attribute",
    "attribute_option", "family",        "association_type"};
constexpr std::string_view kImportModes[] = {"create_only", "update_only",
                                             "create_or_update"};

}  // namespace

bool IsJobProfile(std::string_view type, std::string_view code) {
  for (std::string_view format : kFormats) {
    for (std::string_view entity : kEntities) {
      if (code == Cat(format, "_", entity, "_", type)) return true;
    }
  }
  return false;
}

ApiResponse LaunchJob(Store* store, absl::Time now, std::string_view type,
                      std::string_view code, std::string_view body) {
  if (!IsJobProfile(type, code)) {
    return ErrorResponse(404, Cat("Resource `", code, "` does not exist."));
  }
  JobExecution execution;
  if (!Trim(body).empty()) {
    absl::StatusOr<Json> doc = ParseRequestObject(body);
    if (!doc.ok()) return RequestJsonError(doc.status());
    if (type == "import" && doc->contains("import_mode")) {
      const Json& mode = (*doc)["import_mode"];
      bool known = false;
      for (std::string_view m : kImportModes) {
        known = known || (mode.is_string() && mode.get<std::string>() == m);
      }
      if (!known) {
        return ErrorResponse(
            422, Cat("Property \"import_mode\" expects one of create_only, "
                     "update_only or create_or_update, ",
                     DumpJson(mode), " given."));
      }
      execution.import_mode = mode.get<std::string>();
    }
  }
  execution.id = store->job_executions.empty()
                     ? 1
                     : store->job_executions.back().id + 1;
  execution.type = std::string(type);
  execution.code = std::string(code);
  execution.launched = now;
  if (store->job_executions.size() == kMaxJobExecutions) {
    store->job_executions.pop_front();
  }
  store->job_executions.push_back(execution);
  Json answer = Json::object();
  answer["execution_id"] = std::to_string(execution.id);
  return JsonResponse(200, DumpJson(answer));
}

}  // namespace pimsim::api::internal
