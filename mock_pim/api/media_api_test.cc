// Media files and category media files through Api::Handle: multipart
// uploads onto product and product model values, the list, the metadata and
// downloads of the exact bytes.
#include <string>

#include "gtest/gtest.h"
#include "mock_pim/api/api_fixture.h"
#include "mock_pim/api/json_util.h"
#include "mock_pim/api/str_util.h"

namespace pimsim::api {
namespace {

using std::string_literals::operator""s;

constexpr char kMedia[] = "/api/rest/v1/media-files";
constexpr char kBoundary[] = "------------------------d74496d66958873e";

// A multipart/form-data body of (name, filename or "", content type or "",
// bytes) parts.
struct Part {
  std::string name, filename, type, bytes;
};
std::string Multipart(const std::vector<Part>& parts) {
  std::string out;
  for (const Part& p : parts) {
    Append(&out, "--", kBoundary, "\r\nContent-Disposition: form-data; name=\"", p.name, "\"");
    if (!p.filename.empty()) Append(&out, "; filename=\"", p.filename, "\"");
    out += "\r\n";
    if (!p.type.empty()) Append(&out, "Content-Type: ", p.type, "\r\n");
    Append(&out, "\r\n", p.bytes, "\r\n");
  }
  Append(&out, "--", kBoundary, "--\r\n");
  return out;
}

// Bytes no text or JSON path would keep: NUL, CR LF, invalid UTF-8, and
// a prefix of the delimiter (the whole one may not appear in a part).
const std::string kPng = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\xff\xfe\r\n--"s +
                         std::string(kBoundary).substr(0, 20) + "\r\n";

class MediaApiTest : public ApiFixture {
 protected:
  void SetUp() override {
    Build("/inst", 3);
    ASSERT_EQ(Call("POST", "/api/rest/v1/attributes",
                   R"({"code":"picture","type":"pim_catalog_image","group":"other"})")
                  .status,
              201);
    ASSERT_EQ(Call("POST", "/api/rest/v1/attributes",
                   R"({"code":"manual","type":"pim_catalog_file","group":"other",)"
                   R"("localizable":true,"scopable":true})")
                  .status,
              201);
  }

  ApiResponse Upload(const std::vector<Part>& parts) {
    return Call("POST", kMedia, Multipart(parts),
                Cat("multipart/form-data; boundary=", kBoundary));
  }
  static Part Product(std::string json) { return {"product", "", "", std::move(json)}; }
  static Part File(std::string bytes, std::string name = "shoe 1.png",
                   std::string type = "image/png") {
    return {"file", std::move(name), std::move(type), std::move(bytes)};
  }
  // The code of a 201 upload, from its Location.
  static std::string CodeOf(const ApiResponse& r) {
    const std::string path = "/inst/api/rest/v1/media-files/";
    const size_t at = r.location.find(path);
    EXPECT_NE(at, std::string::npos) << r.location;
    return at == std::string::npos ? "" : r.location.substr(at + path.size());
  }
  // A link's target without the instance prefix, as Get takes it.
  static std::string Unprefixed(const std::string& href) {
    EXPECT_EQ(href.rfind("/inst/", 0), 0u) << href;
    return href.substr(5);
  }
  ApiResponse CallAt(std::string_view method, std::string_view target) {
    ApiRequest req;
    req.method = method;
    req.path = target.substr(0, target.find('?'));
    req.query = target.find('?') == std::string_view::npos ? "" : target.substr(target.find('?') + 1);
    req.origin = "http://pim.test";
    req.connection = "pimsim";
    return api_->Handle(req, Now());
  }
};

TEST_F(MediaApiTest, UploadSetsTheValueAndDownloadGivesTheExactBytes) {
  ApiRequest req;
  const std::string body =
      Multipart({Product(R"({"identifier":"product_000001","attribute":"picture","scope":null,"locale":null})"),
                 File(kPng)});
  req.method = "POST";
  req.path = kMedia;
  const std::string content_type = Cat("multipart/form-data; boundary=", kBoundary);
  req.content_type = content_type;
  req.body = body;
  req.origin = "http://pim.test";
  const ApiResponse r = api_->Handle(req, Now());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.body, "");
  const std::string code = CodeOf(r);
  // Akeneo's layout: four one-character folders, 40 hex, the sanitized name.
  ASSERT_EQ(code.size(), 8 + 40 + 1 + std::string("shoe_1.png").size()) << code;
  EXPECT_EQ(code[1], '/');
  EXPECT_EQ(code.substr(49), "shoe_1.png");

  const ApiResponse download = CallAt("GET", Cat(kMedia, "/", code, "/download"));
  EXPECT_EQ(download.status, 200);
  EXPECT_EQ(download.content_type, "image/png");
  EXPECT_EQ(download.body.size(), kPng.size());
  EXPECT_TRUE(download.body == kPng);

  const Json product = GetJson("/api/rest/v1/products/product_000001");
  EXPECT_EQ(product["values"]["picture"],
            Json::parse(Cat(R"([{"locale":null,"scope":null,"data":")", code, "\"}]")));

  const Json meta = Body(CallAt("GET", Cat(kMedia, "/", code)));
  EXPECT_EQ(meta["code"], code);
  EXPECT_EQ(meta["original_filename"], "shoe 1.png");
  EXPECT_EQ(meta["mime_type"], "image/png");
  EXPECT_EQ(meta["size"], kPng.size());
  EXPECT_EQ(meta["extension"], "png");
  EXPECT_EQ(meta["_links"]["self"]["href"], r.location);
  EXPECT_EQ(meta["_links"]["download"]["href"], r.location + "/download");
  EXPECT_EQ(meta.begin().key(), "_links");
}

TEST_F(MediaApiTest, ProductModelsAndLocalizedScopedValues) {
  const Json models = GetJson("/api/rest/v1/product-models?limit=1");
  ASSERT_EQ(models["_embedded"]["items"].size(), 1u) << "a seeded model";
  const std::string pm = models["_embedded"]["items"][0]["code"];
  // The attribute joins the model's family first, as Akeneo requires.
  const std::string family = models["_embedded"]["items"][0]["family"];
  Json attributes = GetJson(Cat("/api/rest/v1/families/", family))["attributes"];
  attributes.push_back("picture");
  ASSERT_EQ(Call("PATCH", Cat("/api/rest/v1/families/", family),
                 DumpJson(Json::object({{"attributes", attributes}})))
                .status,
            204);
  ApiResponse r = Upload({{"product_model", "", "", Cat(R"({"code":")", pm, R"(","attribute":"picture"})")},
                          File("GIF89a", "a.gif", "image/gif")});
  ASSERT_EQ(r.status, 201) << r.body;
  const Json model = GetJson(Cat("/api/rest/v1/product-models/", pm));
  EXPECT_EQ(model["values"]["picture"][0]["data"], CodeOf(r));

  r = Upload({Product(R"({"identifier":"product_000002","attribute":"manual",)"
                      R"("scope":"ecommerce","locale":"en_US"})"),
              File("%PDF-1.4", "manual.pdf", "application/pdf")});
  ASSERT_EQ(r.status, 201) << r.body;
  const Json product = GetJson("/api/rest/v1/products/product_000002");
  EXPECT_EQ(product["values"]["manual"][0]["locale"], "en_US");
  EXPECT_EQ(product["values"]["manual"][0]["scope"], "ecommerce");
}

TEST_F(MediaApiTest, ListsPagesWithDownloadLinks) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Upload({Product(R"({"identifier":"product_000001","attribute":"picture"})"),
                      File(std::string(i + 1, 'x'), Cat("f", i, ".jpg"), "")})
                  .status,
              201);
  }
  const Json page = GetJson(Cat(kMedia, "?limit=2&with_count=true"));
  EXPECT_EQ(page["items_count"], 3);
  ASSERT_EQ(page["_embedded"]["items"].size(), 2u);
  const Json& item = page["_embedded"]["items"][0];
  EXPECT_EQ(item["_links"]["download"]["href"],
            item["_links"]["self"]["href"].get<std::string>() + "/download");
  EXPECT_EQ(item["mime_type"], "application/octet-stream");
  EXPECT_TRUE(page["_links"].contains("next"));
  EXPECT_EQ(GetJson(Unprefixed(page["_links"]["next"]["href"]))["_embedded"]["items"].size(), 1u);
  ExpectError(Get(Cat(kMedia, "?limit=101")), 422, "You cannot request more than 100 items.");
}

TEST_F(MediaApiTest, RefusalsStoreNothing) {
  const Part ok_product = Product(R"({"identifier":"product_000001","attribute":"picture"})");
  ExpectError(Upload({ok_product}), 422, "Property \"file\" is required.");
  ExpectError(Upload({ok_product, {"file", "", "", "x"}}), 422, "Property \"file\" is required.");
  ExpectError(Upload({File("x")}), 422,
              "You should give either a \"product\" or a \"product_model\" key.");
  ExpectError(Upload({ok_product, {"product_model", "", "", "{}"}, File("x")}), 422,
              "You should give either a \"product\" or a \"product_model\" key.");
  ExpectError(Upload({Product("{"), File("x")}), 400, "Invalid json message received");
  ExpectError(Upload({Product(R"({"attribute":"picture"})"), File("x")}), 422,
              "Property \"identifier\" is required.");
  ExpectError(Upload({Product(R"({"identifier":"product_000001"})"), File("x")}), 422,
              "Property \"attribute\" is required.");
  ExpectError(Upload({Product(R"({"identifier":"nope","attribute":"picture"})"), File("x")}),
              422, "Product \"nope\" does not exist.");
  ExpectError(Upload({Product(R"({"identifier":"product_000001","attribute":"name"})"), File("x")}),
              422,
              "The attribute \"name\" is not a media attribute (pim_catalog_image or "
              "pim_catalog_file).");
  // The product's own validation: a scope the attribute does not take.
  EXPECT_EQ(Upload({Product(R"({"identifier":"product_000001","attribute":"picture",)"
                            R"("scope":"ecommerce"})"),
                    File("x")})
                .status,
            422);
  EXPECT_EQ(Upload({Product(R"({"identifier":"product_000001","attribute":"unknown"})"),
                    File("x")})
                .status,
            422);
  // Framing and content type.
  ExpectError(Call("POST", kMedia, "junk", Cat("multipart/form-data; boundary=", kBoundary)),
              400, "Malformed multipart body: it does not start with the boundary");
  ExpectError(Call("POST", kMedia, "x", "multipart/form-data"), 400,
              "The multipart/form-data boundary is missing.");
  EXPECT_EQ(Call("POST", kMedia, "{}", "application/json").status, 415);
  EXPECT_EQ(GetJson(Cat(kMedia, "?with_count=true"))["items_count"], 0);
  EXPECT_FALSE(GetJson("/api/rest/v1/products/product_000001")["values"].contains("picture"));
}

TEST_F(MediaApiTest, UnknownFilesAre404AndDownloadsAcceptAnything) {
  ExpectError(Get(Cat(kMedia, "/a/b/c/d/nope.png")), 404,
              "Media file \"a/b/c/d/nope.png\" does not exist.");
  ExpectError(Get(Cat(kMedia, "/a/b/c/d/nope.png/download")), 404,
              "Media file \"a/b/c/d/nope.png\" does not exist.");
  const ApiResponse r = Upload({Product(R"({"identifier":"product_000001","attribute":"picture"})"),
                                File("bytes", "x.txt", "text/plain")});
  const std::string code = CodeOf(r);
  EXPECT_EQ(Get(Cat(kMedia, "/", code, "/download"), "image/*").status, 200);
  EXPECT_EQ(Get(Cat(kMedia, "/", code), "image/*").status, 406);
  EXPECT_EQ(Call("DELETE", Cat(kMedia, "/", code)).status, 405);
}

TEST_F(MediaApiTest, CategoryMediaFilesUploadAndDownload) {
  const std::string content_type = Cat("multipart/form-data; boundary=", kBoundary);
  ApiResponse r = Call(
      "POST", "/api/rest/v1/category-media-files",
      Multipart({{"category", "", "",
                  R"({"code":"master","attribute_code":"banner","channel":null,"locale":null})"},
                 File(kPng, "banner.png")}),
      content_type);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string prefix = "/inst/api/rest/v1/category-media-files/";
  ASSERT_EQ(r.location.rfind(prefix, 0), 0u) << r.location;
  ASSERT_TRUE(EndsWith(r.location, "/download")) << r.location;
  const ApiResponse d = Get(Unprefixed(r.location));
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.content_type, "image/png");
  EXPECT_TRUE(d.body == kPng);
  ExpectError(Call("POST", "/api/rest/v1/category-media-files",
                   Multipart({{"category", "", "", R"({"code":"nope","attribute_code":"a"})"},
                              File("x")}),
                   content_type),
              422, "Category \"nope\" does not exist.");
  ExpectError(Call("POST", "/api/rest/v1/category-media-files", Multipart({File("x")}),
                   content_type),
              422, "Property \"category\" is required.");
  // Category files are not product media files.
  EXPECT_EQ(GetJson(Cat(kMedia, "?with_count=true"))["items_count"], 0);
}

}  // namespace
}  // namespace pimsim::api
