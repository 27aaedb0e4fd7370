#include "mock_pim/journal/fingerprint.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "common/fnv.h"
#include "common/hex.h"

namespace pimsim {

std::string BodyHash(std::string_view body) {
  if (body.empty()) return std::string();
  return Hex16(Fnv1a64(body));
}

std::string NormalizePath(std::string_view path, std::string_view query) {
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  struct Param {
    std::string_view name;
    std::string_view value;
    std::string_view raw;
  };
  std::vector<Param> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view raw = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (raw.empty()) continue;
    const size_t eq = raw.find('=');
    params.push_back(eq == std::string_view::npos
                         ? Param{raw, std::string_view(), raw}
                         : Param{raw.substr(0, eq), raw.substr(eq + 1), raw});
  }
  std::string out(path);
  if (params.empty()) return out;
  // "a" and "a=" differ only in raw form; the last key keeps the order total.
  std::sort(params.begin(), params.end(), [](const Param& x, const Param& y) {
    return std::tie(x.name, x.value, x.raw) < std::tie(y.name, y.value, y.raw);
  });
  out.push_back('?');
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out.push_back('&');
    out.append(params[i].raw);
  }
  return out;
}

std::string_view NormalizePath(std::string_view path, std::string_view query,
                               std::string* storage) {
  if (query.empty() || query == "?") return path;
  *storage = NormalizePath(path, query);
  return *storage;
}

}  // namespace pimsim
