#include "report/internal/escape.h"

#include <cstdint>

namespace pimsim::report::internal {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// Decodes one UTF-8 sequence at text[*pos], advancing *pos. Returns -1 for an
// invalid sequence (overlong, surrogate, out of range or truncated), after
// consuming one byte.
int32_t DecodeUtf8(absl::string_view text, size_t* pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = byte(*pos);
  int length;
  int32_t code;
  int32_t min;
  if (lead < 0x80) {
    ++*pos;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, code = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code = lead & 0x07, min = 0x10000;
  } else {
    ++*pos;
    return -1;
  }
  if (*pos + length > text.size()) {
    ++*pos;
    return -1;
  }
  for (int i = 1; i < length; ++i) {
    const uint8_t next = byte(*pos + i);
    if ((next & 0xC0) != 0x80) {
      ++*pos;
      return -1;
    }
    code = (code << 6) | (next & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
    ++*pos;
    return -1;
  }
  *pos += length;
  return code;
}

enum class Mode { kXmlText, kXmlAttribute, kTerminal };

std::string Escape(absl::string_view text, Mode mode) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    const int32_t code = DecodeUtf8(text, &pos);
    if (code < 0) {
      out += kReplacement;
      continue;
    }
    if (mode == Mode::kTerminal) {
      if (code == '\t' || code == '\n' || code == '\r') {
        out += ' ';
      } else if (code < 0x20 || (code >= 0x7F && code <= 0x9F)) {
        // Dropped: ESC, BEL, backspace, CSI and friends.
      } else {
        out.append(text.data() + start, pos - start);
      }
      continue;
    }
    switch (code) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
      case '\r':
        if (mode == Mode::kXmlAttribute) {
          out += "&#" + std::to_string(code) + ";";
        } else {
          out += static_cast<char>(code);
        }
        break;
      default:
        if (code < 0x20 || (code >= 0x7F && code <= 0x9F) || code == 0xFFFE ||
            code == 0xFFFF) {
          break;
        }
        out.append(text.data() + start, pos - start);
    }
  }
  return out;
}

}  // namespace

std::string EscapeXml(absl::string_view text) {
  return Escape(text, Mode::kXmlText);
}

std::string EscapeXmlAttribute(absl::string_view text) {
  return Escape(text, Mode::kXmlAttribute);
}

std::string SanitizeForTerminal(absl::string_view text) {
  return Escape(text, Mode::kTerminal);
}

}  // namespace pimsim::report::internal
