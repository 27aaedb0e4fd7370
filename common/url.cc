#include "common/url.h"

#include "common/hex.h"

namespace pimsim::url {

bool NeedsPercentDecode(std::string_view s, bool plus_as_space) {
  for (char c : s) {
    if (c == '%' || (plus_as_space && c == '+')) return true;
  }
  return false;
}

std::string PercentDecode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      const int hi = HexDigitValue(s[i + 1]);
      const int lo = HexDigitValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                            c == '.' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::vector<QueryParam> ParseQuery(std::string_view query) {
  std::vector<QueryParam> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view()
                                          : query.substr(amp + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    QueryParam p;
    p.raw = item;
    p.key = PercentDecode(item.substr(0, eq), /*plus_as_space=*/true);
    if (eq != std::string_view::npos) {
      p.value = PercentDecode(item.substr(eq + 1), /*plus_as_space=*/true);
    }
    params.push_back(std::move(p));
  }
  return params;
}

const QueryParam* FindParam(const std::vector<QueryParam>& params,
                            std::string_view key) {
  for (const QueryParam& p : params) {
    if (p.key == key) return &p;
  }
  return nullptr;
}

}  // namespace pimsim::url
