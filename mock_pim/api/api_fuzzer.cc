// Fuzzes the Akeneo API core through Api::Handle: routing, query parameters
// (pagination, `search`), content negotiation, JSON validation, the PATCH
// merge rules, batch PATCH and the error answers, against a small seeded
// catalogue that is as seeded at the start of every input (so each input
// replays alone).
//
// Input: up to 8 requests separated by a line "=====". Each request is
//   METHOD TARGET
//   Content-Type: ...      (optional header lines, up to an empty line)
//   Accept: ...
//
//   body
// TARGET is the path with an optional "?query", as the HTTP shell hands it
// over.
//
// Properties: statuses are HTTP statuses; every body but a media file
// download is JSON (one document per line for the collection type) and an
// error body carries its status as "code"; 204 has no body; 405 says what is
// allowed; a write answered 201 or 204 with a Location can be read back from
// there.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "bazel/fuzz_check.h"
#include "mock_pim/api/api.h"
#include "mock_pim/api/json_util.h"
#include "proto/scenario.pb.h"

namespace pimsim::api {
namespace {

constexpr std::string_view kSeparator = "\n=====\n";
constexpr size_t kMaxRequests = 8;
const absl::Time kNow = absl::FromUnixSeconds(1717243200);  // 2024-06-01

Api& TheApi() {
  static Api* api = [] {
    pimsim::v1::SeedData seed;
    seed.set_products(6);
    seed.set_families(2);
    seed.set_attributes(9);  // One of each type, and "name_2".
    seed.set_options_per_select(3);
    seed.set_categories(4);
    return Api::Create("", seed, /*rng_seed=*/42)->release();
  }();
  return *api;
}

struct Request {
  std::string_view method, path, query, content_type, accept, body;
};

std::string_view NextLine(std::string_view* text) {
  const size_t nl = text->find('\n');
  const std::string_view line = text->substr(0, nl);
  text->remove_prefix(nl == std::string_view::npos ? text->size() : nl + 1);
  return line;
}

Request ParseRequest(std::string_view text) {
  Request r;
  const std::string_view line = NextLine(&text);
  const size_t sp = line.find(' ');
  r.method = line.substr(0, sp);
  const std::string_view target =
      sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  const size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string_view::npos) r.query = target.substr(q + 1);
  while (!text.empty()) {
    const std::string_view header = NextLine(&text);
    if (header.empty()) break;
    const size_t colon = header.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = header.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    const std::string_view name = header.substr(0, colon);
    if (name == "Content-Type") r.content_type = value;
    if (name == "Accept") r.accept = value;
  }
  r.body = text;
  return r;
}

ApiResponse Call(const Request& r) {
  ApiRequest req;
  req.method = r.method;
  req.path = r.path;
  req.query = r.query;
  req.content_type = r.content_type;
  req.accept = r.accept;
  req.body = r.body;
  req.connection = "pimsim";
  req.username = "admin";
  return TheApi().Handle(req, kNow);
}

void CheckJsonDocument(std::string_view text, int status) {
  const std::optional<Json> doc = ParseJson(text);
  FUZZ_CHECK(doc.has_value());
  if (status >= 400) {
    FUZZ_CHECK(doc->is_object());
    FUZZ_CHECK(doc->contains("code") && (*doc)["code"] == status);
    FUZZ_CHECK(doc->contains("message") && (*doc)["message"].is_string());
  }
}

void CheckResponse(const Request& r, const ApiResponse& resp) {
  FUZZ_CHECK(resp.status >= 200 && resp.status <= 599);
  if (resp.status == 204) FUZZ_CHECK(resp.body.empty());
  if (resp.status == 405) FUZZ_CHECK(!resp.allow.empty());
  if (!resp.body.empty()) {
    FUZZ_CHECK(!resp.content_type.empty());
    if (resp.content_type == kCollectionContentType) {
      std::string_view rest = resp.body;
      while (!rest.empty()) {
        const std::optional<Json> line = ParseJson(NextLine(&rest));
        FUZZ_CHECK(line.has_value() && line->is_object());
        FUZZ_CHECK(line->contains("line") && line->contains("status_code"));
      }
    } else if (resp.status == 200 && ParseRoute(r.method, r.path).download) {
      // A media file's bytes, with its own type.
    } else {
      FUZZ_CHECK(resp.content_type == kJsonContentType);
      CheckJsonDocument(resp.body, resp.status);
    }
  }
  if ((resp.status == 201 || resp.status == 204) && !resp.location.empty() &&
      r.method != "DELETE") {
    Request get;
    get.method = "GET";
    get.path = resp.location;
    const ApiResponse got = Call(get);
    FUZZ_CHECK(got.status == 200);
  }
}

}  // namespace
}  // namespace pimsim::api

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pimsim::api;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // Re-seeding costs more than most inputs: only after an input that may
  // have written (GET never does).
  static bool dirty = true;
  if (dirty) TheApi().Reset();
  dirty = false;
  for (size_t i = 0; i < kMaxRequests && !input.empty(); ++i) {
    const size_t sep = input.find(kSeparator);
    const Request r = ParseRequest(input.substr(0, sep));
    input.remove_prefix(sep == std::string_view::npos ? input.size() : sep + kSeparator.size());
    if (r.method != "GET") dirty = true;
    CheckResponse(r, Call(r));
  }
  return 0;
}
