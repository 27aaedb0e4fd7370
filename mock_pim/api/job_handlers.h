// Internal to //mock_pim/api: POST /jobs/export/{code} and
// /jobs/import/{code}, which launch one of the instance's job profiles.
//
// The profiles are those of a fresh Community Edition (csv_ and xlsx_
// exports and imports of products, product models, categories, attributes,
// attribute options, families and association types). A launch is recorded
// in the Store (Store::job_executions) and answered 200
// {"execution_id":"N"}, N counting from 1 per instance (the reference's
// example is a string). An export ignores its body; an import takes an
// optional {"import_mode":"create_only"|"update_only"|"create_or_update"}.
// Errors: an unknown code, or one of the other type, is 404 "Resource
// `code` does not exist." (the reference's text); malformed JSON 400; a bad
// import_mode 422. Like handlers.h, this runs with the Api's lock held
// exclusively.
//
//   ApiResponse r = LaunchJob(&store, now, "export", "csv_product_export", "");
//   // r.status == 200, r.body == R"({"execution_id":"1"})"
#ifndef PIMSIM_MOCK_PIM_API_JOB_HANDLERS_H_
#define PIMSIM_MOCK_PIM_API_JOB_HANDLERS_H_

#include <string_view>

#include "absl/time/time.h"
#include "mock_pim/api/response.h"
#include "mock_pim/api/store.h"

namespace pimsim::api::internal {

// True if `code` is a job profile of `type` ("export" or "import").
bool IsJobProfile(std::string_view type, std::string_view code);

// Launches job `code` (decoded) of `type`, with the request `body`.
ApiResponse LaunchJob(Store* store, absl::Time now, std::string_view type,
                      std::string_view code, std::string_view body);

}  // namespace pimsim::api::internal

#endif  // PIMSIM_MOCK_PIM_API_JOB_HANDLERS_H_
