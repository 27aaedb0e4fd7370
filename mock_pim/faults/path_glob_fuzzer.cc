// Fuzzes PathGlob against a plain reference matcher written from the
// contract in path_glob.h. Input: the pattern, a newline, then paths, one a
// line, each matched against the pattern.
//
// Property: PathGlob (literal prefix, '**' merging, backtracking segment
// match) agrees with the reference on every path.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bazel/fuzz_check.h"
#include "mock_pim/faults/path_glob.h"

namespace pimsim {
namespace {

constexpr size_t kMaxPaths = 8;

std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t slash = s.find('/');
    out.push_back(s.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    s.remove_prefix(slash + 1);
  }
}

// '*' matches any run of characters; by dynamic programming over prefixes.
bool WildcardMatches(std::string_view pattern, std::string_view text) {
  // row[j]: does pattern[0, i) match text[0, j)?
  std::vector<char> row(text.size() + 1, 0);
  row[0] = 1;
  for (char p : pattern) {
    std::vector<char> next(text.size() + 1, 0);
    if (p == '*') {
      char any = 0;
      for (size_t j = 0; j <= text.size(); ++j) next[j] = any = any || row[j];
    } else {
      for (size_t j = 1; j <= text.size(); ++j) next[j] = row[j - 1] && text[j - 1] == p;
    }
    row.swap(next);
  }
  return row[text.size()];
}

// The contract, segment by segment: "**" takes zero or more whole segments,
// any other segment exactly one; the query is not part of the path; an empty
// pattern matches everything.
bool ReferenceMatches(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) return true;
  path = path.substr(0, path.find('?'));
  const std::vector<std::string_view> pat = Split(pattern);
  const std::vector<std::string_view> segs = Split(path);
  // match[i][j]: do pat[i..] match segs[j..]?
  std::vector<std::vector<char>> match(pat.size() + 1, std::vector<char>(segs.size() + 1, 0));
  match[pat.size()][segs.size()] = 1;
  for (size_t i = pat.size(); i-- > 0;) {
    for (size_t j = segs.size() + 1; j-- > 0;) {
      if (pat[i] == "**") {
        match[i][j] = match[i + 1][j] || (j < segs.size() && match[i][j + 1]);
      } else {
        match[i][j] = j < segs.size() && WildcardMatches(pat[i], segs[j]) && match[i + 1][j + 1];
      }
    }
  }
  return match[0][0];
}

}  // namespace
}  // namespace pimsim

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view pattern = input.substr(0, nl);
  input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
  const pimsim::PathGlob glob(pattern);
  FUZZ_CHECK(glob.pattern() == pattern);
  for (size_t i = 0; i < pimsim::kMaxPaths; ++i) {
    const size_t end = input.find('\n');
    const std::string_view path = input.substr(0, end);
    FUZZ_CHECK(glob.Matches(path) == pimsim::ReferenceMatches(pattern, path));
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  return 0;
}
