// Generates the catalogue a PIM instance starts with, from the scenario's
// SeedData and a seed: locales, currencies, measure (and measurement)
// families, association types, channels ("ecommerce", "mobile"), a category
// tree under "master", attribute groups ("marketing", "technical", "other"),
// the "sku" identifier plus attributes of mixed types, options of select
// attributes, families and their variants, product models (one and two
// levels) and products with values, some of them variants of those models.
// The same SeedData and rng_seed always give byte-identical data.
//
// Products are serialized directly (no DOM) so 100,000 of them take a
// fraction of a second; the text is identical to what DumpJson produces.
//
// Thread-safety: pure apart from writing `*store`.
//
//   absl::Status s = ValidateSeedData(seed);
//   Store store;
//   SeedStore(seed, /*rng_seed=*/1, &store);
#ifndef PIMSIM_MOCK_PIM_API_SEED_H_
#define PIMSIM_MOCK_PIM_API_SEED_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "mock_pim/api/store.h"
#include "proto/scenario.pb.h"

namespace pimsim::api {

inline constexpr uint32_t kMaxSeedProducts = 5'000'000;

// The time seeded resources were "created" by: 2024-01-01T00:00:00Z. Seeded
// products were created and updated within the year before it.
absl::Time SeedTime();

// InvalidArgument for counts the mock cannot hold ("seed.products must be
// at most 5000000").
absl::Status ValidateSeedData(const pimsim::v1::SeedData& seed);

// Fills the empty `store`. `seed` must be valid.
void SeedStore(const pimsim::v1::SeedData& seed, uint64_t rng_seed,
               Store* store);

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_SEED_H_
