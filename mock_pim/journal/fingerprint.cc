#include "mock_pim/journal/fingerprint.h"

#include <algorithm>
#include <tuple>
#include <vector>

namespace pimsim {

uint64_t Fnv1a64(std::string_view data) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string HexHash(uint64_t hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[i] = kDigits[hash & 0xf];
    hash >>= 4;
  }
  return out;
}

std::string BodyHash(std::string_view body) {
  if (body.empty()) return std::string();
  return HexHash(Fnv1a64(body));
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
