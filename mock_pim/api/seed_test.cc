#include "mock_pim/api/seed.h"

#include "gtest/gtest.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/model.h"

namespace pimsim::api {
namespace {

pimsim::v1::SeedData Seed(uint32_t products) {
  pimsim::v1::SeedData s;
  s.set_products(products);
  return s;
}

std::string Fingerprint(const Store& s) {
  std::string out;
  for (const auto& [uuid, p] : s.products_by_uuid()) out += p->json + "\n";
  for (const auto* t : {&s.attributes, &s.families, &s.categories, &s.channels,
                        &s.locales}) {
    for (const auto& [code, r] : *t) out += r.json + "\n";
  }
  for (const auto& [attr, t] : s.options) {
    for (const auto& [code, r] : t) out += r.json + "\n";
  }
  return out;
}

TEST(SeedTest, SameSeedGivesSameDataAndOtherSeedDiffers) {
  Store a, b, c;
  SeedStore(Seed(200), 7, &a);
  SeedStore(Seed(200), 7, &b);
  SeedStore(Seed(200), 8, &c);
  EXPECT_EQ(Fingerprint(a), Fingerprint(b));
  EXPECT_NE(Fingerprint(a), Fingerprint(c));
}

TEST(SeedTest, DefaultCounts) {
  Store s;
  SeedStore(Seed(50), 1, &s);
  EXPECT_EQ(s.product_count(), 50u);
  EXPECT_EQ(s.products_by_identifier().size(), 50u);
  EXPECT_EQ(s.families.size(), 5u);
  EXPECT_EQ(s.attributes.size(), 24u);  // sku + 20 + length, photo, datasheet
  EXPECT_EQ(s.categories.size(), 21u);  // master + 20
  EXPECT_EQ(s.channels.size(), 2u);
  ASSERT_TRUE(s.options.contains("color"));
  EXPECT_EQ(s.options.at("color").size(), 10u);
  EXPECT_TRUE(s.locales.at("en_US").doc["enabled"].get<bool>());
  EXPECT_FALSE(s.locales.at("es_ES").doc["enabled"].get<bool>());
}

TEST(SeedTest, NoProductsMeansNoFamiliesUnlessAsked) {
  Store s;
  SeedStore(pimsim::v1::SeedData(), 1, &s);
  EXPECT_EQ(s.product_count(), 0u);
  EXPECT_TRUE(s.families.empty());
  pimsim::v1::SeedData seed;
  seed.set_families(2);
  seed.set_attributes(3);
  seed.set_categories(0);
  Store t;
  SeedStore(seed, 1, &t);
  EXPECT_EQ(t.families.size(), 2u);
  EXPECT_EQ(t.attributes.size(), 4u);
  EXPECT_EQ(t.categories.size(), 1u);
}

TEST(SeedTest, ProductJsonIsCanonicalAndMatchesItsFacts) {
  Store s;
  SeedStore(Seed(300), 3, &s);
  for (const auto& [uuid, p] : s.products_by_uuid()) {
    std::optional<Json> doc = ParseJson(p->json);
    ASSERT_TRUE(doc.has_value()) << p->json;
    // Byte-identical to what the write path produces.
    EXPECT_EQ(DumpJson(*doc), p->json);
    EXPECT_EQ((*doc)["uuid"], p->uuid);
    EXPECT_TRUE(IsUuid(p->uuid));
    EXPECT_EQ((*doc)["identifier"], p->identifier);
    EXPECT_EQ((*doc)["family"], p->family);
    EXPECT_EQ((*doc)["enabled"], p->enabled);
    EXPECT_EQ((*doc)["updated"], FormatAkeneoTime(p->updated));
    EXPECT_EQ((*doc)["values"]["sku"][0]["data"], p->identifier);
    EXPECT_TRUE(p->values == ValueFacts::FromJson((*doc)["values"])) << p->identifier;
    EXPECT_TRUE(s.families.contains(p->family));
    for (const std::string& c : p->categories) EXPECT_TRUE(s.categories.contains(c));
  }
}

TEST(SeedTest, UuidsAreVersion4) {
  SplitMix64 rng(1);
  for (int i = 0; i < 100; ++i) {
    const std::string u = RandomUuid(rng);
    ASSERT_TRUE(IsUuid(u)) << u;
    EXPECT_EQ(u[14], '4');
    EXPECT_TRUE(u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b');
  }
}

TEST(SeedTest, ValidateRefusesImpossibleCounts) {
  pimsim::v1::SeedData s;
  s.set_products(kMaxSeedProducts + 1);
  EXPECT_FALSE(ValidateSeedData(s).ok());
  s.set_products(10);
  s.set_families(0);
  EXPECT_FALSE(ValidateSeedData(s).ok());
  s.set_families(1);
  EXPECT_TRUE(ValidateSeedData(s).ok());
}

TEST(SeedTest, HundredThousandProductsSeedQuickly) {
  Store s;
  SeedStore(Seed(100000), 1, &s);
  EXPECT_EQ(s.product_count(), 100000u);
  EXPECT_NE(s.FindByIdentifier("product_100000"), nullptr);
}

}  // namespace
}  // namespace pimsim::api
