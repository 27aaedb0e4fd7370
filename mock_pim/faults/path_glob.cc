#include "mock_pim/faults/path_glob.h"

namespace pimsim {

PathGlob::PathGlob(std::string_view pattern)
    : pattern_(pattern), literal_prefix_(pattern.substr(0, pattern.find('*'))) {
  if (pattern.empty()) return;
  // "/api/**" matches "/api": a '**' segment may take its leading '/' along.
  const size_t star = literal_prefix_.size();
  if (star < pattern.size() && pattern.substr(star, 2) == "**" && !literal_prefix_.empty() &&
      literal_prefix_.back() == '/') {
    literal_prefix_.pop_back();
  }
  size_t start = 0;
  while (true) {
    const size_t slash = pattern.find('/', start);
    const std::string_view piece =
        pattern.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                              : slash - start);
    Segment s;
    if (piece == "**") {
      s.kind = Segment::Kind::kAnySegments;
    } else if (piece.find('*') != std::string_view::npos) {
      s.kind = Segment::Kind::kWildcard;
      s.text = std::string(piece);
    } else {
      s.kind = Segment::Kind::kLiteral;
      s.text = std::string(piece);
    }
    // Consecutive "**" are one "**".
    if (!(s.kind == Segment::Kind::kAnySegments && !segments_.empty() &&
          segments_.back().kind == Segment::Kind::kAnySegments)) {
      segments_.push_back(std::move(s));
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
}

bool PathGlob::Matches(std::string_view path) const {
  if (segments_.empty()) return true;
  if (path.compare(0, literal_prefix_.size(), literal_prefix_) != 0) return false;
  const size_t query = path.find('?');
  if (query != std::string_view::npos) path = path.substr(0, query);
  // The wildcard algorithm over segments: "**" is the star, every other
  // pattern segment matches one path segment. Only the last "**" is ever
  // backtracked to (an earlier one could only take what the later one
  // takes), so this is O(pattern segments x path segments) however many
  // "**" there are. Path positions are segment starts; npos is past the end.
  constexpr size_t npos = std::string_view::npos;
  const auto after = [&](size_t pos) {
    const size_t slash = path.find('/', pos);
    return slash == npos ? npos : slash + 1;
  };
  size_t seg = 0;
  size_t pos = 0;
  size_t star = npos;  // index of the last "**" seen
  size_t mark = 0;     // where the path stood when it was seen (plus what it took)
  while (pos != npos) {
    if (seg < segments_.size() && segments_[seg].kind == Segment::Kind::kAnySegments) {
      star = seg++;
      mark = pos;
      continue;
    }
    if (seg < segments_.size()) {
      const size_t slash = path.find('/', pos);
      const std::string_view text = path.substr(pos, slash == npos ? npos : slash - pos);
      const Segment& s = segments_[seg];
      if (s.kind == Segment::Kind::kLiteral ? text == s.text : SegmentMatches(s.text, text)) {
        ++seg;
        pos = slash == npos ? npos : slash + 1;
        continue;
      }
    }
    if (star == npos) return false;
    // The last "**" takes one more path segment.
    seg = star + 1;
    mark = after(mark);
    pos = mark;
  }
  while (seg < segments_.size() && segments_[seg].kind == Segment::Kind::kAnySegments) ++seg;
  return seg == segments_.size();
}

// Classic '*' wildcard matching with single-star backtracking: linear in
// practice, never exponential.
bool PathGlob::SegmentMatches(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace pimsim
