// The Akeneo PIM REST API of one mock PIM instance, without the network: a
// request (method, path, query, headers, body, already authenticated) goes in,
// a response (status, content type, body, Location) comes out. This is the
// facade of //mock_pim/api; the HTTP shell, limiter and faults wrap it.
//
// Served: GET /api/rest/v1 (route list), products (by identifier and by
// uuid), product models, attributes, attribute options, attribute groups,
// association types, families, family variants, categories, channels and
// locales: list (page and search_after pagination, `search` filters; for
// products-uuid also POST .../search with the parameters in the body), get,
// create, upsert (PATCH merge rules),
// batch upsert (NDJSON), delete where Akeneo allows it; the read-only
// currencies and measure families (list, get); measurement families (a JSON
// array: GET all, PATCH to create or replace several); system information;
// job launches (POST /jobs/export/{code}, /jobs/import/{code});
// media files (multipart upload onto a product or product model value,
// list, metadata, download of the exact bytes) and category media files
// (upload, download);
// plus Akeneo's 4xx errors, bodies and messages (see
// /work/shared/reference/akeneo-api.md). The token route is served by the
// caller; Classify still recognises it.
//
// Time comes in with each request (`now`), randomness from `rng_seed`, so the
// same seed and the same requests give the same responses.
//
// Thread-safety: Handle() may be called from many threads at once. Reads
// share a reader lock and return prebuilt JSON; writes are exclusive.
//
//   auto api = Api::Create("", seed, /*rng_seed=*/1);
//   ApiRequest req{.method = "GET", .path = "/api/rest/v1/products/product_000001"};
//   ApiResponse resp = (*api)->Handle(req, clock.Now());
#ifndef PIMSIM_MOCK_PIM_API_API_H_
#define PIMSIM_MOCK_PIM_API_API_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/mutex.h"
#include "mock_pim/api/response.h"  // ApiRequest, ApiResponse
#include "mock_pim/api/router.h"    // RouteKind, Route, Classify
#include "proto/scenario.pb.h"

namespace pimsim::api {

class Store;

class Api {
 public:
  // `base_url_path` is the instance prefix ("" for the root instance,
  // "/name" otherwise), used in Location and _links. `seed` describes the
  // generated catalogue; `rng_seed` makes it (and new uuids) deterministic.
  // InvalidArgument if `seed` asks for more than the mock holds.
  static absl::StatusOr<std::unique_ptr<Api>> Create(
      std::string base_url_path, const pimsim::v1::SeedData& seed,
      uint64_t rng_seed);
  ~Api();

  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Serves every route except the token route.
  ApiResponse Handle(const ApiRequest& req, absl::Time now);

  // Drops every resource and seeds the catalogue again, as after Create.
  void Reset();

  size_t ProductCount() const;

 private:
  Api(std::string base_url_path, const pimsim::v1::SeedData& seed,
      uint64_t rng_seed);
  std::unique_ptr<Store> NewSeededStore() const;

  const std::string base_;
  const pimsim::v1::SeedData seed_;
  const uint64_t rng_seed_;

  mutable SharedMutex mu_;
  std::unique_ptr<Store> store_ ABSL_GUARDED_BY(mu_);
  // State of the generator of uuids for created products.
  uint64_t uuid_rng_state_ ABSL_GUARDED_BY(mu_);
};

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_API_H_
