// PathGlob: a compiled glob over a URL path, as used by fault rules
// (pimsim.v1.FaultMatch.path).
//
// The pattern and the path are split on '/'. A pattern segment that is
// exactly "**" matches zero or more whole path segments; any other segment
// matches exactly one path segment, where '*' matches any run of characters
// (possibly empty) inside that segment and every other character is literal.
// So "/api/rest/v1/products/*" matches "/api/rest/v1/products/x" but not
// "/api/rest/v1/products/x/y" nor "/api/rest/v1/products"; "/api/**" matches
// "/api", "/api/rest" and "/api/rest/v1/products/x". Matching stops at a '?'
// in the path (the query string is not part of the path). An empty pattern
// matches every path.
//
// The pattern is split once, at compile time; Matches() allocates nothing,
// rejects a path that differs before the first '*' with one comparison, and
// otherwise takes at most (pattern segments x path segments) segment
// comparisons, however many '**' the pattern has.
//
// Thread-safety: immutable after construction; Matches is const.
//
//   PathGlob glob("/api/rest/v1/products/*");
//   if (glob.Matches(request_path)) ...
#ifndef PIMSIM_MOCK_PIM_FAULTS_PATH_GLOB_H_
#define PIMSIM_MOCK_PIM_FAULTS_PATH_GLOB_H_

#include <string>
#include <string_view>
#include <vector>

namespace pimsim {

class PathGlob {
 public:
  PathGlob() = default;  // matches everything
  explicit PathGlob(std::string_view pattern);

  bool Matches(std::string_view path) const;
  const std::string& pattern() const { return pattern_; }
  bool empty() const { return pattern_.empty(); }

 private:
  struct Segment {
    enum class Kind { kLiteral, kWildcard, kAnySegments } kind;
    std::string text;  // literal text, or the segment pattern with '*'
  };

  // Do the segments match `path` (its query removed)?
  bool MatchSegments(std::string_view path) const;
  static bool SegmentMatches(std::string_view pattern, std::string_view text);

  std::string pattern_;
  // The pattern up to its first '*': every matching path starts with it, so
  // it rejects most non-matching paths with one comparison.
  std::string literal_prefix_;
  std::vector<Segment> segments_;
};

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_FAULTS_PATH_GLOB_H_
