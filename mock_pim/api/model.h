// The Akeneo resource model: the fields of each resource (schemas for the
// PATCH merge rules), the document a new resource starts from (defaults, in
// Akeneo's field order), attribute types, and the date format.
//
// Thread-safety: pure functions and constant data.
//
//   Json attribute = NewAttributeDoc("color", kSimpleSelect);
//   absl::Status s = MergePatch(kAttributeSchema, patch, &attribute);
#ifndef PIMSIM_MOCK_PIM_API_MODEL_H_
#define PIMSIM_MOCK_PIM_API_MODEL_H_

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/merge.h"

namespace pimsim::api {

inline constexpr char kIdentifierType[] = "pim_catalog_identifier";
inline constexpr char kTextType[] = "pim_catalog_text";
inline constexpr char kTextareaType[] = "pim_catalog_textarea";
inline constexpr char kNumberType[] = "pim_catalog_number";
inline constexpr char kBooleanType[] = "pim_catalog_boolean";
inline constexpr char kDateType[] = "pim_catalog_date";
inline constexpr char kPriceType[] = "pim_catalog_price_collection";
inline constexpr char kSimpleSelectType[] = "pim_catalog_simpleselect";
inline constexpr char kMultiSelectType[] = "pim_catalog_multiselect";
inline constexpr char kMetricType[] = "pim_catalog_metric";
inline constexpr char kImageType[] = "pim_catalog_image";
inline constexpr char kFileType[] = "pim_catalog_file";

// Every attribute type the mock accepts on create.
bool IsKnownAttributeType(std::string_view type);
bool IsSelectType(std::string_view type);

absl::Span<const FieldSpec> ProductSchema();
absl::Span<const FieldSpec> AttributeSchema();
absl::Span<const FieldSpec> AttributeOptionSchema();
absl::Span<const FieldSpec> FamilySchema();
absl::Span<const FieldSpec> CategorySchema();
absl::Span<const FieldSpec> ChannelSchema();
absl::Span<const FieldSpec> LocaleSchema();
absl::Span<const FieldSpec> AssociationTypeSchema();
absl::Span<const FieldSpec> AttributeGroupSchema();
absl::Span<const FieldSpec> FamilyVariantSchema();
absl::Span<const FieldSpec> ProductModelSchema();

// New documents with Akeneo's defaults, fields in Akeneo's order.
Json NewProductDoc(std::string_view uuid, const Json& identifier,
                   absl::Time now);
Json NewAttributeDoc(std::string_view code, std::string_view type);
Json NewAttributeOptionDoc(std::string_view attribute, std::string_view code);
Json NewFamilyDoc(std::string_view code, std::string_view identifier_attribute);
Json NewCategoryDoc(std::string_view code, absl::Time now);
Json NewChannelDoc(std::string_view code);
Json NewLocaleDoc(std::string_view code, bool enabled);
Json NewAssociationTypeDoc(std::string_view code);
Json NewAttributeGroupDoc(std::string_view code);
Json NewFamilyVariantDoc(std::string_view code);
Json NewProductModelDoc(std::string_view code, absl::Time now);
// Akeneo's distribution of a family variant's attributes, applied to a
// variant of `family`: each level lists its axes among its attributes, the
// last level also gets the identifier attribute, and "common_attributes"
// is the family's attributes that no level lists.
void DistributeFamilyVariantAttributes(const Json& family,
                                       std::string_view identifier_attribute,
                                       Json* variant);
// {"code":"EUR","enabled":true,"label":"EUR (Euro)"}.
Json NewCurrencyDoc(std::string_view code, std::string_view name, bool enabled);

// The legacy /measure-families document of a /measurement-families one:
// {"code","standard","units":[{"code","convert":{"mul":"0.001"},"symbol"}]}.
Json MeasureFamilyOf(const Json& measurement_family);

// The group every attribute falls back to; it always exists.
inline constexpr char kDefaultAttributeGroup[] = "other";

// "2024-01-31T12:00:00+00:00", Akeneo's date-time format.
std::string FormatAkeneoTime(absl::Time t);

// A deterministic generator (SplitMix64): the same seed gives the same
// sequence on every platform, so seeded catalogues replay exactly.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, n); n > 0.
  uint64_t Uniform(uint64_t n) { return Next() % n; }
  // True with probability percent/100.
  bool Percent(int percent) { return Uniform(100) < static_cast<uint64_t>(percent); }
  uint64_t state() const { return state_; }

 private:
  uint64_t state_;
};

// A random RFC 4122 version-4 UUID, lowercase.
std::string RandomUuid(SplitMix64& rng);
// True for "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in hex (any case).
bool IsUuid(std::string_view s);

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_MODEL_H_
