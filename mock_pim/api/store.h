// The in-memory catalogue of one PIM instance: products (indexed by uuid and
// by identifier, both ordered for pagination, plus a hash index for the hot
// GET-by-identifier path) and the code-keyed resources (product models,
// attributes, attribute options, attribute groups, association types,
// families, categories, channels, locales, currencies, measure and
// measurement families).
//
// Every resource keeps its serialized JSON next to its document, so reads
// copy a prebuilt string; writers must refresh it (Resource::Refresh, or
// Product::json) whenever they change a document.
//
// Thread-safety: none. The owner (Api) guards a Store with a reader/writer
// lock: readers may share a const Store, writers need exclusive access.
//
//   Store store;
//   store.attributes["sku"] = Resource(NewAttributeDoc("sku", kIdentifierType));
//   Product* p = store.InsertProduct(std::make_unique<Product>(...));
//   const Product* same = store.FindByIdentifier("sku1");
#ifndef PIMSIM_MOCK_PIM_API_STORE_H_
#define PIMSIM_MOCK_PIM_API_STORE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/search_filter.h"

namespace pimsim::api {

// A code-keyed resource: its document and the document's serialization.
struct Resource {
  Resource() = default;
  explicit Resource(Json d) : doc(std::move(d)) { Refresh(); }
  void Refresh() { json = DumpJson(doc); }

  Json doc;
  std::string json;
};

// Ordered by code, which is the order of list pages.
using ResourceTable = absl::btree_map<std::string, Resource>;

// A product keeps only its serialized document plus the facts that filters
// and indexes need, so 100,000 products stay small.
struct Product {
  std::string uuid;        // lowercase
  std::string identifier;  // empty when the product has none
  std::string family;      // empty when none
  std::string parent;      // product model code of a variant product, or empty
  std::vector<std::string> categories;
  bool enabled = true;
  absl::Time created;
  absl::Time updated;
  std::string json;  // the full document, as stored
  // Byte ranges [begin, end) of `json` that a collection leaves out, with
  // their separating comma: the root "identifier" member (/products-uuid)
  // and the identifier attribute's value in "values" (/products); begin ==
  // end when absent. Set with has_associations by IndexProductJson
  // (product_view.h) whenever `json` changes, so that a read without
  // parameters is two copies.
  uint32_t identifier_member_begin = 0, identifier_member_end = 0;
  uint32_t identifier_value_begin = 0, identifier_value_end = 0;
  // True when "associations" or "quantified_associations" is not {}.
  bool has_associations = false;
  // The document's "values", pre-parsed for value filters; rebuilt with
  // `json`, through Store::SetValues once the product is in a Store.
  ValueFacts values;

  ProductFacts facts() const {
    return ProductFacts{identifier, uuid,    family, categories, enabled,
                        created,    updated, parent, &values};
  }
};

// One launch of a job profile (POST /jobs/{type}/{code}).
struct JobExecution {
  int64_t id = 0;           // from 1, in launch order
  std::string type;         // "export" or "import"
  std::string code;         // the profile, "csv_product_export"
  std::string import_mode;  // an import's override, or empty
  absl::Time launched;
};

// An uploaded file: POST /media-files (a product or product model value)
// or /category-media-files.
struct MediaFile {
  std::string original_filename;
  std::string mime_type;  // the upload's Content-Type
  std::string bytes;      // exactly as uploaded
  std::string json;       // {"code","original_filename","mime_type","size","extension"}
};
// Keyed by code ("7/5/8/e/<40 hex>_<filename>"), the order of list pages.
using MediaTable = absl::btree_map<std::string, MediaFile>;

// Bytes of all the media files of one Store; an upload past it is 413.
inline constexpr size_t kMaxMediaBytes = 64 << 20;

// The Store keeps this many job launches, the latest.
inline constexpr size_t kMaxJobExecutions = 1000;

class Store {
 public:
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  ResourceTable attributes;
  ResourceTable families;
  ResourceTable categories;
  ResourceTable channels;
  ResourceTable locales;
  // Ordered by code, the order of both pagination modes.
  ResourceTable product_models;
  ResourceTable association_types;
  // Each attribute is in exactly one group: the group named by its "group"
  // field lists it in "attributes".
  ResourceTable attribute_groups;
  // Enabled when a channel uses them.
  ResourceTable currencies;
  // The legacy /measure-families documents and the /measurement-families
  // ones, keyed by family code.
  ResourceTable measure_families;
  ResourceTable measurement_families;
  // Family code -> its family variants, ordered by variant code. Their
  // "common_attributes" (the family's attributes no level lists) are
  // refreshed whenever the family changes.
  absl::btree_map<std::string, ResourceTable> family_variants;
  // Attribute code -> its options, ordered by option code.
  absl::btree_map<std::string, ResourceTable> options;
  MediaTable media_files;
  MediaTable category_media_files;
  // Sum of the bytes of both tables' files.
  size_t media_bytes = 0;
  // Job launches, oldest first, at most kMaxJobExecutions.
  std::deque<JobExecution> job_executions;
  // Code of the pim_catalog_identifier attribute.
  std::string identifier_attribute = "sku";

  const Product* FindByIdentifier(std::string_view identifier) const;
  const Product* FindByUuid(std::string_view uuid) const;
  Product* MutableByIdentifier(std::string_view identifier);
  Product* MutableByUuid(std::string_view uuid);

  // Takes ownership. The uuid, and the identifier if not empty, must be free.
  Product* InsertProduct(std::unique_ptr<Product> product);
  // Replaces a product's values, and their entries in value_index().
  void SetValues(Product* product, ValueFacts values);
  // Changes a product's identifier (empty for none); the new one must be free.
  void SetIdentifier(Product* product, std::string identifier);
  void EraseProduct(const Product* product);

  // Products with an identifier, ordered by identifier.
  const absl::btree_map<std::string_view, Product*>& products_by_identifier()
      const {
    return by_identifier_;
  }
  // All products, ordered by uuid.
  const absl::btree_map<std::string, std::unique_ptr<Product>>&
  products_by_uuid() const {
    return by_uuid_;
  }
  size_t product_count() const { return by_uuid_.size(); }
  // Every product's values by key; each owner is a `const Product*`.
  const ValueIndex& value_index() const { return value_index_; }

  // True if any product or product model is in `family`.
  bool FamilyInUse(std::string_view family) const;
  // Categories in Akeneo's list order: tree by tree (roots in creation
  // order), each tree in pre-order with siblings in creation order, which
  // is the order of the nested set's left bounds.
  const std::vector<std::string>& categories_in_tree_order() const {
    return category_order_;
  }
  // Records that category `code` was created now (siblings are ordered by
  // creation); a code already recorded keeps its place.
  void NoteCategoryCreated(std::string_view code);
  // Recomputes categories_in_tree_order(); call after writing `categories`.
  // Categories never noted count as created after the noted ones, in code
  // order. O(categories).
  void RefreshCategoryOrder();

  // `code` and every category below it; empty if `code` does not exist.
  std::vector<std::string> CategoryAndDescendants(std::string_view code) const;
  // Product model `code` and its sub models; empty if `code` does not exist.
  std::vector<std::string> ProductModelAndSubModels(std::string_view code) const;

 private:
  absl::btree_map<std::string, std::unique_ptr<Product>> by_uuid_;
  // Keys point into the products' own identifier strings.
  absl::btree_map<std::string_view, Product*> by_identifier_;
  absl::flat_hash_map<absl::string_view, Product*> identifier_index_;
  // Category codes in creation order, and the same as a set.
  std::vector<std::string> category_created_;
  absl::flat_hash_set<std::string> category_noted_;
  std::vector<std::string> category_order_;
  ValueIndex value_index_;
};

// The Store's attributes, options, locales and channels as value filters
// check them. Holds a reference: the Store must outlive it, unchanged.
class StoreValueCatalog : public ValueCatalog {
 public:
  explicit StoreValueCatalog(const Store& store) : store_(store) {}
  std::optional<FilterAttribute> Attribute(std::string_view code) const override;
  bool HasOption(std::string_view attribute,
                 std::string_view option) const override;
  bool LocaleActive(std::string_view locale) const override;
  bool ChannelExists(std::string_view channel) const override;

 private:
  const Store& store_;
};

}  // namespace pimsim::api

#endif  // PIMSIM_MOCK_PIM_API_STORE_H_
