#include "common/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace pimsim::utf8 {
namespace {

std::string Valid(std::string_view s) {
  std::string out;
  AppendValidUtf8(s, &out);
  return out;
}

TEST(Utf8Test, WellFormedSequencesOfEveryLength) {
  EXPECT_EQ(NextUtf8Sequence("a").size, 1u);
  for (std::string_view s : {"\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
                             "\xef\xbf\xbd", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf"}) {
    const Utf8Sequence seq = NextUtf8Sequence(s);
    EXPECT_TRUE(seq.valid) << s;
    EXPECT_EQ(seq.size, s.size()) << s;
    EXPECT_EQ(Valid(s), s);
  }
}

TEST(Utf8Test, IllFormedSubpartsAreTheLongestValidPrefix) {
  struct Case {
    std::string_view bytes;
    size_t size;
  };
  for (const Case& c : {Case{"\x80", 1}, Case{"\xc0\xaf", 1}, Case{"\xc1\xbf", 1},
                        Case{"\xf5\x80", 1}, Case{"\xff", 1}, Case{"\xe0\x80\x80", 1},
                        Case{"\xed\xa0\x80", 1}, Case{"\xf0\x80", 1}, Case{"\xf4\x90", 1},
                        Case{"\xc3", 1}, Case{"\xe2\x82", 2}, Case{"\xe2\x82x", 2},
                        Case{"\xf0\x9f\x98", 3}, Case{"\xf0\x9f\x98z", 3}}) {
    const Utf8Sequence seq = NextUtf8Sequence(c.bytes);
    EXPECT_FALSE(seq.valid) << c.bytes;
    EXPECT_EQ(seq.size, c.size) << c.bytes;
  }
}

TEST(Utf8Test, ReplacesEachIllFormedSubpartOnce) {
  EXPECT_EQ(Valid(""), "");
  EXPECT_EQ(Valid("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(Valid("a\xffz"), "a\xef\xbf\xbdz");
  // A truncated 3-byte sequence is one subpart; the byte that broke it
  // starts the next.
  EXPECT_EQ(Valid("\xe2\x82\xc3\xa9"), "\xef\xbf\xbd\xc3\xa9");
  // A surrogate's bytes are three separate subparts.
  EXPECT_EQ(Valid("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(Valid("\xf0\x9f\x98"), "\xef\xbf\xbd");
}

}  // namespace
}  // namespace pimsim::utf8
