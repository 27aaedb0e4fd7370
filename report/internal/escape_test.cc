#include "report/internal/escape.h"

#include <string>

#include "gtest/gtest.h"

namespace pimsim::report::internal {
namespace {

TEST(EscapeXmlTest, EscapesMarkupCharacters) {
  EXPECT_EQ(EscapeXml("a < b && c > \"d\" 'e'"),
            "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
}

TEST(EscapeXmlTest, KeepsWhitespaceInTextAndEncodesItInAttributes) {
  EXPECT_EQ(EscapeXml("a\tb\nc\rd"), "a\tb\nc\rd");
  EXPECT_EQ(EscapeXmlAttribute("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
}

TEST(EscapeXmlTest, DropsCharactersXmlForbids) {
  EXPECT_EQ(EscapeXml(std::string("a\0b\x01\x1b[31mc\x7f", 11)), "ab[31mc");
  EXPECT_EQ(EscapeXml("a\xC2\x9B"
                      "b"),
            "ab");                                             // C1 CSI
  EXPECT_EQ(EscapeXml("x\xEF\xBF\xBEy\xEF\xBF\xBFz"), "xyz");  // U+FFFE, U+FFFF
}

TEST(EscapeXmlTest, KeepsValidUtf8) {
  EXPECT_EQ(EscapeXml("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
}

TEST(EscapeXmlTest, ReplacesInvalidUtf8) {
  EXPECT_EQ(EscapeXml("a\xFF"
                      "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(EscapeXml("\xC3"), "\xEF\xBF\xBD");                  // truncated
  EXPECT_EQ(EscapeXml("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(EscapeXml("\xED\xA0\x80").find("\xED"),
            std::string::npos);  // surrogate
}

TEST(SanitizeForTerminalTest, DropsControlSequencesAndFlattensLines) {
  EXPECT_EQ(SanitizeForTerminal("\x1b[2Jred\x07\nnext\tcol"),
            "[2Jred next col");
  EXPECT_EQ(SanitizeForTerminal("\xC2\x9B"
                                "31m"),
            "31m");  // C1 CSI
  EXPECT_EQ(SanitizeForTerminal("<&>"), "<&>");
}

}  // namespace
}  // namespace pimsim::report::internal
