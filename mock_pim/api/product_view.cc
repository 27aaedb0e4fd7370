#include "mock_pim/api/product_view.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/model.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api {
namespace {

constexpr size_t kNpos = std::string_view::npos;

// ---------------------------------------------------------------------------
// A scanner over JSON text the mock wrote: it finds the bounds of values
// without building them. Malformed text makes it stop (kNpos), and the
// caller then serves the document unchanged.

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipWs(std::string_view s, size_t i) {
  while (i < s.size() && IsWs(s[i])) ++i;
  return i;
}

// `s[i]` is '"'; the index after the closing quote. Strings are most of a
// document's bytes, so the quote is found with memchr, and a quote counts
// as closing when an even number of backslashes precede it.
size_t SkipString(std::string_view s, size_t i) {
  for (++i; i < s.size();) {
    const void* q = std::memchr(s.data() + i, '"', s.size() - i);
    if (q == nullptr) return kNpos;
    const size_t at = static_cast<const char*>(q) - s.data();
    size_t backslashes = 0;
    while (at - backslashes > i && s[at - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return at + 1;
    i = at + 1;
  }
  return kNpos;
}

// The index after the value that starts at `s[i]`.
size_t SkipValue(std::string_view s, size_t i) {
  if (i >= s.size()) return kNpos;
  if (s[i] == '"') return SkipString(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        i = SkipString(s, i);
        if (i == kNpos) return kNpos;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return kNpos;
  }
  const size_t start = i;
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' &&
         !IsWs(s[i])) {
    ++i;
  }
  return i == start ? kNpos : i;
}

// The string a JSON string token holds ("" for null or another type).
std::string StringOf(std::string_view token) {
  if (token.size() < 2 || token.front() != '"') return "";
  std::string_view inner = token.substr(1, token.size() - 2);
  if (inner.find('\\') == kNpos) return std::string(inner);
  std::optional<Json> v = ParseJson(token);
  return v && v->is_string() ? v->get<std::string>() : "";
}

// Walks the members of an object or the items of an array.
class Walker {
 public:
  // `text` starts with '{' (object) or '[' (array).
  explicit Walker(std::string_view text) : s_(text) {
    object_ = !s_.empty() && s_[0] == '{';
    ok_ = !s_.empty() && (s_[0] == '{' || s_[0] == '[');
    i_ = 1;
  }
  // Advances to the next member (key_token, key set) or item; false at the
  // end or on malformed text (then ok() is false).
  bool Next() {
    if (!ok_) return false;
    i_ = SkipWs(s_, i_);
    if (i_ < s_.size() && (s_[i_] == '}' || s_[i_] == ']')) return false;
    if (count_ > 0) {
      if (i_ >= s_.size() || s_[i_] != ',') return Fail();
      i_ = SkipWs(s_, i_ + 1);
    }
    begin_ = i_;
    if (object_) {
      if (i_ >= s_.size() || s_[i_] != '"') return Fail();
      const size_t end = SkipString(s_, i_);
      if (end == kNpos) return Fail();
      key_token = s_.substr(i_, end - i_);
      key = StringOf(key_token);
      i_ = SkipWs(s_, end);
      if (i_ >= s_.size() || s_[i_] != ':') return Fail();
      i_ = SkipWs(s_, i_ + 1);
    }
    const size_t end = SkipValue(s_, i_);
    if (end == kNpos) return Fail();
    value = s_.substr(i_, end - i_);
    i_ = end;
    ++count_;
    return true;
  }
  bool ok() const { return ok_; }
  // Offsets in the text: the current member's key (or item) start, and the
  // end of its value.
  size_t begin() const { return begin_; }
  size_t end() const { return i_; }

  std::string_view key_token;
  std::string key;
  std::string_view value;

 private:
  bool Fail() {
    ok_ = false;
    return false;
  }
  std::string_view s_;
  size_t i_ = 0;
  size_t begin_ = 0;
  size_t count_ = 0;
  bool object_ = false;
  bool ok_ = false;
};

bool IsEmptyData(std::string_view data) {
  return data.empty() || data == "null" || data == "\"\"" || data == "[]" ||
         data == "{}";
}

// A filled value of the document, for completeness.
struct Filled {
  std::string attribute, locale, scope;
};

void AppendLinkedData(ViewCatalog& catalog, const std::string& attribute,
                      bool multi, std::string_view data, std::string* out) {
  out->append(",\"linked_data\":");
  if (!multi) {
    const std::string& option = catalog.OptionJson(attribute, StringOf(data));
    out->append(option.empty() ? "[]" : option);
    return;
  }
  const size_t start = out->size();
  bool any = false;
  Walker codes(data);
  while (codes.Next()) {
    const std::string code = StringOf(codes.value);
    const std::string& option = catalog.OptionJson(attribute, code);
    if (option.empty()) continue;
    out->push_back(any ? ',' : '{');
    any = true;
    AppendJsonString(code, out);
    out->push_back(':');
    out->append(option);
  }
  if (any) {
    out->push_back('}');
  } else {
    out->resize(start);
    out->append("[]");
  }
}

// Appends the served "values" object; records filled values in `*filled`
// when it is not null.
bool RenderValues(std::string_view values, const ProductView& view,
                  ViewCatalog& catalog, std::vector<Filled>* filled,
                  std::string* out) {
  const ProductViewParams& p = *view.params;
  out->push_back('{');
  bool first_attribute = true;
  Walker attrs(values);
  while (attrs.Next()) {
    const bool keep = attrs.key != view.drop_value &&
                      p.filter.KeepsAttribute(attrs.key);
    if (!keep && filled == nullptr) continue;
    std::string_view type;
    if (keep && p.with_attribute_options) type = catalog.TypeOf(attrs.key);
    const bool multi = type == kMultiSelectType;
    const bool select = multi || type == kSimpleSelectType;
    if (filled == nullptr && !select && !p.filter.scope && !p.filter.locales) {
      // Nothing to do inside: the attribute's entries as they are.
      if (!first_attribute) out->push_back(',');
      first_attribute = false;
      out->append(attrs.key_token);
      out->push_back(':');
      out->append(attrs.value);
      continue;
    }
    const size_t rollback = out->size();
    bool any = false;
    Walker entries(attrs.value);
    while (entries.Next()) {
      Walker fields(entries.value);
      std::string locale, scope;
      std::string_view data;
      while (fields.Next()) {
        if (fields.key == "locale") {
          locale = StringOf(fields.value);
        } else if (fields.key == "scope") {
          scope = StringOf(fields.value);
        } else if (fields.key == "data") {
          data = fields.value;
        }
      }
      if (!fields.ok()) return false;
      if (filled != nullptr && !IsEmptyData(data)) {
        filled->push_back(Filled{attrs.key, locale, scope});
      }
      if (!keep || !p.filter.KeepsEntry(locale, scope)) continue;
      if (!any) {
        if (!first_attribute) out->push_back(',');
        out->append(attrs.key_token);
        out->append(":[");
      } else {
        out->push_back(',');
      }
      any = true;
      if (!select) {
        out->append(entries.value);
        continue;
      }
      // The entry again, with linked_data after data.
      out->push_back('{');
      Walker again(entries.value);
      bool first_field = true;
      while (again.Next()) {
        if (!first_field) out->push_back(',');
        first_field = false;
        out->append(again.key_token);
        out->push_back(':');
        out->append(again.value);
        if (again.key == "data") {
          AppendLinkedData(catalog, attrs.key, multi, again.value, out);
        }
      }
      out->push_back('}');
    }
    if (!entries.ok()) return false;
    if (any) {
      out->push_back(']');
      first_attribute = false;
    } else {
      out->resize(rollback);
    }
  }
  out->push_back('}');
  return attrs.ok();
}

void AppendScoreEntry(std::string_view scope, std::string_view locale,
                      std::string_view data_json, bool first,
                      std::string* out) {
  if (!first) out->push_back(',');
  out->append("{\"scope\":");
  AppendJsonString(scope, out);
  out->append(",\"locale\":");
  AppendJsonString(locale, out);
  out->append(",\"data\":");
  out->append(data_json);
  out->push_back('}');
}

void AppendQualityScores(ViewCatalog& catalog, const std::string& family,
                         std::string_view key, std::string* out) {
  out->append(",\"quality_scores\":");
  if (family.empty()) {
    out->append("{}");
    return;
  }
  out->push_back('[');
  bool first = true;
  for (const ViewCatalog::Requirement& ch : catalog.Channels()) {
    for (const std::string& locale : ch.locales) {
      const char letter[] = {'"', SyntheticQualityScore(key, ch.channel, locale),
                             '"', '\0'};
      AppendScoreEntry(ch.channel, locale, letter, first, out);
      first = false;
    }
  }
  out->push_back(']');
}

void AppendCompletenesses(ViewCatalog& catalog, const std::string& family,
                          const std::vector<Filled>& filled,
                          std::string* out) {
  out->append(",\"completenesses\":[");
  bool first = true;
  if (!family.empty()) {
    for (const ViewCatalog::Requirement& r : catalog.RequirementsOf(family)) {
      for (const std::string& locale : r.locales) {
        size_t done = 0;
        for (const std::string& attribute : r.attributes) {
          for (const Filled& f : filled) {
            if (f.attribute == attribute &&
                (f.locale.empty() || f.locale == locale) &&
                (f.scope.empty() || f.scope == r.channel)) {
              ++done;
              break;
            }
          }
        }
        const size_t ratio =
            r.attributes.empty() ? 100 : 100 * done / r.attributes.size();
        AppendScoreEntry(r.channel, locale, std::to_string(ratio), first, out);
        first = false;
      }
    }
  }
  out->push_back(']');
}

std::vector<std::string> SplitCodes(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t comma = s.find(',', start);
    out.emplace_back(s.substr(start, comma == kNpos ? kNpos : comma - start));
    if (comma == kNpos) break;
    start = comma + 1;
  }
  return out;
}

std::string JoinCodes(const std::vector<std::string>& codes) {
  std::string out;
  for (const std::string& c : codes) Append(&out, out.empty() ? "" : ", ", c);
  return out;
}

bool OnlyTrue(const std::vector<url::QueryParam>& params, const char* name) {
  const url::QueryParam* p = url::FindParam(params, name);
  return p != nullptr && p->value == "true";
}

std::vector<std::string> ChannelLocales(const Json& channel) {
  std::vector<std::string> out;
  for (const Json& l : channel.value("locales", Json::array())) {
    if (l.is_string()) out.push_back(l.get<std::string>());
  }
  return out;
}

}  // namespace

bool ValueFilter::KeepsAttribute(std::string_view attribute) const {
  return !attributes || attributes->contains(AV(attribute));
}

bool ValueFilter::KeepsEntry(std::string_view locale,
                             std::string_view entry_scope) const {
  if (scope && !entry_scope.empty() && entry_scope != *scope) return false;
  if (locales && !locale.empty() &&
      std::find(locales->begin(), locales->end(), locale) == locales->end()) {
    return false;
  }
  return true;
}

bool ProductViewParams::InTree(const std::vector<std::string>& categories) const {
  if (!tree) return true;
  for (const std::string& c : categories) {
    if (tree->contains(c)) return true;
  }
  return false;
}

absl::StatusOr<ProductViewParams> ParseProductViewParams(
    const Store& store, const std::vector<url::QueryParam>& params,
    ViewRoute route) {
  ProductViewParams out;
  const bool list = route == ViewRoute::kProductList || route == ViewRoute::kModelList;
  const bool product =
      route == ViewRoute::kProductList || route == ViewRoute::kProductItem;
  if (list) {
    if (const url::QueryParam* p = url::FindParam(params, "attributes")) {
      std::vector<std::string> codes = SplitCodes(p->value);
      std::vector<std::string> unknown;
      for (const std::string& c : codes) {
        if (!store.attributes.contains(c)) unknown.push_back(c);
      }
      if (unknown.size() == 1) {
        return absl::InvalidArgumentError(
            Cat("Attribute \"", unknown[0], "\" does not exist."));
      }
      if (!unknown.empty()) {
        return absl::InvalidArgumentError(
            Cat("Attributes \"", JoinCodes(unknown), "\" do not exist."));
      }
      out.filter.attributes.emplace(codes.begin(), codes.end());
    }
    const Json* channel = nullptr;
    if (const url::QueryParam* p = url::FindParam(params, "scope")) {
      auto it = store.channels.find(AV(p->value));
      if (it == store.channels.end()) {
        return absl::InvalidArgumentError(
            Cat("Scope \"", p->value, "\" does not exist."));
      }
      channel = &it->second.doc;
      out.filter.scope = p->value;
    }
    if (const url::QueryParam* p = url::FindParam(params, "locales")) {
      std::vector<std::string> codes = SplitCodes(p->value);
      std::vector<std::string> unknown;
      for (const std::string& c : codes) {
        auto it = store.locales.find(AV(c));
        if (it == store.locales.end() || !it->second.doc.value("enabled", false)) {
          unknown.push_back(c);
        }
      }
      if (unknown.size() == 1) {
        return absl::InvalidArgumentError(Cat(
            "Locale \"", unknown[0], "\" does not exist or is not activated."));
      }
      if (!unknown.empty()) {
        return absl::InvalidArgumentError(Cat("Locales \"", JoinCodes(unknown),
                                              "\" do not exist or are not activated."));
      }
      if (channel != nullptr) {
        const std::vector<std::string> bound = ChannelLocales(*channel);
        std::vector<std::string> outside;
        for (const std::string& c : codes) {
          if (std::find(bound.begin(), bound.end(), c) == bound.end()) {
            outside.push_back(c);
          }
        }
        if (outside.size() == 1) {
          return absl::InvalidArgumentError(
              Cat("Locale \"", outside[0], "\" is not activated for the scope \"",
                  *out.filter.scope, "\"."));
        }
        if (!outside.empty()) {
          return absl::InvalidArgumentError(
              Cat("Locales \"", JoinCodes(outside),
                  "\" are not activated for the scope \"", *out.filter.scope,
                  "\"."));
        }
      }
      out.filter.locales = std::move(codes);
    } else if (channel != nullptr) {
      out.filter.locales = ChannelLocales(*channel);
    }
    if (channel != nullptr) {
      const std::vector<std::string> tree =
          store.CategoryAndDescendants(StringOr(*channel, "category_tree"));
      out.tree.emplace(tree.begin(), tree.end());
    }
  }
  if (product) {
    out.with_attribute_options = OnlyTrue(params, "with_attribute_options");
    out.with_completenesses = OnlyTrue(params, "with_completenesses");
  }
  out.with_quality_scores = OnlyTrue(params, "with_quality_scores");
  return out;
}

const std::string& ViewCatalog::TypeOf(std::string_view attribute) {
  auto [it, inserted] = types_.try_emplace(AV(attribute));
  if (inserted) {
    auto a = store_.attributes.find(AV(attribute));
    if (a != store_.attributes.end()) it->second = StringOr(a->second.doc, "type");
  }
  return it->second;
}

const std::string& ViewCatalog::OptionJson(std::string_view attribute,
                                           std::string_view code) {
  std::string key = Cat(attribute, "\n", code);
  auto [it, inserted] = options_.try_emplace(std::move(key));
  if (inserted) {
    auto table = store_.options.find(AV(attribute));
    if (table != store_.options.end()) {
      auto option = table->second.find(AV(code));
      if (option != table->second.end()) {
        std::string& j = it->second;
        j.append("{\"attribute\":");
        AppendJsonString(attribute, &j);
        j.append(",\"code\":");
        AppendJsonString(code, &j);
        j.append(",\"labels\":");
        j.append(DumpJson(option->second.doc.value("labels", Json::object())));
        j.push_back('}');
      }
    }
  }
  return it->second;
}

const std::vector<ViewCatalog::Requirement>& ViewCatalog::RequirementsOf(
    std::string_view family) {
  auto [it, inserted] = requirements_.try_emplace(AV(family));
  if (!inserted) return it->second;
  auto f = store_.families.find(AV(family));
  if (f == store_.families.end()) return it->second;
  const Json& req = f->second.doc.value("attribute_requirements", Json::object());
  for (const auto& [channel_code, attributes] : req.items()) {
    auto ch = store_.channels.find(channel_code);
    if (ch == store_.channels.end() || !attributes.is_array()) continue;
    Requirement r;
    r.channel = channel_code;
    r.locales = ChannelLocales(ch->second.doc);
    for (const Json& a : attributes) {
      if (a.is_string()) r.attributes.push_back(a.get<std::string>());
    }
    it->second.push_back(std::move(r));
  }
  std::sort(it->second.begin(), it->second.end(),
            [](const Requirement& a, const Requirement& b) {
              return a.channel < b.channel;
            });
  return it->second;
}

const std::vector<ViewCatalog::Requirement>& ViewCatalog::Channels() {
  if (!channels_) {
    channels_.emplace();
    for (const auto& [code, ch] : store_.channels) {
      Requirement r;
      r.channel = code;
      r.locales = ChannelLocales(ch.doc);
      channels_->push_back(std::move(r));
    }
  }
  return *channels_;
}

std::string_view ViewCatalog::IdentifierOf(std::string_view uuid) const {
  const Product* p = store_.FindByUuid(uuid);
  return p == nullptr ? std::string_view() : std::string_view(p->identifier);
}

namespace {

// `associations` or `quantified_associations` (`quantified`) with
// identifiers for uuids.
void AppendAssociationsByIdentifier(std::string_view text, bool quantified,
                                    const ViewCatalog& catalog,
                                    std::string* out) {
  std::optional<Json> doc = ParseJson(text);
  if (!doc || !doc->is_object()) {
    out->append(text);
    return;
  }
  for (auto& [type, links] : doc->items()) {
    if (!links.is_object()) continue;
    auto products = links.find("products");
    if (products == links.end() || !products->is_array()) continue;
    Json named = Json::array();
    for (Json& item : *products) {
      if (!quantified) {
        if (!item.is_string()) continue;
        const std::string_view id = catalog.IdentifierOf(item.get_ref<const std::string&>());
        if (!id.empty()) named.push_back(std::string(id));
        continue;
      }
      if (!item.is_object() || !item.contains("uuid") || !item["uuid"].is_string()) continue;
      const std::string_view id =
          catalog.IdentifierOf(item["uuid"].get_ref<const std::string&>());
      if (id.empty()) continue;
      Json entry = Json::object();
      entry["identifier"] = std::string(id);
      entry["quantity"] = item.value("quantity", Json());
      named.push_back(std::move(entry));
    }
    *products = std::move(named);
  }
  out->append(DumpJson(*doc));
}

}  // namespace

namespace {

// The span of the member `key` of the object `text` (at `offset` in the
// document), with one separating comma, or {0, 0}.
std::pair<uint32_t, uint32_t> MemberSpan(std::string_view text, size_t offset,
                                         std::string_view key) {
  Walker w(text);
  size_t previous_end = 0;
  bool first = true;
  while (w.Next()) {
    if (w.key != key) {
      previous_end = w.end();
      first = false;
      continue;
    }
    size_t begin = first ? w.begin() : previous_end;
    size_t end = w.end();
    if (first) {
      // The comma after it goes instead, if there is a next member.
      Walker rest = w;
      if (rest.Next()) end = rest.begin();
    }
    return {static_cast<uint32_t>(offset + begin), static_cast<uint32_t>(offset + end)};
  }
  return {0, 0};
}

}  // namespace

void IndexProductJson(std::string_view identifier_attribute, Product* p) {
  const std::string_view doc = p->json;
  p->identifier_member_begin = p->identifier_member_end = 0;
  p->identifier_value_begin = p->identifier_value_end = 0;
  p->has_associations = false;
  std::tie(p->identifier_member_begin, p->identifier_member_end) =
      MemberSpan(doc, 0, "identifier");
  Walker top(doc);
  while (top.Next()) {
    if (top.key == "values" && !top.value.empty() && top.value[0] == '{') {
      const size_t offset = top.end() - top.value.size();
      std::tie(p->identifier_value_begin, p->identifier_value_end) =
          MemberSpan(top.value, offset, identifier_attribute);
    } else if ((top.key == "associations" || top.key == "quantified_associations") &&
               top.value != "{}") {
      p->has_associations = true;
    }
  }
  if (!top.ok()) p->has_associations = true;  // not ours: the full rendering
}

void RenderStoredProduct(const Product& p, const ProductView& view,
                         ViewCatalog& catalog, std::string* out) {
  const ProductViewParams* params = view.params;
  const bool plain = params == nullptr ||
                     (params->filter.empty() && !params->with_attribute_options &&
                      !params->with_completenesses && !params->with_quality_scores);
  if (!plain || (view.associations_by_identifier && p.has_associations)) {
    RenderProductView(p.json, view, catalog, p.uuid, out);
    return;
  }
  const std::string_view doc = p.json;
  uint32_t begin = 0, end = 0;
  if (!view.drop_root_key.empty()) {
    begin = p.identifier_member_begin;
    end = p.identifier_member_end;
  } else if (!view.drop_value.empty()) {
    begin = p.identifier_value_begin;
    end = p.identifier_value_end;
  }
  if (end > doc.size() || begin > end) begin = end = 0;
  out->append(doc.substr(0, begin));
  out->append(doc.substr(end));
}

char SyntheticQualityScore(std::string_view key, std::string_view channel,
                           std::string_view locale) {
  // FNV-1a over key, channel and locale, separated.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  mix(key);
  mix(channel);
  mix(locale);
  return static_cast<char>('A' + (h >> 32) % 5);
}

void RenderProductView(std::string_view doc, const ProductView& view,
                       ViewCatalog& catalog, std::string_view key,
                       std::string* out) {
  static const ProductViewParams* const kNone = new ProductViewParams();
  ProductView v = view;
  if (v.params == nullptr) v.params = kNone;
  const ProductViewParams& p = *v.params;
  const size_t start = out->size();
  std::vector<Filled> filled;
  std::string family;
  Walker top(doc);
  bool failed = doc.empty() || doc[0] != '{';
  out->push_back('{');
  bool first = true;
  while (!failed && top.Next()) {
    if (top.key == v.drop_root_key) continue;
    if (top.key == "family") family = StringOf(top.value);
    if (!first) out->push_back(',');
    first = false;
    out->append(top.key_token);
    out->push_back(':');
    if (v.associations_by_identifier && top.value != "{}" &&
        (top.key == "associations" || top.key == "quantified_associations")) {
      AppendAssociationsByIdentifier(top.value, top.key == "quantified_associations",
                                     catalog, out);
    } else if (top.key == "values" && !top.value.empty() && top.value[0] == '{') {
      if (!RenderValues(top.value, v, catalog,
                        p.with_completenesses ? &filled : nullptr, out)) {
        failed = true;
      }
    } else {
      out->append(top.value);
    }
  }
  if (failed || !top.ok()) {
    // Not a document of ours: served as it is.
    out->resize(start);
    out->append(doc);
    return;
  }
  if (p.with_quality_scores) AppendQualityScores(catalog, family, key, out);
  if (p.with_completenesses) AppendCompletenesses(catalog, family, filled, out);
  out->push_back('}');
}

}  // namespace pimsim::api
