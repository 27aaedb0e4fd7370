#include "common/hex.h"

#include "common/fnv.h"
#include "gtest/gtest.h"

namespace pimsim {
namespace {

TEST(HexTest, DigitValues) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('/'), -1);
}

TEST(HexTest, SixteenDigitsRoundTrip) {
  EXPECT_EQ(Hex16(0x1), "0000000000000001");
  EXPECT_EQ(Hex16(0x85944171f73967e8ULL), "85944171f73967e8");
  uint64_t v = 0;
  ASSERT_TRUE(ParseHex16("85944171f73967e8", &v));
  EXPECT_EQ(v, 0x85944171f73967e8ULL);
  EXPECT_FALSE(ParseHex16("85944171F73967E8", &v));  // not what Hex16 writes
  EXPECT_FALSE(ParseHex16("85944171f73967e", &v));
  EXPECT_FALSE(ParseHex16("85944171f73967e8 ", &v));
  EXPECT_FALSE(ParseHex16("85944171f73967eg", &v));
}

TEST(FnvTest, MatchesReferenceVectorsAndChains) {
  // From the FNV reference test suite.
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
  EXPECT_EQ(Fnv1a64("bar", Fnv1a64("foo")), Fnv1a64("foobar"));
}

TEST(HexTest, BytesRoundTripAsLowercaseDigitPairs) {
  EXPECT_EQ(HexEncode(std::string_view("\x01\xff\x00z", 4)), "01ff007a");
  std::string bytes;
  ASSERT_TRUE(HexDecode("01ff007a", &bytes));
  EXPECT_EQ(bytes, std::string_view("\x01\xff\x00z", 4));
  EXPECT_TRUE(HexDecode("", &bytes));
  EXPECT_EQ(bytes, "");
  EXPECT_FALSE(HexDecode("0", &bytes));     // odd
  EXPECT_FALSE(HexDecode("0G", &bytes));    // not a digit
  EXPECT_FALSE(HexDecode("01FF", &bytes));  // HexEncode writes lower case only
}

}  // namespace
}  // namespace pimsim
