// POST /api/rest/v1/jobs/export/{code} and /jobs/import/{code} through
// Api::Handle.
#include "gtest/gtest.h"
#include "mock_pim/api/api_fixture.h"
#include "mock_pim/api/json_util.h"

namespace pimsim::api {
namespace {

constexpr char kExport[] = "/api/rest/v1/jobs/export/csv_product_export";
constexpr char kImport[] = "/api/rest/v1/jobs/import/xlsx_product_import";

class JobApiTest : public ApiFixture {
 protected:
  void SetUp() override { Build("", 3); }
};

TEST_F(JobApiTest, LaunchesAnswerTheirExecutionIdInOrder) {
  ApiResponse r = Call("POST", kExport, "", "");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"execution_id":"1"})");
  r = Call("POST", kImport, R"({"import_mode":"create_only"})");
  EXPECT_EQ(r.body, R"({"execution_id":"2"})");
  r = Call("POST", kExport, "{}");
  EXPECT_EQ(r.body, R"({"execution_id":"3"})");
  api_->Reset();
  EXPECT_EQ(Call("POST", kImport, "").body, R"({"execution_id":"1"})");
}

TEST_F(JobApiTest, EveryImportModeIsAccepted) {
  for (const char* mode : {"create_only", "update_only", "create_or_update"}) {
    const ApiResponse r =
        Call("POST", kImport, std::string(R"({"import_mode":")") + mode + "\"}");
    EXPECT_EQ(r.status, 200) << mode << ": " << r.body;
  }
}

TEST_F(JobApiTest, UnknownProfilesAre404) {
  ExpectError(Call("POST", "/api/rest/v1/jobs/export/nope", ""), 404,
              "Resource `nope` does not exist.");
  // An import profile is not an export one.
  ExpectError(Call("POST", "/api/rest/v1/jobs/export/csv_product_import", ""), 404,
              "Resource `csv_product_import` does not exist.");
  ExpectError(Call("POST", "/api/rest/v1/jobs/import/csv%20x", ""), 404,
              "Resource `csv x` does not exist.");
  // Nothing was launched.
  EXPECT_EQ(Call("POST", kExport, "").body, R"({"execution_id":"1"})");
}

TEST_F(JobApiTest, BadBodiesAreRefused) {
  ExpectError(Call("POST", kImport, "{"), 400, "Invalid json message received");
  ExpectError(Call("POST", kImport, "[]"), 400, "Invalid json message received");
  ExpectError(Call("POST", kImport, R"({"import_mode":"replace"})"), 422,
              "Property \"import_mode\" expects one of create_only, update_only or "
              "create_or_update, \"replace\" given.");
  ExpectError(Call("POST", kImport, R"({"import_mode":1})"), 422,
              "Property \"import_mode\" expects one of create_only, update_only or "
              "create_or_update, 1 given.");
  // A body needs its JSON content type; an empty one does not.
  EXPECT_EQ(Call("POST", kImport, "{}", "text/plain").status, 415);
  EXPECT_EQ(Call("POST", kImport, "", "text/plain").status, 200);
}

TEST_F(JobApiTest, OnlyPostIsRouted) {
  const ApiResponse r = Get(kExport);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.allow, "POST");
}

}  // namespace
}  // namespace pimsim::api
