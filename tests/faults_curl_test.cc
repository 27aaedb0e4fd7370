// Every fault action observed by a real HTTP client (libcurl) over real
// sockets, and the replay guarantee: the same seed and the same request
// sequence give the same faults.
#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "mock_pim/faults/fault_spec.h"
#include "tests/http_test_client.h"
#include "tests/test_server.h"

namespace pimsim::testing {
namespace {

struct CurlResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
};

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One request with a fresh connection, as a client library would send it.
CurlResult Curl(uint16_t port, const std::string& method, const std::string& path,
                const std::string& token, const std::string& body = "",
                long timeout_ms = 10'000) {
  CurlResult result;
  CURL* curl = curl_easy_init();
  std::string url = absl::StrCat("http://127.0.0.1:", port, path);
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, absl::StrCat("Authorization: ", token).c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (!body.empty()) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  result.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return result;
}

class FaultsCurlTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  static void TearDownTestSuite() { curl_global_cleanup(); }

  void Start(const std::string& extra = "") {
    server_ = std::make_unique<TestServer>(
        "seed: 42 instances { name: 'default' seed { products: 5 } limits { enabled: false } }" + extra +
        FixedLatency(absl::ZeroDuration()));
    token_ = *BearerToken(server_->port());
  }
  void AddFault(const std::string& spec) {
    absl::StatusOr<pimsim::v1::FaultRule> rule = ParseFaultSpec(spec);
    ASSERT_TRUE(rule.ok()) << rule.status();
    ASSERT_TRUE(server_->pim().faults().AddRule(*rule).ok());
  }
  CurlResult Post(const std::string& id) {
    return Curl(server_->port(), "POST", "/api/rest/v1/products", token_,
                absl::StrCat(R"({"identifier":")", id, R"("})"));
  }
  long GetStatus(const std::string& path) { return Curl(server_->port(), "GET", path, token_).status; }

  std::unique_ptr<TestServer> server_;
  std::string token_;
};

TEST_F(FaultsCurlTest, DisconnectAfterProcessingCreatesTheProductWhileTheClientSeesAReset) {
  Start();
  AddFault("disconnect=after,close=reset,method=POST,first=1");
  CurlResult r = Post("ambiguous-1");
  EXPECT_THAT(r.code, ::testing::AnyOf(CURLE_RECV_ERROR, CURLE_GOT_NOTHING)) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(GetStatus("/api/rest/v1/products/ambiguous-1"), 200);
  // A blind retry now fails: the write was applied.
  EXPECT_EQ(Post("ambiguous-1").status, 422);
}

TEST_F(FaultsCurlTest, DisconnectBeforeProcessingAppliesNothing) {
  Start();
  AddFault("disconnect=before,close=orderly,method=POST,first=1");
  CurlResult r = Post("never-1");
  EXPECT_EQ(r.code, CURLE_GOT_NOTHING) << curl_easy_strerror(r.code);
  EXPECT_EQ(GetStatus("/api/rest/v1/products/never-1"), 404);
  EXPECT_EQ(Post("never-1").status, 201);
}

TEST_F(FaultsCurlTest, HangMakesAClientWithAOneSecondTimeoutTimeOut) {
  Start();
  AddFault("hang=20s,route=list,first=1");
  absl::Time start = absl::Now();
  CurlResult r = Curl(server_->port(), "GET", "/api/rest/v1/locales", token_, "", 1000);
  EXPECT_EQ(r.code, CURLE_OPERATION_TIMEDOUT) << curl_easy_strerror(r.code);
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  EXPECT_EQ(GetStatus("/api/rest/v1/locales"), 200);
}

TEST_F(FaultsCurlTest, TruncatedBodyIsAPartialTransfer) {
  Start();
  AddFault("truncate=20,close=orderly,route=list,first=1");
  CurlResult r = Curl(server_->port(), "GET", "/api/rest/v1/products", token_);
  EXPECT_EQ(r.code, CURLE_PARTIAL_FILE) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 20u);
}

TEST_F(FaultsCurlTest, StatusFaultsCarryTheirStatusAndRetryAfter) {
  Start();
  for (int code : {500, 502, 503, 504, 408, 429}) {
    ASSERT_EQ(server_->pim().faults().ClearRules({}), code == 500 ? 0u : 1u);
    AddFault(absl::StrCat("status=", code, ",retry_after=3s,route=get_item"));
    CurlResult r = Curl(server_->port(), "GET", "/api/rest/v1/products/product_000001", token_);
    EXPECT_EQ(r.code, CURLE_OK);
    EXPECT_EQ(r.status, code);
    EXPECT_EQ(nlohmann::json::parse(r.body)["code"], code);
  }
}

TEST_F(FaultsCurlTest, LatencyFaultDelaysTheResponse) {
  Start();
  AddFault("latency=300ms,route=get_item");
  absl::Time start = absl::Now();
  EXPECT_EQ(GetStatus("/api/rest/v1/products/product_000001"), 200);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
}

// The statuses of 1,000 GETs with a 30% 503 fault, in order.
std::vector<long> FaultSequence(uint64_t seed) {
  TestServer server(absl::StrCat("seed: ", seed, " instances { name: 'default' limits { enabled: false } "
                                 "seed { products: 1 } }") + FixedLatency(absl::ZeroDuration()));
  EXPECT_TRUE(server.pim().faults().AddRule(*ParseFaultSpec("status=503,p=0.3,route=get_item,name=flaky")).ok());
  std::string token = *BearerToken(server.port());
  TestClient client(server.port());
  std::vector<long> statuses;
  for (int i = 0; i < 1000; ++i) {
    absl::StatusOr<TestResponse> r =
        client.Call("GET", "/api/rest/v1/products/product_000001", {{"Authorization", token}});
    statuses.push_back(r.ok() ? r->status : -1);
  }
  return statuses;
}

TEST(FaultReplayTest, ProbabilityStaysWithinBinomialBoundsAndReplays) {
  std::vector<long> first = FaultSequence(7);
  long failures = std::count(first.begin(), first.end(), 503);
  long ok = std::count(first.begin(), first.end(), 200);
  EXPECT_EQ(failures + ok, 1000);
  // Binomial(1000, 0.3): mean 300, standard deviation 14.5; 4 sd either side.
  EXPECT_GE(failures, 242);
  EXPECT_LE(failures, 358);
  EXPECT_EQ(FaultSequence(7), first);  // same seed, same sequence
  EXPECT_NE(FaultSequence(8), first);
}

}  // namespace
}  // namespace pimsim::testing
