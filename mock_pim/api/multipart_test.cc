#include "mock_pim/api/multipart.h"

#include <string>

#include "gtest/gtest.h"

namespace pimsim::api {
namespace {

using std::string_literals::operator""s;

TEST(MultipartBoundaryTest, ReadsPlainAndQuotedBoundaries) {
  EXPECT_EQ(*MultipartBoundary("multipart/form-data; boundary=abc123"), "abc123");
  EXPECT_EQ(*MultipartBoundary("Multipart/Form-Data;boundary=\"a b:c\""), "a b:c");
  EXPECT_EQ(*MultipartBoundary("multipart/form-data; charset=utf-8; boundary=x"), "x");
  EXPECT_EQ(*MultipartBoundary("multipart/form-data; boundary=------------------------d74496d66958873e"),
            "------------------------d74496d66958873e");
}

TEST(MultipartBoundaryTest, RefusesOtherTypesAndBadBoundaries) {
  for (const char* bad :
       {"application/json", "multipart/mixed; boundary=x", "multipart/form-data",
        "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
        "multipart/form-data; boundary=\"x", "multipart/form-data; boundary=a{b",
        "multipart/form-data; boundary=\"ab \"", "multipart/form-data; boundary",
        "multipart/form-data; =x"}) {
    absl::StatusOr<std::string> b = MultipartBoundary(bad);
    EXPECT_FALSE(b.ok()) << bad;
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')).ok());
  EXPECT_TRUE(MultipartBoundary("multipart/form-data; boundary=" + std::string(70, 'a')).ok());
}

TEST(ParseMultipartTest, ReadsNamesFilenamesTypesAndExactBytes) {
  const std::string bytes = "\x89PNG\r\n\x1a\n\0\xff--B\r\n-"s;
  const std::string body =
      "--B\r\n"
      "Content-Disposition: form-data; name=\"product\"\r\n"
      "\r\n"
      "{\"identifier\":\"sku1\"}\r\n"
      "--B\r\n"
      "content-disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".png\"\r\n"
      "Content-Type: image/png\r\n"
      "X-Other: ignored\r\n"
      "\r\n" +
      bytes +
      "\r\n--B--\r\n"
      "epilogue, ignored";
  absl::StatusOr<std::vector<MultipartPart>> parts = ParseMultipart(body, "B");
  ASSERT_TRUE(parts.ok()) << parts.status();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "product");
  EXPECT_FALSE((*parts)[0].filename.has_value());
  EXPECT_EQ((*parts)[0].content_type, "");
  EXPECT_EQ((*parts)[0].body, "{\"identifier\":\"sku1\"}");
  const MultipartPart* file = FindPart(*parts, "file");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->filename, "a \"b\".png");
  EXPECT_EQ(file->content_type, "image/png");
  EXPECT_EQ(std::string(file->body), bytes);
  EXPECT_EQ(FindPart(*parts, "nope"), nullptr);
}

TEST(ParseMultipartTest, EmptyBodiesAndEmptyFilenames) {
  const std::string body =
      "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\n"
      "\r\n--B--";
  absl::StatusOr<std::vector<MultipartPart>> parts = ParseMultipart(body, "B");
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_EQ((*parts)[0].body, "");
  EXPECT_EQ((*parts)[0].filename, "");
}

struct BadCase {
  const char* what;
  std::string body;
};

TEST(ParseMultipartTest, RefusesMalformedBodies) {
  const std::string disposition = "Content-Disposition: form-data; name=\"a\"\r\n";
  const BadCase cases[] = {
      {"empty", ""},
      {"preamble", "preamble\r\n--B\r\n" + disposition + "\r\nx\r\n--B--"},
      {"no part", "--B--"},
      {"LF framing", "--B\n" + disposition + "\nx\n--B--"},
      {"no close delimiter", "--B\r\n" + disposition + "\r\nx"},
      {"unterminated part", "--B\r\n" + disposition + "\r\nx\r\n--B"},
      {"junk after delimiter", "--B\r\n" + disposition + "\r\nx\r\n--Bjunk\r\n"},
      {"headers never end", "--B\r\n" + disposition},
      {"no disposition", "--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--"},
      {"no headers", "--B\r\n\r\nx\r\n--B--"},
      {"not form-data", "--B\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--B--"},
      {"no name", "--B\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\nx\r\n--B--"},
      {"empty name", "--B\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--B--"},
      {"unquoted end", "--B\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--B--"},
      {"two dispositions", "--B\r\n" + disposition + disposition + "\r\nx\r\n--B--"},
      {"header without colon", "--B\r\n" + disposition + "junk\r\n\r\nx\r\n--B--"},
      {"header without name", "--B\r\n" + disposition + ": v\r\n\r\nx\r\n--B--"},
      {"bare LF in headers", "--B\r\nContent-Disposition: form-data;\nname=\"a\"\r\n\r\nx\r\n--B--"},
  };
  for (const BadCase& c : cases) {
    absl::StatusOr<std::vector<MultipartPart>> parts = ParseMultipart(c.body, "B");
    EXPECT_FALSE(parts.ok()) << c.what;
    EXPECT_EQ(parts.status().code(), absl::StatusCode::kInvalidArgument) << c.what;
  }
}

TEST(ParseMultipartTest, LimitsPartsAndHeaderBytes) {
  std::string body;
  for (int i = 0; i < 3; ++i) {
    body += "--B\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n";
  }
  body += "--B--";
  MultipartLimits limits;
  limits.max_parts = 3;
  EXPECT_TRUE(ParseMultipart(body, "B", limits).ok());
  limits.max_parts = 2;
  EXPECT_EQ(ParseMultipart(body, "B", limits).status().code(),
            absl::StatusCode::kResourceExhausted);
  limits = MultipartLimits();
  limits.max_header_bytes = 20;
  EXPECT_EQ(ParseMultipart(body, "B", limits).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(ParseMultipartTest, MessagesNameThePart) {
  const std::string body =
      "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n"
      "--B\r\nContent-Type: text/plain\r\n\r\ny\r\n--B--";
  EXPECT_EQ(ParseMultipart(body, "B").status().message(),
            "Malformed multipart body: part 2: no Content-Disposition header");
}

}  // namespace
}  // namespace pimsim::api
