#include "client/testing/fake_pim.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace pimsim::client::testing {
namespace {

constexpr absl::string_view kProducts = "/api/rest/v1/products";

HttpResponse Json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("content-type", "application/json");
  if (!body.is_null()) r.body = body.dump();
  return r;
}

std::string QueryValue(absl::string_view query, absl::string_view key) {
  for (absl::string_view kv : absl::StrSplit(query, '&')) {
    if (absl::StartsWith(kv, absl::StrCat(key, "="))) return std::string(kv.substr(key.size() + 1));
  }
  return "";
}

}  // namespace

FakePim::FakePim(Scheduler& scheduler, absl::Duration latency)
    : scheduler_(scheduler), latency_(latency) {}

std::vector<FakePim::Sent> FakePim::Requests(const std::string& method,
                                             const std::string& prefix) const {
  std::vector<Sent> out;
  for (const Sent& s : log_) {
    if (s.method == method && absl::StartsWith(s.path, prefix)) out.push_back(s);
  }
  return out;
}

void FakePim::Send(HttpRequest request, std::function<void(HttpResponse)> done) {
  const uint64_t index = log_.size();
  Sent s;
  s.sent = scheduler_.Now();
  s.method = request.method;
  s.path = absl::StartsWith(request.url, kBaseUrl) ? request.url.substr(sizeof(kBaseUrl) - 1)
                                                    : request.url;
  s.body = request.body;
  for (const auto& [k, v] : request.headers) {
    if (k == "Authorization") s.authorization = v;
  }
  log_.push_back(s);
  ++in_flight_;
  max_in_flight_ = std::max(max_in_flight_, in_flight_);
  std::optional<Fault> fault;
  if (fault_) fault = fault_(request, index);
  HttpResponse response;
  absl::Duration latency = latency_;
  if (fault) {
    if (fault->apply) Answer(request, s.path);
    response.status = fault->status;
    response.headers = fault->headers;
    response.error = fault->error;
    if (fault->latency > absl::ZeroDuration()) latency = fault->latency;
  } else {
    response = Answer(request, s.path);
  }
  if (response.error == TransportError::kTimeout) latency = request.timeout;
  scheduler_.RunAt(scheduler_.Now() + latency,
                   [this, index, response = std::move(response), done = std::move(done)]() mutable {
                     --in_flight_;
                     log_[index].answered = scheduler_.Now();
                     log_[index].status = response.status;
                     log_[index].error = response.error;
                     done(std::move(response));
                   });
}

HttpResponse FakePim::Token(const HttpRequest& r) {
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Json(400, {{"message", "bad body"}});
  const std::string grant = j.value("grant_type", "");
  if (grant == "refresh_token") {
    const std::string ref = j.value("refresh_token", "");
    if (!refresh_tokens_.erase(ref)) return Json(422, {{"message", "bad refresh token"}});
  } else if (grant != "password") {
    return Json(422, {{"message", "bad grant"}});
  }
  ++tokens_issued_;
  const std::string token = absl::StrCat("token-", tokens_issued_);
  const std::string refresh = absl::StrCat("refresh-", tokens_issued_);
  valid_tokens_[token] = scheduler_.Now() + token_lifetime_;
  refresh_tokens_.insert(refresh);
  return Json(200, {{"access_token", token},
                    {"expires_in", absl::ToInt64Seconds(token_lifetime_)},
                    {"token_type", "bearer"},
                    {"refresh_token", refresh}});
}

HttpResponse FakePim::Answer(const HttpRequest& r, const std::string& full_path) {
  const size_t q = full_path.find('?');
  const std::string path = full_path.substr(0, q);
  const std::string query = q == std::string::npos ? "" : full_path.substr(q + 1);
  if (path == "/api/oauth/v1/token") return Token(r);
  std::string auth;
  for (const auto& [k, v] : r.headers) {
    if (k == "Authorization") auth = v;
  }
  const std::string token = absl::StartsWith(auth, "Bearer ") ? auth.substr(7) : "";
  auto it = valid_tokens_.find(token);
  if (it == valid_tokens_.end() || it->second <= scheduler_.Now()) {
    return Json(401, {{"code", 401}, {"message", "The access token provided is invalid."}});
  }
  if (path == "/api/rest/v1/channels" && r.method == "GET") {
    return Json(200, {{"_embedded", {{"items", {{{"code", "ecommerce"}}}}}}});
  }
  if (path == kProducts && r.method == "PATCH") {
    ++batches_;
    std::string out;
    int n = 0;
    for (absl::string_view line : absl::StrSplit(r.body, '\n')) {
      ++n;
      nlohmann::json p = nlohmann::json::parse(line, nullptr, false);
      const std::string id = p.is_object() ? p.value("identifier", "") : "";
      int status = line_hook_ ? line_hook_(id, batches_) : 0;
      nlohmann::json res = {{"line", n}, {"identifier", id}};
      if (status == 0) {
        if (id.empty() || (p.contains("values") && p["values"].is_string())) {
          status = 422;
          res["message"] = "Validation failed.";
        } else {
          status = products_.count(id) ? 204 : 201;
          products_[id] = std::string(line);
        }
      }
      res["status_code"] = status;
      if (!out.empty()) out += "\n";
      out += res.dump();
    }
    HttpResponse resp;
    resp.status = 200;
    resp.body = out;
    return resp;
  }
  if (absl::StartsWith(path, absl::StrCat(kProducts, "/"))) {
    const std::string id = path.substr(kProducts.size() + 1);
    if (r.method == "GET") {
      auto p = products_.find(id);
      if (p == products_.end()) return Json(404, {{"code", 404}, {"message", "not found"}});
      return Json(200, nlohmann::json::parse(p->second));
    }
    if (r.method == "PATCH") {
      const bool created = !products_.count(id);
      products_[id] = r.body;
      return Json(created ? 201 : 204, nullptr);
    }
  }
  if (path == kProducts && r.method == "POST") {
    nlohmann::json p = nlohmann::json::parse(r.body, nullptr, false);
    const std::string id = p.is_object() ? p.value("identifier", "") : "";
    if (id.empty()) return Json(422, {{"message", "no identifier"}});
    if (products_.count(id)) return Json(422, {{"message", "already exists"}});
    products_[id] = r.body;
    return Json(201, nullptr);
  }
  if (path == kProducts && r.method == "GET") {
    int limit = 10;
    absl::SimpleAtoi(QueryValue(query, "limit"), &limit);
    const std::string after = QueryValue(query, "search_after");
    nlohmann::json items = nlohmann::json::array();
    auto p = after.empty() ? products_.begin() : products_.upper_bound(after);
    std::string last;
    for (; p != products_.end() && static_cast<int>(items.size()) < limit; ++p) {
      items.push_back(nlohmann::json::parse(p->second));
      last = p->first;
    }
    nlohmann::json page = {{"_embedded", {{"items", items}}}, {"_links", nlohmann::json::object()}};
    if (p != products_.end()) {
      page["_links"]["next"]["href"] =
          absl::StrCat(kBaseUrl, kProducts, "?limit=", limit, "&search_after=", last);
    }
    return Json(200, page);
  }
  return Json(404, {{"code", 404}, {"message", "no such route in the fake"}});
}

}  // namespace pimsim::client::testing
