// Test fixture for the Api through Api::Handle: a seeded instance, requests
// as a client sends them (method, target with query, body, content type)
// at a fixed time, and readers of Akeneo's response shapes (error bodies,
// NDJSON batch lines, list pages).
//
// Thread-safety: one test thread.
//
//   class MyTest : public ApiFixture {
//     void SetUp() override { Build("", 25); }
//   };
//   TEST_F(MyTest, X) { ExpectError(Get("/api/rest/v1/nope"), 404, "..."); }
#ifndef PIMSIM_MOCK_PIM_API_API_FIXTURE_H_
#define PIMSIM_MOCK_PIM_API_API_FIXTURE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "mock_pim/api/api.h"
#include "mock_pim/api/json_util.h"

namespace pimsim::api {

class ApiFixture : public testing::Test {
 protected:
  static constexpr int64_t kNowUnixSeconds = 1717243200;  // 2024-06-01

  // A new instance under `base` with `products` seeded products.
  void Build(std::string base, uint32_t products, uint64_t rng_seed = 42) {
    pimsim::v1::SeedData seed;
    seed.set_products(products);
    absl::StatusOr<std::unique_ptr<Api>> api = Api::Create(std::move(base), seed, rng_seed);
    ASSERT_TRUE(api.ok()) << api.status();
    api_ = *std::move(api);
  }

  static absl::Time Now() { return absl::FromUnixSeconds(kNowUnixSeconds); }

  ApiResponse Call(std::string_view method, std::string_view target,
                   std::string_view body = "",
                   std::string_view content_type = "application/json",
                   std::string_view accept = "") {
    const size_t q = target.find('?');
    ApiRequest req;
    req.method = method;
    req.path = target.substr(0, q);
    req.query = q == std::string_view::npos ? "" : target.substr(q + 1);
    req.content_type = content_type;
    req.accept = accept;
    req.body = body;
    req.connection = "pimsim";
    req.username = "admin";
    return api_->Handle(req, Now());
  }
  ApiResponse Get(std::string_view target, std::string_view accept = "") {
    return Call("GET", target, "", "", accept);
  }
  ApiResponse Batch(std::string_view target, std::string_view body) {
    return Call("PATCH", target, body, "application/vnd.akeneo.collection+json");
  }
  // The body of a 200 GET.
  Json GetJson(std::string_view target) {
    ApiResponse r = Get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return Json::parse(r.body);
  }
  static Json Body(const ApiResponse& r) { return Json::parse(r.body); }
  // The lines of a batch response.
  static std::vector<Json> Lines(const ApiResponse& r) {
    std::vector<Json> out;
    size_t pos = 0;
    while (pos <= r.body.size() && !r.body.empty()) {
      size_t nl = r.body.find('\n', pos);
      if (nl == std::string::npos) nl = r.body.size();
      out.push_back(Json::parse(r.body.substr(pos, nl - pos)));
      pos = nl + 1;
    }
    return out;
  }
  // An error body of exactly {"code","message"}.
  static void ExpectError(const ApiResponse& r, int code,
                          const std::string& message) {
    EXPECT_EQ(r.status, code) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    Json b = Json::parse(r.body);
    EXPECT_EQ(b.size(), 2u) << r.body;
    EXPECT_EQ(b["code"], code);
    EXPECT_EQ(b["message"], message);
  }
  // The "code" of each item of a list page.
  static std::vector<std::string> Codes(const Json& page) {
    std::vector<std::string> out;
    for (const Json& item : page["_embedded"]["items"]) {
      out.push_back(item["code"].get<std::string>());
    }
    return out;
  }

  std::unique_ptr<Api> api_;
};

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_API_FIXTURE_H_
