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
  return MatchSegments(path);
}

bool PathGlob::MatchSegments(std::string_view path) const {
  constexpr size_t npos = std::string_view::npos;
  // Where the path segment after the one starting at `p` starts; npos past
  // the end.
  auto next = [path](size_t p) {
    const size_t slash = path.find('/', p);
    return slash == npos ? npos : slash + 1;
  };
  // Wildcard matching over segments, '**' as the star, with the classic
  // single backtracking point: on a mismatch only the last '**' takes one
  // more segment. The segments between two '**' are then matched at their
  // earliest place, which is all a match needs, so this takes at most
  // (pattern segments x path segments) steps where trying every split
  // between several '**' took exponential time.
  size_t seg = 0;
  size_t pos = 0;  // Start of the path segment to match next; npos: none left.
  size_t star = npos;  // The last '**' passed, and where the path resumed.
  size_t star_pos = 0;
  while (true) {
    if (seg < segments_.size() && segments_[seg].kind == Segment::Kind::kAnySegments) {
      if (seg + 1 == segments_.size()) return true;  // swallows the rest
      star = seg++;
      star_pos = pos;
      continue;
    }
    if (seg == segments_.size() && pos == npos) return true;
    if (seg < segments_.size() && pos != npos) {
      const Segment& s = segments_[seg];
      const size_t end = path.find('/', pos);
      const std::string_view text = path.substr(pos, end == npos ? npos : end - pos);
      if (s.kind == Segment::Kind::kLiteral ? text == s.text : SegmentMatches(s.text, text)) {
        ++seg;
        pos = next(pos);
        continue;
      }
    }
    if (star == npos || star_pos == npos) return false;
    star_pos = next(star_pos);
    pos = star_pos;
    seg = star + 1;
  }
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
