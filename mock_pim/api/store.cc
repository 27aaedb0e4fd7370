#include "mock_pim/api/store.h"

#include "absl/container/flat_hash_set.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api {

const Product* Store::FindByIdentifier(std::string_view identifier) const {
  auto it = identifier_index_.find(AV(identifier));
  return it == identifier_index_.end() ? nullptr : it->second;
}

const Product* Store::FindByUuid(std::string_view uuid) const {
  auto it = by_uuid_.find(AV(uuid));
  return it == by_uuid_.end() ? nullptr : it->second.get();
}

Product* Store::MutableByIdentifier(std::string_view identifier) {
  auto it = identifier_index_.find(AV(identifier));
  return it == identifier_index_.end() ? nullptr : it->second;
}

Product* Store::MutableByUuid(std::string_view uuid) {
  auto it = by_uuid_.find(AV(uuid));
  return it == by_uuid_.end() ? nullptr : it->second.get();
}

Product* Store::InsertProduct(std::unique_ptr<Product> product) {
  Product* p = product.get();
  by_uuid_.emplace(p->uuid, std::move(product));
  if (!p->identifier.empty()) {
    by_identifier_.emplace(p->identifier, p);
    identifier_index_.emplace(AV(p->identifier), p);
  }
  value_index_.Add(p, &p->values);
  return p;
}

void Store::SetValues(Product* product, ValueFacts values) {
  value_index_.Remove(product, &product->values);
  product->values = std::move(values);
  value_index_.Add(product, &product->values);
}

void Store::SetIdentifier(Product* product, std::string identifier) {
  if (!product->identifier.empty()) {
    by_identifier_.erase(product->identifier);
    identifier_index_.erase(AV(product->identifier));
  }
  product->identifier = std::move(identifier);
  if (!product->identifier.empty()) {
    by_identifier_.emplace(product->identifier, product);
    identifier_index_.emplace(AV(product->identifier), product);
  }
}

void Store::EraseProduct(const Product* product) {
  if (!product->identifier.empty()) {
    by_identifier_.erase(product->identifier);
    identifier_index_.erase(AV(product->identifier));
  }
  value_index_.Remove(product, &product->values);
  by_uuid_.erase(product->uuid);  // destroys *product
}

bool Store::FamilyInUse(std::string_view family) const {
  for (const auto& [uuid, p] : by_uuid_) {
    if (p->family == family) return true;
  }
  for (const auto& [code, model] : product_models) {
    auto f = model.doc.find("family");
    if (f != model.doc.end() && f->is_string() &&
        f->get_ref<const std::string&>() == family) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> Store::ProductModelAndSubModels(
    std::string_view code) const {
  std::vector<std::string> out;
  if (product_models.find(AV(code)) == product_models.end()) return out;
  out.emplace_back(code);
  for (const auto& [c, model] : product_models) {
    auto parent = model.doc.find("parent");
    if (parent != model.doc.end() && parent->is_string() &&
        parent->get_ref<const std::string&>() == code) {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> Store::CategoryAndDescendants(
    std::string_view code) const {
  std::vector<std::string> out;
  if (categories.find(AV(code)) == categories.end()) return out;
  absl::flat_hash_map<std::string, std::vector<std::string>> children;
  for (const auto& [c, r] : categories) {
    auto parent = r.doc.find("parent");
    if (parent != r.doc.end() && parent->is_string()) {
      children[parent->get<std::string>()].push_back(c);
    }
  }
  absl::flat_hash_set<std::string> seen;
  out.emplace_back(code);
  seen.insert(std::string(code));
  for (size_t i = 0; i < out.size(); ++i) {
    auto it = children.find(out[i]);
    if (it == children.end()) continue;
    for (const std::string& child : it->second) {
      if (seen.insert(child).second) out.push_back(child);
    }
  }
  return out;
}

void Store::NoteCategoryCreated(std::string_view code) {
  if (category_noted_.insert(std::string(code)).second) {
    category_created_.emplace_back(code);
  }
}

void Store::RefreshCategoryOrder() {
  for (const auto& [code, r] : categories) NoteCategoryCreated(code);
  // Children by parent, and roots, in creation order; a category whose
  // parent is missing counts as a root.
  absl::flat_hash_map<absl::string_view, std::vector<const std::string*>> children;
  std::vector<const std::string*> roots;
  for (const std::string& code : category_created_) {
    auto it = categories.find(code);
    if (it == categories.end()) continue;
    auto parent = it->second.doc.find("parent");
    if (parent != it->second.doc.end() && parent->is_string() &&
        categories.contains(parent->get_ref<const std::string&>())) {
      children[AV(parent->get_ref<const std::string&>())].push_back(&code);
    } else {
      roots.push_back(&code);
    }
  }
  category_order_.clear();
  category_order_.reserve(categories.size());
  absl::flat_hash_set<absl::string_view> placed;
  auto walk = [&](const std::string* root) {
    std::vector<const std::string*> stack = {root};
    while (!stack.empty()) {
      const std::string* code = stack.back();
      stack.pop_back();
      if (!placed.insert(AV(*code)).second) continue;
      category_order_.push_back(*code);
      auto it = children.find(AV(*code));
      if (it == children.end()) continue;
      for (auto c = it->second.rbegin(); c != it->second.rend(); ++c) stack.push_back(*c);
    }
  };
  for (const std::string* root : roots) walk(root);
  // A cycle of parents has no root: its categories come last.
  for (const std::string& code : category_created_) {
    if (categories.contains(code) && !placed.contains(AV(code))) walk(&code);
  }
  // Forget categories that no longer exist.
  if (category_created_.size() > categories.size()) {
    std::vector<std::string> kept;
    for (std::string& code : category_created_) {
      if (categories.contains(code)) {
        kept.push_back(std::move(code));
      } else {
        category_noted_.erase(code);
      }
    }
    category_created_ = std::move(kept);
  }
}

std::optional<FilterAttribute> StoreValueCatalog::Attribute(
    std::string_view code) const {
  auto it = store_.attributes.find(AV(code));
  if (it == store_.attributes.end()) return std::nullopt;
  const Json& doc = it->second.doc;
  FilterAttribute a;
  if (auto t = doc.find("type"); t != doc.end() && t->is_string()) {
    a.type = t->get_ref<const std::string&>();
  }
  auto flag = [&](const char* field) {
    auto f = doc.find(field);
    return f != doc.end() && f->is_boolean() && f->get<bool>();
  };
  a.localizable = flag("localizable");
  a.scopable = flag("scopable");
  return a;
}

bool StoreValueCatalog::HasOption(std::string_view attribute,
                                  std::string_view option) const {
  auto it = store_.options.find(AV(attribute));
  return it != store_.options.end() && it->second.contains(AV(option));
}

bool StoreValueCatalog::LocaleActive(std::string_view locale) const {
  auto it = store_.locales.find(AV(locale));
  if (it == store_.locales.end()) return false;
  auto enabled = it->second.doc.find("enabled");
  return enabled != it->second.doc.end() && enabled->is_boolean() &&
         enabled->get<bool>();
}

bool StoreValueCatalog::ChannelExists(std::string_view channel) const {
  return store_.channels.contains(AV(channel));
}

}  // namespace pimsim::api
