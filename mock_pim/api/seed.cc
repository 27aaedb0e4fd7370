#include "mock_pim/api/seed.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "mock_pim/api/str_util.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mock_pim/api/model.h"
#include "mock_pim/api/product_view.h"

namespace pimsim::api {
namespace {

struct Counts {
  uint32_t products, families, attributes, options, categories;
};

Counts CountsOf(const pimsim::v1::SeedData& seed) {
  Counts c;
  c.products = seed.products();
  c.families = seed.has_families() ? seed.families() : (c.products > 0 ? 5 : 0);
  c.attributes = seed.has_attributes() ? seed.attributes() : 20;
  c.options = seed.has_options_per_select() ? seed.options_per_select() : 10;
  c.categories = seed.has_categories() ? seed.categories() : 20;
  return c;
}

struct ChannelInfo {
  const char* code;
  std::vector<std::string> locales;
};

const std::vector<ChannelInfo>& Channels() {
  static const auto* kChannels = new std::vector<ChannelInfo>{
      {"ecommerce", {"de_DE", "en_US", "fr_FR"}},
      {"mobile", {"en_US", "fr_FR"}},
  };
  return *kChannels;
}

struct CurrencyInfo {
  const char* code;
  const char* name;
};

// A slice of ISO 4217; the channels enable EUR and USD.
constexpr CurrencyInfo kCurrencies[] = {
    {"AUD", "Australian Dollar"}, {"CAD", "Canadian Dollar"},
    {"CHF", "Swiss Franc"},       {"CNY", "Chinese Yuan"},
    {"EUR", "Euro"},              {"GBP", "British Pound"},
    {"JPY", "Japanese Yen"},      {"PLN", "Polish Zloty"},
    {"SEK", "Swedish Krona"},     {"USD", "US Dollar"},
};

constexpr const char* kChannelCurrencies[] = {"EUR", "USD"};

struct UnitInfo {
  const char* code;
  const char* label;
  const char* symbol;
  const char* multiplier;  // from this unit to the standard unit
};

struct MeasureFamilyInfo {
  const char* code;
  const char* label;
  const char* standard;
  std::vector<UnitInfo> units;
};

// Both /measure-families and /measurement-families serve these.
const std::vector<MeasureFamilyInfo>& MeasureFamilies() {
  static const auto* kFamilies = new std::vector<MeasureFamilyInfo>{
      {"Area", "Area", "SQUARE_METER",
       {{"SQUARE_CENTIMETER", "Square centimeter", "cm²", "0.0001"},
        {"SQUARE_METER", "Square meter", "m²", "1"}}},
      {"Length", "Length", "METER",
       {{"MILLIMETER", "Millimeter", "mm", "0.001"},
        {"CENTIMETER", "Centimeter", "cm", "0.01"},
        {"METER", "Meter", "m", "1"},
        {"INCH", "Inch", "in", "0.0254"}}},
      {"Power", "Power", "WATT",
       {{"WATT", "Watt", "W", "1"}, {"KILOWATT", "Kilowatt", "kW", "1000"}}},
      {"Volume", "Volume", "CUBIC_METER",
       {{"MILLILITER", "Milliliter", "ml", "0.000001"},
        {"LITER", "Liter", "l", "0.001"},
        {"CUBIC_METER", "Cubic meter", "m³", "1"}}},
      {"Weight", "Weight", "KILOGRAM",
       {{"GRAM", "Gram", "g", "0.001"},
        {"KILOGRAM", "Kilogram", "kg", "1"},
        {"POUND", "Pound", "lb", "0.45359237"}}},
  };
  return *kFamilies;
}

struct AssociationTypeInfo {
  const char* code;
  const char* label;
};

// Akeneo's default association types.
constexpr AssociationTypeInfo kAssociationTypes[] = {
    {"PACK", "Pack"},
    {"SUBSTITUTION", "Substitution"},
    {"UPSELL", "Upsell"},
    {"X_SELL", "Cross sell"},
};

// Attribute groups by seeded attribute type; the rest go to "other".
constexpr const char* kMarketingGroup = "marketing";
constexpr const char* kTechnicalGroup = "technical";

const char* GroupOf(std::string_view type) {
  if (type == kTextType || type == kTextareaType || type == kPriceType) {
    return kMarketingGroup;
  }
  if (type == kNumberType || type == kBooleanType || type == kDateType) {
    return kTechnicalGroup;
  }
  return kDefaultAttributeGroup;
}

constexpr const char* kEnabledLocales[] = {"de_DE", "en_US", "fr_FR"};
constexpr const char* kDisabledLocales[] = {"en_GB", "es_ES", "it_IT", "ja_JP",
                                            "nl_NL", "pt_BR", "zh_CN"};

struct AttrInfo {
  std::string code;
  std::string type;
  bool localizable = false;
  bool scopable = false;
  std::vector<std::string> options;
};

std::string Label(std::string_view code) {
  std::string s(code);
  for (char& c : s) {
    if (c == '_') c = ' ';
  }
  if (!s.empty()) s[0] = absl::ascii_toupper(s[0]);
  return s;
}

Json Labels(std::string_view code) {
  Json labels = Json::object();
  labels["en_US"] = Label(code);
  return labels;
}

void AppendValue(std::string_view locale, std::string_view scope,
                 std::string_view data_json, std::string* out) {
  out->append("{\"locale\":");
  if (locale.empty()) {
    out->append("null");
  } else {
    AppendJsonString(locale, out);
  }
  out->append(",\"scope\":");
  if (scope.empty()) {
    out->append("null");
  } else {
    AppendJsonString(scope, out);
  }
  out->append(",\"data\":");
  out->append(data_json);
  out->push_back('}');
}

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

// The data of one value of `attr`, as JSON text ("" for none); adds its
// atoms to `facts`, whose value has begun.
std::string ValueData(const AttrInfo& attr, std::string_view identifier,
                      std::string_view locale, std::string_view scope,
                      SplitMix64& rng, ValueFacts* facts) {
  const std::string& t = attr.type;
  auto text = [&](std::string s) {
    facts->AddString(s);
    return Quoted(s);
  };
  if (t == kTextType) {
    return text(Cat(Label(attr.code), " ", identifier,
                    locale.empty() ? "" : " ", locale));
  }
  if (t == kTextareaType) {
    return text(Cat("Description of ", identifier, " for ", scope, " (",
                    locale, ")"));
  }
  if (t == kNumberType) {
    const uint64_t n = 1 + rng.Uniform(1000);
    facts->AddNumber(static_cast<double>(n));
    return std::to_string(n);
  }
  if (t == kBooleanType) {
    const bool b = rng.Percent(50);
    facts->AddBoolean(b);
    return b ? "true" : "false";
  }
  if (t == kDateType) {
    const absl::Time d =
        SeedTime() - absl::Hours(24) * static_cast<int64_t>(rng.Uniform(3650));
    return text(absl::FormatTime("%Y-%m-%dT00:00:00+00:00", d,
                                 absl::UTCTimeZone()));
  }
  if (t == kPriceType) {
    const uint64_t cents = 100 + rng.Uniform(100000);
    const std::string eur = absl::StrFormat("%d.%02d", cents / 100, cents % 100);
    const uint64_t usd_cents = cents * 11 / 10;
    const std::string usd =
        absl::StrFormat("%d.%02d", usd_cents / 100, usd_cents % 100);
    double amount;
    if (absl::SimpleAtod(eur, &amount)) facts->AddAmount("EUR", amount);
    if (absl::SimpleAtod(usd, &amount)) facts->AddAmount("USD", amount);
    return Cat("[{\"amount\":", Quoted(eur),
                        ",\"currency\":\"EUR\"},{\"amount\":", Quoted(usd),
                        ",\"currency\":\"USD\"}]");
  }
  if (t == kSimpleSelectType) {
    if (attr.options.empty()) return "";
    return text(attr.options[rng.Uniform(attr.options.size())]);
  }
  if (t == kMultiSelectType) {
    if (attr.options.empty()) return "";
    std::string out = "[";
    const size_t first = rng.Uniform(attr.options.size());
    const size_t n = 1 + rng.Uniform(std::min<size_t>(3, attr.options.size()));
    for (size_t k = 0; k < n; ++k) {
      if (k > 0) out.push_back(',');
      const std::string& option = attr.options[(first + k) % attr.options.size()];
      facts->AddString(option);
      AppendJsonString(option, &out);
    }
    out.push_back(']');
    return out;
  }
  if (t == kMetricType) {
    static constexpr const char* kUnits[] = {"MILLIMETER", "CENTIMETER", "METER"};
    const uint64_t amount = 1 + rng.Uniform(2000);
    const char* unit = kUnits[rng.Uniform(3)];
    facts->AddAmount(unit, static_cast<double>(amount));
    return Cat("{\"amount\":", amount, ",\"unit\":\"", unit, "\"}");
  }
  if (t == kImageType || t == kFileType) {
    // A media file key as Akeneo makes them: four directory levels from the
    // hash, then "<sha1>_<original file name>".
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hash;
    for (int k = 0; k < 40; ++k) hash.push_back(kHex[rng.Uniform(16)]);
    const std::string name =
        t == kImageType
            ? Cat(attr.code, "_", identifier, rng.Percent(70) ? ".jpg" : ".png")
            : Cat(identifier, "_", attr.code, ".pdf");
    return text(Cat(hash.substr(0, 1), "/", hash.substr(1, 1), "/",
                    hash.substr(2, 1), "/", hash.substr(3, 1), "/", hash, "_",
                    name));
  }
  return "";
}

}  // namespace

absl::Time SeedTime() { return absl::FromUnixSeconds(1704067200); }

absl::Status ValidateSeedData(const pimsim::v1::SeedData& seed) {
  const Counts c = CountsOf(seed);
  if (c.products > kMaxSeedProducts) {
    return absl::InvalidArgumentError(
        Cat("seed.products must be at most ", kMaxSeedProducts));
  }
  if (c.families > 10000) {
    return absl::InvalidArgumentError("seed.families must be at most 10000");
  }
  if (c.attributes > 10000) {
    return absl::InvalidArgumentError("seed.attributes must be at most 10000");
  }
  if (c.options > 10000) {
    return absl::InvalidArgumentError(
        "seed.options_per_select must be at most 10000");
  }
  if (c.categories > 100000) {
    return absl::InvalidArgumentError("seed.categories must be at most 100000");
  }
  if (c.products > 0 && c.families == 0) {
    return absl::InvalidArgumentError(
        "seed.families must be > 0 when seed.products > 0");
  }
  return absl::OkStatus();
}

void SeedStore(const pimsim::v1::SeedData& seed, uint64_t rng_seed,
               Store* store) {
  const Counts counts = CountsOf(seed);
  SplitMix64 rng(rng_seed);
  const absl::Time t0 = SeedTime();

  // Locales and channels.
  for (const char* code : kEnabledLocales) {
    store->locales[code] = Resource(NewLocaleDoc(code, true));
  }
  for (const char* code : kDisabledLocales) {
    store->locales[code] = Resource(NewLocaleDoc(code, false));
  }

  // Categories: "master", then a first level and a second level under it.
  {
    Json master = NewCategoryDoc("master", t0);
    master["labels"]["en_US"] = "Master catalog";
    store->categories["master"] = Resource(std::move(master));
    store->NoteCategoryCreated("master");
  }
  std::vector<std::string> leaves;
  {
    const uint32_t level1 =
        counts.categories == 0 ? 0 : std::max<uint32_t>(1, counts.categories / 5);
    std::vector<std::string> parents;
    for (uint32_t i = 0; i < level1; ++i) {
      std::string code = Cat("cat_", i + 1);
      Json doc = NewCategoryDoc(code, t0);
      doc["parent"] = "master";
      doc["labels"] = Labels(code);
      store->categories[code] = Resource(std::move(doc));
      store->NoteCategoryCreated(code);
      parents.push_back(std::move(code));
    }
    for (uint32_t i = level1; i < counts.categories; ++i) {
      const std::string& parent = parents[(i - level1) % parents.size()];
      std::string code = Cat(parent, "_", (i - level1) / parents.size() + 1);
      Json doc = NewCategoryDoc(code, t0);
      doc["parent"] = parent;
      doc["labels"] = Labels(code);
      store->categories[code] = Resource(std::move(doc));
      store->NoteCategoryCreated(code);
      leaves.push_back(std::move(code));
    }
    if (leaves.empty()) leaves = parents;
    store->RefreshCategoryOrder();
  }

  for (const CurrencyInfo& c : kCurrencies) {
    bool enabled = false;
    for (const char* used : kChannelCurrencies) {
      enabled = enabled || std::string_view(used) == c.code;
    }
    store->currencies[c.code] = Resource(NewCurrencyDoc(c.code, c.name, enabled));
  }
  for (const MeasureFamilyInfo& f : MeasureFamilies()) {
    Json doc = Json::object();
    doc["code"] = f.code;
    doc["labels"] = Json::object({{"en_US", f.label}});
    doc["standard_unit_code"] = f.standard;
    doc["units"] = Json::object();
    for (const UnitInfo& u : f.units) {
      Json unit = Json::object();
      unit["code"] = u.code;
      unit["labels"] = Json::object({{"en_US", u.label}});
      unit["convert_from_standard"] =
          Json::array({Json::object({{"operator", "mul"}, {"value", u.multiplier}})});
      unit["symbol"] = u.symbol;
      doc["units"][u.code] = std::move(unit);
    }
    store->measure_families[f.code] = Resource(MeasureFamilyOf(doc));
    store->measurement_families[f.code] = Resource(std::move(doc));
  }
  for (const AssociationTypeInfo& a : kAssociationTypes) {
    Json doc = NewAssociationTypeDoc(a.code);
    doc["labels"]["en_US"] = a.label;
    store->association_types[a.code] = Resource(std::move(doc));
  }

  for (const ChannelInfo& ch : Channels()) {
    Json doc = NewChannelDoc(ch.code);
    doc["currencies"] = Json::array();
    for (const char* c : kChannelCurrencies) doc["currencies"].push_back(c);
    doc["locales"] = ch.locales;
    doc["category_tree"] = "master";
    doc["labels"] = Labels(ch.code);
    store->channels[ch.code] = Resource(std::move(doc));
  }

  // Attributes and options.
  static constexpr const char* kTypes[] = {
      kTextType, kTextareaType, kNumberType,       kBooleanType,
      kDateType, kPriceType,    kSimpleSelectType, kMultiSelectType};
  static constexpr const char* kNames[] = {
      "name",         "description", "weight", "featured",
      "release_date", "price",       "color",  "materials"};
  // Attribute groups; each attribute below is added to its group's list.
  {
    int sort_order = 1;
    for (const char* code :
         {kMarketingGroup, kTechnicalGroup, kDefaultAttributeGroup}) {
      Json doc = NewAttributeGroupDoc(code);
      doc["sort_order"] = sort_order++;
      doc["labels"] = Labels(code);
      store->attribute_groups[code] = Resource(std::move(doc));
    }
  }
  {
    Json sku = NewAttributeDoc("sku", kIdentifierType);
    sku["labels"] = Labels("SKU");
    store->attributes["sku"] = Resource(std::move(sku));
    store->attribute_groups[kDefaultAttributeGroup].doc["attributes"].push_back("sku");
  }
  std::vector<AttrInfo> attrs;
  for (uint32_t i = 0; i < counts.attributes; ++i) {
    AttrInfo a;
    a.type = kTypes[i % 8];
    a.code = i < 8 ? kNames[i] : Cat(kNames[i % 8], "_", i / 8 + 1);
    a.localizable = a.type == kTextType || a.type == kTextareaType;
    a.scopable = a.type == kTextareaType;
    Json doc = NewAttributeDoc(a.code, a.type);
    doc["localizable"] = a.localizable;
    doc["scopable"] = a.scopable;
    doc["sort_order"] = static_cast<int>(i + 1);
    doc["labels"] = Labels(a.code);
    doc["group"] = GroupOf(a.type);
    store->attribute_groups[GroupOf(a.type)].doc["attributes"].push_back(a.code);
    if (a.type == kSimpleSelectType || a.type == kMultiSelectType) {
      ResourceTable& options = store->options[a.code];
      for (uint32_t k = 0; k < counts.options; ++k) {
        std::string code = Cat(a.code, "_", k + 1);
        Json option = NewAttributeOptionDoc(a.code, code);
        option["sort_order"] = static_cast<int>(k + 1);
        option["labels"] = Labels(code);
        options[code] = Resource(std::move(option));
        a.options.push_back(std::move(code));
      }
    }
    store->attributes[a.code] = Resource(std::move(doc));
    attrs.push_back(std::move(a));
  }

  // A metric, an image and a file attribute beside a full set of the types
  // above, so that every value filter has seeded data. Their family
  // membership and values come from a stream of their own: the rest of the
  // catalogue is the same with or without them.
  std::vector<AttrInfo> extra_attrs;
  if (counts.attributes >= 8) {
    const struct {
      const char* code;
      const char* type;
    } kExtras[] = {{"length", kMetricType}, {"photo", kImageType},
                   {"datasheet", kFileType}};
    for (const auto& e : kExtras) {
      AttrInfo a;
      a.code = e.code;
      a.type = e.type;
      Json doc = NewAttributeDoc(a.code, a.type);
      doc["sort_order"] = static_cast<int>(counts.attributes + extra_attrs.size() + 1);
      doc["labels"] = Labels(a.code);
      doc["group"] = GroupOf(a.type);
      if (a.type == kMetricType) {
        doc["metric_family"] = "Length";
        doc["default_metric_unit"] = "CENTIMETER";
      }
      store->attribute_groups[GroupOf(a.type)].doc["attributes"].push_back(a.code);
      store->attributes[a.code] = Resource(std::move(doc));
      extra_attrs.push_back(std::move(a));
    }
  }
  SplitMix64 extra_rng(rng_seed ^ 0x6d65747269637321ULL);

  for (auto& [code, group] : store->attribute_groups) group.Refresh();

  // Families: "sku" plus about half of the other attributes each.
  std::vector<std::string> family_codes;
  std::vector<std::vector<const AttrInfo*>> family_attrs;
  for (uint32_t f = 0; f < counts.families; ++f) {
    std::string code = Cat("family_", f + 1);
    std::vector<const AttrInfo*> members;
    for (const AttrInfo& a : attrs) {
      if (rng.Percent(50)) members.push_back(&a);
    }
    if (members.empty() && !attrs.empty()) {
      members.push_back(&attrs[rng.Uniform(attrs.size())]);
    }
    // Each family has two of the three extra attributes.
    for (size_t k = 0; k < extra_attrs.size(); ++k) {
      if ((f + k) % 3 != 2) members.push_back(&extra_attrs[k]);
    }
    Json doc = NewFamilyDoc(code, "sku");
    std::string label_attr = "sku";
    for (const AttrInfo* a : members) {
      doc["attributes"].push_back(a->code);
      if (label_attr == "sku" && a->type == kTextType) label_attr = a->code;
    }
    doc["attribute_as_label"] = label_attr;
    for (const ChannelInfo& ch : Channels()) {
      Json required = Json::array({"sku"});
      if (label_attr != "sku") required.push_back(label_attr);
      doc["attribute_requirements"][ch.code] = std::move(required);
    }
    doc["labels"] = Labels(code);

    // Variants over the family's select and boolean attributes: one level
    // on the first, and two levels when there is a second.
    std::vector<const AttrInfo*> axes;
    for (const AttrInfo* a : members) {
      if (a->type == kSimpleSelectType || a->type == kBooleanType) axes.push_back(a);
    }
    for (size_t levels = 1; levels <= std::min<size_t>(2, axes.size()); ++levels) {
      std::string vcode = Cat(code, "_by_", axes[0]->code);
      if (levels == 2) vcode = Cat(vcode, "_", axes[1]->code);
      Json variant = NewFamilyVariantDoc(vcode);
      variant["labels"] = Labels(vcode);
      for (size_t l = 0; l < levels; ++l) {
        Json set = Json::object();
        set["level"] = static_cast<int>(l + 1);
        set["axes"] = Json::array({axes[l]->code});
        set["attributes"] = Json::array();
        variant["variant_attribute_sets"].push_back(std::move(set));
      }
      DistributeFamilyVariantAttributes(doc, "sku", &variant);
      store->family_variants[code][vcode] = Resource(std::move(variant));
    }
    store->families[code] = Resource(std::move(doc));
    family_codes.push_back(std::move(code));
    family_attrs.push_back(std::move(members));
  }

  // Products.
  std::string scratch;
  // The family of each product, by index.
  std::vector<uint16_t> product_family;
  product_family.reserve(counts.products);
  for (uint32_t i = 0; i < counts.products; ++i) {
    auto p = std::make_unique<Product>();
    p->uuid = RandomUuid(rng);
    p->identifier = absl::StrFormat("product_%06d", i + 1);
    const size_t f = rng.Uniform(family_codes.size());
    product_family.push_back(static_cast<uint16_t>(f));
    p->family = family_codes[f];
    if (!leaves.empty()) {
      const size_t n = 1 + rng.Uniform(2);
      for (size_t k = 0; k < n; ++k) {
        const std::string& c = leaves[rng.Uniform(leaves.size())];
        if (k == 0 || c != p->categories[0]) p->categories.push_back(c);
      }
    }
    p->enabled = rng.Percent(90);
    p->created = t0 - absl::Seconds(1 + rng.Uniform(365 * 86400));
    p->updated =
        p->created + absl::Seconds(rng.Uniform(absl::ToInt64Seconds(t0 - p->created)));

    // Built in a reused buffer, then copied at its exact size: 100,000
    // products keep no growth slack and fragment the heap less.
    std::string& j = scratch;
    j.clear();
    j.append("{\"uuid\":");
    AppendJsonString(p->uuid, &j);
    j.append(",\"identifier\":");
    AppendJsonString(p->identifier, &j);
    j.append(p->enabled ? ",\"enabled\":true" : ",\"enabled\":false");
    j.append(",\"family\":");
    AppendJsonString(p->family, &j);
    j.append(",\"categories\":[");
    for (size_t k = 0; k < p->categories.size(); ++k) {
      if (k > 0) j.push_back(',');
      AppendJsonString(p->categories[k], &j);
    }
    j.append("],\"groups\":[],\"parent\":null,\"values\":{\"sku\":[");
    AppendValue("", "", Quoted(p->identifier), &j);
    j.push_back(']');
    p->values.Begin("sku", "", "");
    p->values.AddString(p->identifier);
    for (const AttrInfo* a : family_attrs[f]) {
      const bool extra = a->type == kMetricType || a->type == kImageType ||
                         a->type == kFileType;
      SplitMix64& r = extra ? extra_rng : rng;
      if (!r.Percent(85)) continue;
      std::string entries;
      auto add = [&](std::string_view locale, std::string_view scope) {
        p->values.Begin(a->code, locale, scope);
        std::string data =
            ValueData(*a, p->identifier, locale, scope, r, &p->values);
        if (data.empty()) return;
        if (!entries.empty()) entries.push_back(',');
        AppendValue(locale, scope, data, &entries);
      };
      if (a->scopable) {
        for (const ChannelInfo& ch : Channels()) {
          if (a->localizable) {
            for (const std::string& l : ch.locales) add(l, ch.code);
          } else {
            add("", ch.code);
          }
        }
      } else if (a->localizable) {
        for (const char* l : kEnabledLocales) add(l, "");
      } else {
        add("", "");
      }
      if (entries.empty()) continue;
      j.push_back(',');
      AppendJsonString(a->code, &j);
      j.append(":[");
      j.append(entries);
      j.push_back(']');
    }
    j.append("},\"created\":");
    AppendJsonString(FormatAkeneoTime(p->created), &j);
    j.append(",\"updated\":");
    AppendJsonString(FormatAkeneoTime(p->updated), &j);
    j.append(",\"associations\":{},\"quantified_associations\":{}}");
    p->json.assign(j);
    IndexProductJson(store->identifier_attribute, p.get());
    p->values.Shrink();
    store->InsertProduct(std::move(p));
  }

  // Product models, for the first kModelFamilies families with variants: a
  // root model per variant and, under a two-level variant, a sub model for
  // each of the first two values of its first axis. Products of the family
  // taken from the end of the catalogue (never the first ten) become the
  // variant products of the last-level models, one per value of the last
  // axis. No random draw, so the products above are the same with or
  // without models.
  constexpr int kModelFamilies = 2;
  constexpr uint32_t kSimpleProducts = 10;
  auto axis_values = [&](const std::string& attribute) {
    std::vector<std::string> out;  // JSON texts
    for (const AttrInfo& a : attrs) {
      if (a.code != attribute) continue;
      if (a.type == kBooleanType) return std::vector<std::string>{"true", "false"};
      for (size_t k = 0; k < std::min<size_t>(2, a.options.size()); ++k) {
        out.push_back(Quoted(a.options[k]));
      }
    }
    return out;
  };
  auto axis_value = [](const std::string& attribute, const std::string& data) {
    Json entry = Json::object();
    entry["locale"] = nullptr;
    entry["scope"] = nullptr;
    entry["data"] = *ParseJson(data);
    Json values = Json::object();
    values[attribute] = Json::array({std::move(entry)});
    return values;
  };
  int model_families = 0;
  for (size_t f = 0; f < family_codes.size() && model_families < kModelFamilies; ++f) {
    auto variants = store->family_variants.find(family_codes[f]);
    if (variants == store->family_variants.end() || variants->second.empty()) continue;
    ++model_families;
    std::vector<uint32_t> free;  // products of the family, last first
    for (uint32_t i = counts.products; i > kSimpleProducts; --i) {
      if (product_family[i - 1] == f) free.push_back(i - 1);
    }
    size_t next_free = 0;
    for (const auto& [vcode, variant] : variants->second) {
      const Json& sets = variant.doc["variant_attribute_sets"];
      Json root = NewProductModelDoc(Cat("model_", vcode), t0);
      root["family"] = family_codes[f];
      root["family_variant"] = vcode;
      const std::string root_code = root["code"].get<std::string>();
      store->product_models[root_code] = Resource(std::move(root));
      std::vector<std::string> leaves = {root_code};
      if (sets.size() == 2) {
        leaves.clear();
        const std::string axis = sets[0]["axes"][0].get<std::string>();
        const std::vector<std::string> values = axis_values(axis);
        for (size_t k = 0; k < values.size(); ++k) {
          Json sub = NewProductModelDoc(Cat(root_code, "_", k + 1), t0);
          sub["family"] = family_codes[f];
          sub["family_variant"] = vcode;
          sub["parent"] = root_code;
          sub["values"] = axis_value(axis, values[k]);
          leaves.push_back(sub["code"].get<std::string>());
          store->product_models[leaves.back()] = Resource(std::move(sub));
        }
      }
      const std::string last_axis = sets.back()["axes"][0].get<std::string>();
      const std::vector<std::string> last_values = axis_values(last_axis);
      for (const std::string& leaf : leaves) {
        for (const std::string& value : last_values) {
          if (next_free == free.size()) break;
          Product* p = store->MutableByIdentifier(
              absl::StrFormat("product_%06d", free[next_free++] + 1));
          Json doc = *ParseJson(p->json);
          doc["parent"] = leaf;
          doc["values"][last_axis] = axis_value(last_axis, value)[last_axis];
          p->parent = leaf;
          p->json = DumpJson(doc);
          IndexProductJson(store->identifier_attribute, p);
          store->SetValues(p, ValueFacts::FromJson(doc["values"]));
        }
      }
    }
  }
}

}  // namespace pimsim::api
