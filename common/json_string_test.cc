#include "common/json_string.h"

#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"

namespace pimsim {
namespace {

std::string Dump(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', /*ensure_ascii=*/false,
                                nlohmann::json::error_handler_t::replace);
}

TEST(JsonStringTest, EscapesLikeNlohmannDump) {
  for (const std::string s : {"plain", "q\"b\\s/", "\n\r\t\b\f", "\x01\x1f\x7f", "h\xc3\xa9llo", ""}) {
    std::string out;
    AppendJsonString(s, &out);
    EXPECT_EQ(out, Dump(s)) << s;
  }
}

TEST(JsonStringTest, ReplacesInvalidUtf8SoTheResultParses) {
  std::string out;
  AppendJsonString("\"\xff\" in \"Content-Type\"", &out);
  EXPECT_EQ(out, "\"\\\"\xef\xbf\xbd\\\" in \\\"Content-Type\\\"\"");
  EXPECT_FALSE(nlohmann::json::parse(out, nullptr, false).is_discarded());
}

TEST(JsonStringTest, AgreesWithNlohmannOnArbitraryBytes) {
  std::mt19937 rng(11);
  for (int round = 0; round < 20000; ++round) {
    std::string s(rng() % 10, '\0');
    for (char& c : s) c = static_cast<char>(rng());
    std::string out;
    AppendJsonString(s, &out);
    ASSERT_EQ(out, Dump(s)) << testing::PrintToString(s);
  }
}

}  // namespace
}  // namespace pimsim
