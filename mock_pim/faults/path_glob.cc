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
  return MatchFrom(0, path, 0);
}

bool PathGlob::MatchFrom(size_t seg, std::string_view path, size_t pos) const {
  constexpr size_t npos = std::string_view::npos;
  for (; seg < segments_.size(); ++seg) {
    const Segment& s = segments_[seg];
    if (s.kind == Segment::Kind::kAnySegments) {
      if (seg + 1 == segments_.size()) return true;  // swallows the rest
      // Zero segments, then one more at a time.
      size_t p = pos;
      while (true) {
        if (MatchFrom(seg + 1, path, p)) return true;
        if (p == npos) return false;
        const size_t slash = path.find('/', p);
        p = slash == npos ? npos : slash + 1;
      }
    }
    if (pos == npos) return false;  // pattern has segments left, path has none
    const size_t slash = path.find('/', pos);
    const std::string_view text = path.substr(pos, slash == npos ? npos : slash - pos);
    if (s.kind == Segment::Kind::kLiteral) {
      if (text != s.text) return false;
    } else if (!SegmentMatches(s.text, text)) {
      return false;
    }
    pos = slash == npos ? npos : slash + 1;
  }
  return pos == npos;
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
