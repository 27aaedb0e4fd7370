#include "common/utf8.h"

#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"

namespace pimsim {
namespace {

const std::string kFffd(kUtf8Replacement);

TEST(Utf8Test, AcceptsWellFormedText) {
  for (const std::string s : {"", "plain ascii, longer than one word", "h\xc3\xa9llo",
                              "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf",
                              "\xef\xbf\xbd"}) {
    EXPECT_TRUE(IsValidUtf8(s)) << s;
    EXPECT_EQ(ToValidUtf8(s), s);
  }
}

TEST(Utf8Test, RejectsIllFormedText) {
  for (const std::string s : {"\xff", "\x80", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80",
                              "\xf0\x80\x80\xaf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x82",
                              "0123456789\xc3", "\xc3(", "abcdefgh\xffijklmnop"}) {
    EXPECT_FALSE(IsValidUtf8(s)) << s;
    EXPECT_TRUE(IsValidUtf8(ToValidUtf8(s))) << s;
  }
}

TEST(Utf8Test, ReplacesEachMaximalSubpartWithOneReplacementCharacter) {
  // The example of Table 3-8 in the Unicode Standard, chapter 3.9.
  EXPECT_EQ(ToValidUtf8("\x61\xf1\x80\x80\xe1\x80\xc2\x62\x80\x63\x80\xbf\x64"),
            "a" + kFffd + kFffd + kFffd + "b" + kFffd + "c" + kFffd + kFffd + "d");
  EXPECT_EQ(ToValidUtf8("\xe2\x82"), kFffd);                  // truncated at the end
  EXPECT_EQ(ToValidUtf8("\xe0\x80\x80"), kFffd + kFffd + kFffd);  // overlong
  EXPECT_EQ(ToValidUtf8("\xed\xa0\x80"), kFffd + kFffd + kFffd);  // surrogate
  EXPECT_EQ(ToValidUtf8("x\xff\xfe"), "x" + kFffd + kFffd);
}

// The same repair as nlohmann::json's error_handler_t::replace, so hand-built
// and DOM-built JSON agree.
TEST(Utf8Test, RepairsLikeNlohmannReplace) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> length(0, 12);
  // Bytes JSON does not escape, weighted towards the interesting ones.
  std::uniform_int_distribution<int> byte(0, 9);
  const unsigned char kBytes[] = {'a', 0x80, 0xbf, 0xa0, 0x90, 0xc2, 0xe0, 0xed, 0xf0, 0xf4};
  for (int round = 0; round < 20000; ++round) {
    std::string s;
    for (int n = length(rng); n > 0; --n) {
      const int pick = byte(rng);
      unsigned char c = pick == 0 ? 0x20 + rng() % 0x60 + 0x80 * (rng() % 2) : kBytes[pick];
      if (c == '"' || c == '\\') c = 'a';
      s.push_back(static_cast<char>(c));
    }
    std::string dumped = nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    ASSERT_EQ("\"" + ToValidUtf8(s) + "\"", dumped) << testing::PrintToString(s);
  }
}

TEST(Utf8Test, PrefixNeverCutsACharacter) {
  const std::string s = "ab\xe2\x82\xac" "c";  // a b EURO c
  EXPECT_EQ(ValidUtf8Prefix(s, 10), s);
  EXPECT_EQ(ValidUtf8Prefix(s, 6), s);
  EXPECT_EQ(ValidUtf8Prefix(s, 5), "ab\xe2\x82\xac");
  EXPECT_EQ(ValidUtf8Prefix(s, 4), "ab");
  EXPECT_EQ(ValidUtf8Prefix(s, 3), "ab");
  EXPECT_EQ(ValidUtf8Prefix(s, 2), "ab");
  EXPECT_EQ(ValidUtf8Prefix(s, 0), "");
}

}  // namespace
}  // namespace pimsim
