// MockPim on simulated time, without sockets: a fake exchange records the
// response and runs delayed work when the test advances the clock.
#include "mock_pim/mock_pim.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "checker/judged_limits.h"
#include "common/scheduler.h"
#include "google/protobuf/text_format.h"
#include "mock_pim/config/scenario_config.h"
#include "mock_pim/faults/fault_spec.h"

namespace pimsim {
namespace {

using ::testing::HasSubstr;

// Runs delayed work in time order as the simulated clock advances: the
// exchanges' Scheduler.
class TestScheduler final : public Scheduler {
 public:
  explicit TestScheduler(SimulatedClock* clock) : clock_(clock) {}
  absl::Time Now() override { return clock_->Now(); }
  TaskId RunAt(absl::Time when, std::function<void()> task) override {
    return queue_.Add(when, std::move(task));
  }
  void Cancel(TaskId id) override { queue_.Cancel(id); }
  void AdvanceTo(absl::Time t) {
    std::function<void()> task;
    while (queue_.NextTime() <= t) {
      clock_->SetTime(std::max(clock_->Now(), queue_.NextTime()));
      if (queue_.PopDue(clock_->Now(), &task)) task();
    }
    clock_->SetTime(t);
  }
  void Advance(absl::Duration d) { AdvanceTo(clock_->Now() + d); }
  size_t pending() const { return queue_.size(); }

 private:
  SimulatedClock* clock_;
  TaskQueue queue_;
};

class FakeExchange : public http::Exchange {
 public:
  FakeExchange(http::HttpRequest request, uint64_t socket, SimulatedClock* clock,
               TestScheduler* scheduler)
      : request_(std::move(request)), socket_(socket), clock_(clock), scheduler_(scheduler),
        arrival_(clock->Now()) {}
  const http::HttpRequest& request() const override { return request_; }
  http::HttpRequest& mutable_request() override { return request_; }
  http::SocketId socket_id() const override { return socket_; }
  absl::Time arrival_time() const override { return arrival_; }
  absl::Time body_complete_time() const override { return arrival_; }
  Scheduler& scheduler() override { return *scheduler_; }
  void OnClientGone(std::function<void()> fn) override {
    if (answered_) return;
    on_gone_ = std::move(fn);
    if (client_gone_) scheduler_->RunAt(clock_->Now(), std::exchange(on_gone_, nullptr));
  }
  void Respond(http::HttpResponse response, http::DoneCallback done) override {
    answered_ = true;
    on_gone_ = nullptr;
    if (on_hand_over) on_hand_over();
    response_ = std::move(response);
    responded_at_ = clock_->Now();
    if (done) done(clock_->Now(), client_gone_);  // May be empty.
  }
  void Close(http::CloseMode mode, std::optional<http::HttpResponse> partial, size_t bytes,
             http::DoneCallback done) override {
    answered_ = true;
    on_gone_ = nullptr;
    if (on_hand_over) on_hand_over();
    closed_ = mode;
    partial_ = std::move(partial);
    partial_bytes_ = bytes;
    closed_at_ = clock_->Now();
    if (done) done(clock_->Now(), client_gone_);  // May be empty.
  }
  bool client_gone() const override { return client_gone_; }
  bool server_draining() const override { return draining; }
  // The client leaves (a timeout, a reset): a handler holding the request
  // hears of it, as from the server.
  void GoAway() {
    client_gone_ = true;
    if (on_gone_) scheduler_->RunAt(clock_->Now(), std::exchange(on_gone_, nullptr));
  }
  // What server_draining() says.
  bool draining = false;
  // Runs when the core hands its answer (or close) to the exchange, before
  // the done callback: what a client reacting at once would find.
  std::function<void()> on_hand_over;
  std::optional<http::CloseMode> closed() const { return closed_; }
  const std::optional<http::HttpResponse>& partial() const { return partial_; }
  size_t partial_bytes() const { return partial_bytes_; }
  absl::Time closed_at() const { return closed_at_; }

  bool responded() const { return response_.has_value(); }
  const http::HttpResponse& response() const { return *response_; }
  absl::Time responded_at() const { return responded_at_; }
  std::string Header(absl::string_view name) const {
    for (const auto& h : response_->headers) {
      if (h.name == name) return h.value;
    }
    return "";
  }

 private:
  http::HttpRequest request_;
  uint64_t socket_;
  SimulatedClock* clock_;
  TestScheduler* scheduler_;
  absl::Time arrival_;
  bool answered_ = false;
  std::function<void()> on_gone_;
  std::optional<http::HttpResponse> response_;
  absl::Time responded_at_;
  bool client_gone_ = false;
  std::optional<http::CloseMode> closed_;
  std::optional<http::HttpResponse> partial_;
  size_t partial_bytes_ = 0;
  absl::Time closed_at_;
};

pimsim::v1::Scenario Scenario(const std::string& text) {
  pimsim::v1::Scenario s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s)) << text;
  EXPECT_TRUE(config::ValidateScenario(s).ok()) << config::ValidateScenario(s);
  return config::WithDefaults(s);
}

// Fixed service time for every route.
std::string Latency(absl::Duration d) {
  int64_t ns = absl::ToInt64Nanoseconds(d);
  std::string fixed = absl::StrCat("{ fixed { seconds: ", ns / 1'000'000'000, " nanos: ", ns % 1'000'000'000, " } }");
  return absl::StrCat("latency { token ", fixed, " get_item ", fixed, " list ", fixed, " write_item ",
                      fixed, " batch ", fixed, " other ", fixed, " }");
}

class MockPimTest : public ::testing::Test {
 protected:
  void Start(const std::string& scenario_text) {
    absl::StatusOr<std::unique_ptr<MockPim>> pim = MockPim::Create(Scenario(scenario_text), &clock_);
    ASSERT_TRUE(pim.ok()) << pim.status();
    pim_ = *std::move(pim);
  }

  std::shared_ptr<FakeExchange> Send(std::string method, std::string target,
                                     std::vector<http::Header> headers = {}, std::string body = "") {
    http::HttpRequest r;
    r.method = std::move(method);
    r.target = target;
    size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = target.substr(q + 1);
    for (const http::Header& h : headers) r.AddHeader(h.name, h.value);
    r.body = std::move(body);
    auto ex = std::make_shared<FakeExchange>(std::move(r), ++socket_, &clock_, &scheduler_);
    pim_->Handle(ex);
    return ex;
  }

  std::string Token(const std::string& client = "pimsim", const std::string& prefix = "") {
    auto ex = Send("POST", prefix + "/api/oauth/v1/token",
                   {{"Authorization", "Basic " + absl::Base64Escape(client + ":" + client)},
                    {"Content-Type", "application/json"}},
                   R"({"grant_type":"password","username":"admin","password":"admin"})");
    scheduler_.Advance(absl::Seconds(1));
    EXPECT_TRUE(ex->responded());
    EXPECT_EQ(ex->response().status, 200) << ex->response().payload();
    return "Bearer " + nlohmann::json::parse(ex->response().payload())["access_token"].get<std::string>();
  }

  std::shared_ptr<FakeExchange> Get(const std::string& token, const std::string& target) {
    return Send("GET", target, {{"Authorization", token}});
  }

  SimulatedClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  TestScheduler scheduler_{&clock_};
  std::unique_ptr<MockPim> pim_;
  uint64_t socket_ = 0;
};

TEST_F(MockPimTest, ServesSeededProductWithToken) {
  Start("instances { name: 'default' seed { products: 5 } }" + Latency(absl::ZeroDuration()));
  std::string token = Token();
  auto ex = Get(token, "/api/rest/v1/products?limit=2&with_count=true");
  ASSERT_TRUE(ex->responded());
  EXPECT_EQ(ex->response().status, 200);
  nlohmann::json page = nlohmann::json::parse(ex->response().payload());
  EXPECT_EQ(page["items_count"], 5);
  EXPECT_EQ(page["_embedded"]["items"].size(), 2u);
}

// The value of header `name` of a response, or "" if it has none.
std::string HeaderOf(const http::HttpResponse& r, std::string_view name) {
  for (const http::Header& h : r.headers) {
    if (h.name == name) return h.value;
  }
  return "";
}

TEST_F(MockPimTest, MediaDownloadsAreTheUploadedBytesWithTheirType) {
  Start("instances { name: 'default' seed { products: 2 } }" + Latency(absl::ZeroDuration()));
  std::string token = Token();
  auto attr = Send("POST", "/api/rest/v1/attributes",
                   {{"Authorization", token}, {"Content-Type", "application/json"}},
                   R"({"code":"picture","type":"pim_catalog_image","group":"other"})");
  ASSERT_EQ(attr->response().status, 201) << attr->response().payload();
  const std::string bytes("\x89PNG\r\n\x1a\n\0\xff\xfe", 11);
  auto upload = Send(
      "POST", "/api/rest/v1/media-files",
      {{"Authorization", token}, {"Content-Type", "multipart/form-data; boundary=xyz"}},
      "--xyz\r\nContent-Disposition: form-data; name=\"product\"\r\n\r\n"
      "{\"identifier\":\"product_000001\",\"attribute\":\"picture\"}\r\n"
      "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n"
      "Content-Type: image/png\r\n\r\n" + bytes + "\r\n--xyz--\r\n");
  ASSERT_EQ(upload->response().status, 201) << upload->response().payload();
  const std::string location = HeaderOf(upload->response(), "Location");
  const size_t path = location.find("/api/rest/v1/");
  ASSERT_NE(path, std::string::npos) << location;
  auto download = Get(token, location.substr(path) + "/download");
  ASSERT_EQ(download->response().status, 200);
  EXPECT_EQ(download->response().payload(), bytes);
  EXPECT_EQ(HeaderOf(download->response(), "Content-Type"), "image/png");
  // A method the route does not take: 405 with Allow.
  auto wrong = Send("DELETE", location.substr(path), {{"Authorization", token}});
  EXPECT_EQ(wrong->response().status, 405);
  EXPECT_EQ(HeaderOf(wrong->response(), "Allow"), "GET");
}

TEST_F(MockPimTest, MissingOrBadTokenGets401) {
  Start(Latency(absl::ZeroDuration()));
  auto none = Send("GET", "/api/rest/v1/products");
  EXPECT_EQ(none->response().status, 401);
  EXPECT_THAT(none->response().payload(), HasSubstr("Authentication is required"));
  auto bad = Get("Bearer nope", "/api/rest/v1/products");
  EXPECT_EQ(bad->response().status, 401);
  EXPECT_THAT(bad->response().payload(), HasSubstr("invalid"));
  auto root = Send("GET", "/api/rest/v1");
  EXPECT_EQ(root->response().status, 200);
}

// Whatever ends an exchange, its slot is free before the server gets the
// answer to hand to the kernel: a client that sends its next request the
// moment it sees the response (or the reset) never finds it still taken.
TEST_F(MockPimTest, SlotIsFreeWhenTheAnswerIsHandedOver) {
  Start("instances { name: 'default' seed { products: 3 } }" + Latency(absl::Milliseconds(10)));
  const std::string token = Token();
  for (const char* spec : {"", "status=503", "disconnect=after", "disconnect=before", "truncate=5",
                           "hang=2s"}) {
    SCOPED_TRACE(spec);
    pim_->faults().ClearRules({});
    if (*spec != 0) {
      absl::StatusOr<pimsim::v1::FaultRule> rule = ParseFaultSpec(spec);
      ASSERT_TRUE(rule.ok()) << rule.status();
      ASSERT_TRUE(pim_->faults().AddRule(*rule).ok());
    }
    http::HttpRequest r;
    r.method = "GET";
    r.target = r.path = "/api/rest/v1/locales";
    r.AddHeader("Authorization", token);
    auto ex = std::make_shared<FakeExchange>(std::move(r), ++socket_, &clock_, &scheduler_);
    int64_t in_flight_at_hand_over = -1;
    ex->on_hand_over = [&] {
      in_flight_at_hand_over = pim_->admission("")->in_flight("pimsim");
    };
    pim_->Handle(ex);
    scheduler_.Advance(absl::Seconds(3));
    EXPECT_EQ(in_flight_at_hand_over, 0);
    EXPECT_EQ(pim_->admission("")->in_flight("pimsim"), 0u);
  }
}

TEST_F(MockPimTest, AnswersRequestsArrivingDuringTheDrainWith503AndJournalsThem) {
  Start("instances { name: 'default' seed { products: 3 } }" + Latency(absl::Seconds(1)));
  const std::string token = Token();
  http::HttpRequest r;
  r.method = "GET";
  r.target = r.path = "/api/rest/v1/products/product_000001";
  r.AddHeader("Authorization", token);
  auto ex = std::make_shared<FakeExchange>(std::move(r), ++socket_, &clock_, &scheduler_);
  ex->draining = true;
  pim_->Handle(ex);
  // At once: no service time, no slot.
  ASSERT_TRUE(ex->responded());
  EXPECT_EQ(ex->response().status, 503);
  EXPECT_TRUE(ex->response().close);
  const nlohmann::json body = nlohmann::json::parse(ex->response().payload());
  EXPECT_EQ(body["code"], 503);
  EXPECT_THAT(body["message"].get<std::string>(), HasSubstr("shutting down"));
  EXPECT_EQ(pim_->admission("")->in_flight("pimsim"), 0u);
  const std::vector<pimsim::v1::JournalEvent> events = pim_->journal().Read(0, 100);
  ASSERT_EQ(events.size(), 2u);  // The token, then the drained GET.
  EXPECT_EQ(events[1].status(), 503u);
  EXPECT_EQ(events[1].connection(), "pimsim");
  EXPECT_EQ(events[1].method(), "GET");
  EXPECT_EQ(events[1].route(), "/api/rest/v1/products/{code}");
}

TEST_F(MockPimTest, FifthRequestInFlightOnOneConnectionGets429AtOnce) {
  Start("instances { name: 'default' seed { products: 3 } }" + Latency(absl::Seconds(1)));
  std::string token = Token();
  std::vector<std::shared_ptr<FakeExchange>> held;
  for (int i = 0; i < 4; ++i) held.push_back(Get(token, "/api/rest/v1/locales"));
  auto fifth = Get(token, "/api/rest/v1/locales");
  for (const auto& ex : held) EXPECT_FALSE(ex->responded());
  ASSERT_TRUE(fifth->responded());
  EXPECT_EQ(fifth->response().status, 429);
  EXPECT_EQ(fifth->Header("Retry-After"), "1");
  EXPECT_THAT(fifth->response().payload(), HasSubstr("exceeded the limit"));
  scheduler_.Advance(absl::Seconds(1));
  for (const auto& ex : held) EXPECT_EQ(ex->response().status, 200);
  // Slots are free again.
  auto next = Get(token, "/api/rest/v1/locales");
  scheduler_.Advance(absl::Seconds(1));
  EXPECT_EQ(next->response().status, 200);
  EXPECT_EQ(pim_->admission("default")->counters().rejected_by(Rejection::kConcurrencyConnection), 1u);
}

TEST_F(MockPimTest, EleventhRequestInFlightOnInstanceGets429) {
  Start("instances { name: 'default' connections { client_id: 'a' secret: 'a' username: 'admin' password: 'admin' }"
        " connections { client_id: 'b' secret: 'b' username: 'admin' password: 'admin' }"
        " connections { client_id: 'c' secret: 'c' username: 'admin' password: 'admin' } }" +
        Latency(absl::Seconds(1)));
  std::string tokens[] = {Token("a"), Token("b"), Token("c")};
  std::vector<std::shared_ptr<FakeExchange>> held;
  for (int i = 0; i < 10; ++i) held.push_back(Get(tokens[i % 3], "/api/rest/v1/channels"));
  auto eleventh = Get(tokens[1], "/api/rest/v1/channels");
  ASSERT_TRUE(eleventh->responded());
  EXPECT_EQ(eleventh->response().status, 429);
  scheduler_.Advance(absl::Seconds(1));
  for (const auto& ex : held) EXPECT_EQ(ex->response().status, 200);
  EXPECT_EQ(pim_->admission("default")->counters().rejected_by(Rejection::kConcurrencyInstance), 1u);
}

TEST_F(MockPimTest, RateLimitAdmitsBurstThenOnePerInterval) {
  Start("instances { name: 'default' limits { max_in_flight_per_connection: 0 max_in_flight_per_instance: 0 } }" +
        Latency(absl::ZeroDuration()));
  std::string token = Token();
  clock_.Advance(absl::Seconds(10));  // refill after the token request
  int ok = 0, limited = 0;
  std::string retry_after;
  for (int i = 0; i < 150; ++i) {
    auto ex = Get(token, "/api/rest/v1/locales");
    if (ex->response().status == 200) ++ok;
    if (ex->response().status == 429) {
      ++limited;
      retry_after = ex->Header("Retry-After");
    }
  }
  EXPECT_EQ(ok, 100);
  EXPECT_EQ(limited, 50);
  EXPECT_EQ(retry_after, "1");
  clock_.Advance(absl::Milliseconds(10));
  EXPECT_EQ(Get(token, "/api/rest/v1/locales")->response().status, 200);
  EXPECT_EQ(Get(token, "/api/rest/v1/locales")->response().status, 429);
}

TEST_F(MockPimTest, AttributeOptionWritesLimitedToThreePerSecond) {
  Start("instances { name: 'default' seed { attributes: 10 } limits { max_in_flight_per_connection: 0 } }" +
        Latency(absl::ZeroDuration()));
  std::string token = Token();
  clock_.Advance(absl::Seconds(10));
  // Find a select attribute.
  auto attrs = Get(token, "/api/rest/v1/attributes?limit=100");
  std::string select;
  nlohmann::json page = nlohmann::json::parse(attrs->response().payload());
  for (const auto& a : page["_embedded"]["items"]) {
    if (a["type"] == "pim_catalog_simpleselect") select = a["code"].get<std::string>();
  }
  ASSERT_FALSE(select.empty());
  int ok = 0, limited = 0;
  for (int i = 0; i < 5; ++i) {
    auto ex = Send("PATCH", absl::StrCat("/api/rest/v1/attributes/", select, "/options/opt_new_", i),
                   {{"Authorization", token}, {"Content-Type", "application/json"}},
                   absl::StrCat(R"({"code":"opt_new_)", i, R"(","labels":{"en_US":"x"}})"));
    ASSERT_TRUE(ex->responded());
    if (ex->response().status == 201) ++ok;
    if (ex->response().status == 429) ++limited;
  }
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(limited, 2);
  // Reads of options are not limited by the option bucket.
  EXPECT_EQ(Get(token, absl::StrCat("/api/rest/v1/attributes/", select, "/options"))->response().status, 200);
  EXPECT_EQ(pim_->admission("default")->counters().rejected_by(Rejection::kRateAttributeOptions), 2u);
}

TEST_F(MockPimTest, RetryAfterAsHttpDateOrAbsent) {
  Start("instances { name: 'default' limits { retry_after: RETRY_AFTER_FORM_HTTP_DATE max_in_flight_per_connection: 1 } }"
        "instances { name: 'quiet' limits { retry_after: RETRY_AFTER_FORM_NONE max_in_flight_per_connection: 1 } }" +
        Latency(absl::Seconds(1)));
  std::string token = Token();
  Get(token, "/api/rest/v1/locales");
  auto dated = Get(token, "/api/rest/v1/locales");
  EXPECT_EQ(dated->response().status, 429);
  EXPECT_THAT(dated->Header("Retry-After"), HasSubstr(" GMT"));
  std::string quiet_token = Token("pimsim", "/quiet");
  Get(quiet_token, "/quiet/api/rest/v1/locales");
  auto bare = Get(quiet_token, "/quiet/api/rest/v1/locales");
  EXPECT_EQ(bare->response().status, 429);
  EXPECT_EQ(bare->Header("Retry-After"), "");
}

TEST_F(MockPimTest, InstancesHaveSeparateLimitsAndData) {
  Start("instances { name: 'eu' seed { products: 2 } limits { max_in_flight_per_connection: 1 } }"
        "instances { name: 'us' seed { products: 3 } limits { max_in_flight_per_connection: 1 } }" +
        Latency(absl::Seconds(1)));
  std::string eu = Token("pimsim");
  std::string us = Token("pimsim", "/us");
  auto a = Get(eu, "/api/rest/v1/products?with_count=true");
  auto b = Get(us, "/us/api/rest/v1/products?with_count=true");
  auto c = Get(eu, "/eu/api/rest/v1/products?with_count=true");  // eu also under its name
  EXPECT_EQ(c->response().status, 429);
  scheduler_.Advance(absl::Seconds(1));
  EXPECT_EQ(nlohmann::json::parse(a->response().payload())["items_count"], 2);
  EXPECT_EQ(nlohmann::json::parse(b->response().payload())["items_count"], 3);
  // A token of one instance is not valid on the other.
  auto cross = Get(eu, "/us/api/rest/v1/products");
  scheduler_.Advance(absl::Seconds(1));
  EXPECT_EQ(cross->response().status, 401);
}

TEST_F(MockPimTest, HoldsAdmittedRequestsForTheServiceTime) {
  Start(Latency(absl::Milliseconds(250)));
  std::string token = Token();
  absl::Time sent = clock_.Now();
  auto ex = Get(token, "/api/rest/v1/locales");
  scheduler_.Advance(absl::Milliseconds(249));
  EXPECT_FALSE(ex->responded());
  scheduler_.Advance(absl::Milliseconds(1));
  ASSERT_TRUE(ex->responded());
  EXPECT_EQ(ex->responded_at() - sent, absl::Milliseconds(250));
}

TEST_F(MockPimTest, JournalsEveryAttemptWithLimiterState) {
  Start("instances { name: 'default' limits { max_in_flight_per_connection: 1 } }" + Latency(absl::Seconds(1)));
  std::string token = Token();
  Send("GET", "/api/rest/v1/locales?b=2&a=1", {{"Authorization", token}, {"Idempotency-Key", "k1"}});
  Get(token, "/api/rest/v1/locales");
  scheduler_.Advance(absl::Seconds(2));
  std::vector<pimsim::v1::JournalEvent> events = pim_->journal().Read(0, 100);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].route(), "/api/oauth/v1/token");
  EXPECT_EQ(events[0].connection(), "pimsim");
  EXPECT_EQ(events[0].status(), 200u);
  const pimsim::v1::JournalEvent& held = events[1];
  EXPECT_EQ(held.status(), 200u);
  EXPECT_EQ(held.normalized_path(), "/api/rest/v1/locales?a=1&b=2");
  EXPECT_EQ(held.idempotency_key(), "k1");
  EXPECT_EQ(held.response_us() - held.arrival_us(), 1'000'000);
  const pimsim::v1::JournalEvent& rejected = events[2];
  EXPECT_EQ(rejected.status(), 429u);
  EXPECT_EQ(rejected.rejection(), pimsim::v1::REJECTION_CONCURRENCY_CONNECTION);
  EXPECT_EQ(rejected.in_flight_connection(), 1u);
  EXPECT_EQ(rejected.retry_after_s(), 1);
  EXPECT_EQ(events[1].retry_after_s(), -1);
}

TEST_F(MockPimTest, SameSeedReplaysServiceTimes) {
  auto run = [this](uint64_t seed) {
    pimsim::v1::Scenario s = Scenario(absl::StrCat("seed: ", seed));
    SimulatedClock clock(absl::FromUnixSeconds(1'800'000'000));
    TestScheduler scheduler(&clock);
    auto pim = *MockPim::Create(s, &clock);
    std::vector<int64_t> times;
    for (int i = 0; i < 20; ++i) {
      // A refused token request: no state changes, but a drawn service time.
      http::HttpRequest r;
      r.method = "POST";
      r.path = "/api/oauth/v1/token";
      auto ex = std::make_shared<FakeExchange>(std::move(r), i + 1, &clock, &scheduler);
      pim->Handle(ex);
      scheduler.Advance(absl::Seconds(10));
    }
    for (const auto& e : pim->journal().Read(0, 100)) times.push_back(e.response_us() - e.arrival_us());
    return times;
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

TEST_F(MockPimTest, LimitsOffAdmitsEverything) {
  Start("instances { name: 'default' limits { enabled: false } }" + Latency(absl::Seconds(1)));
  std::string token = Token();
  std::vector<std::shared_ptr<FakeExchange>> all;
  for (int i = 0; i < 300; ++i) all.push_back(Get(token, "/api/rest/v1/locales"));
  scheduler_.Advance(absl::Seconds(1));
  for (const auto& ex : all) EXPECT_EQ(ex->response().status, 200);
}

TEST_F(MockPimTest, MetricsEndpointIsNeitherLimitedNorJournaled) {
  Start(Latency(absl::ZeroDuration()));
  Token();
  auto m = Send("GET", "/metrics");
  ASSERT_TRUE(m->responded());
  EXPECT_EQ(m->response().status, 200);
  EXPECT_THAT(m->response().payload(), HasSubstr("pimsim_requests_total"));
  EXPECT_EQ(pim_->journal().size(), 1u);
}

}  // namespace
}  // namespace pimsim

namespace pimsim {
namespace {

TEST_F(MockPimTest, SetLimitsAppliesAtRunTimeAndValidates) {
  Start("instances { name: 'default' } instances { name: 'other' }" + Latency(absl::Seconds(1)));
  absl::StatusOr<pimsim::v1::Limits> before = pim_->GetLimits("");
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->max_in_flight_per_connection(), 4u);
  EXPECT_EQ(before->instance_rate().requests_per_second(), 100);
  EXPECT_EQ(before->instance_rate().burst(), 100u);

  std::string token = Token();
  auto held = Get(token, "/api/rest/v1/locales");  // in flight across the change
  pimsim::v1::Limits tight;
  tight.set_max_in_flight_per_connection(1);
  absl::StatusOr<pimsim::v1::Limits> after = pim_->SetLimits("default", tight);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->max_in_flight_per_connection(), 1u);
  EXPECT_EQ(after->max_in_flight_per_instance(), 10u);  // unset: the default
  EXPECT_EQ(Get(token, "/api/rest/v1/locales")->response().status, 429);
  scheduler_.Advance(absl::Seconds(1));
  EXPECT_EQ(held->response().status, 200);
  EXPECT_EQ(pim_->GetLimits("other")->max_in_flight_per_connection(), 4u);

  pimsim::v1::Limits bad;
  bad.mutable_instance_rate()->set_requests_per_second(0);
  absl::StatusOr<pimsim::v1::Limits> refused = pim_->SetLimits("default", bad);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("limits.instance_rate.requests_per_second"));
  EXPECT_EQ(pim_->SetLimits("nope", tight).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(pim_->GetLimits("default")->max_in_flight_per_connection(), 1u);
}

// What a verdict judges the first instance against: the journal's record
// of its limits, folded by the checker.
pimsim::v1::Limits Judged(MockPim& pim) {
  const std::map<std::string, pimsim::v1::Limits> judged =
      checker::JudgedLimits(pim.journal().LimitChanges());
  EXPECT_EQ(judged.size(), 1u);
  return judged.empty() ? pimsim::v1::Limits() : judged.begin()->second;
}

TEST_F(MockPimTest, TheJournalRecordsEveryLimitChangeSinceItStarted) {
  Start(Latency(absl::ZeroDuration()));
  ASSERT_EQ(pim_->journal().LimitChanges().size(), 1u);  // the starting limits
  EXPECT_EQ(pim_->journal().LimitChanges()[0].instance(), pim_->instance_names()[0]);
  pimsim::v1::Limits tight;
  tight.set_max_in_flight_per_connection(1);
  tight.mutable_instance_rate()->set_requests_per_second(10);
  ASSERT_TRUE(pim_->SetLimits("", tight).ok());
  const std::vector<pimsim::v1::LimitChange> changes = pim_->journal().LimitChanges();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].limits().max_in_flight_per_connection(), 1u);
  EXPECT_GE(changes[1].time_us(), changes[0].time_us());
  const pimsim::v1::Limits judged = Judged(*pim_);
  EXPECT_EQ(judged.max_in_flight_per_connection(), 4u);  // was 4 before the change
  EXPECT_EQ(judged.instance_rate().requests_per_second(), 100);
  pimsim::v1::Limits unlimited;
  unlimited.set_max_in_flight_per_instance(0);
  ASSERT_TRUE(pim_->SetLimits("", unlimited).ok());
  EXPECT_EQ(Judged(*pim_).max_in_flight_per_instance(), 0u);
  pim_->Reset({.journal = true});
  EXPECT_EQ(pim_->journal().LimitChanges().size(), 1u);
  EXPECT_EQ(Judged(*pim_).max_in_flight_per_connection(), 4u);  // `unlimited` is in force
  EXPECT_EQ(Judged(*pim_).max_in_flight_per_instance(), 0u);
  ASSERT_TRUE(pim_->SetLimits("", tight).ok());
  pim_->Reset({.journal = true});
  EXPECT_EQ(Judged(*pim_).max_in_flight_per_connection(), 1u);
}

TEST_F(MockPimTest, LimitChangesBeyondTheJournalsBoundAreRefused) {
  Start(Latency(absl::ZeroDuration()));
  pimsim::v1::Limits limits;
  // The starting limits are the first record; each round changes them.
  for (size_t i = 1; i < Journal::kMaxLimitChanges; ++i) {
    limits.mutable_instance_rate()->set_burst(i % 2 == 0 ? 50 : 60);
    ASSERT_TRUE(pim_->SetLimits("", limits).ok());
  }
  EXPECT_EQ(pim_->journal().LimitChanges().size(), Journal::kMaxLimitChanges);
  limits.set_max_in_flight_per_connection(2);
  absl::StatusOr<pimsim::v1::Limits> refused = pim_->SetLimits("", limits);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("reset"));
  EXPECT_EQ(pim_->GetLimits("")->max_in_flight_per_connection(), 4u);  // not applied
  pim_->Reset({.journal = true});
  EXPECT_TRUE(pim_->SetLimits("", limits).ok());
}

TEST_F(MockPimTest, SettingTheLimitsInForceRecordsNothing) {
  Start(Latency(absl::ZeroDuration()));
  pimsim::v1::Limits limits;
  limits.mutable_instance_rate()->set_burst(50);
  ASSERT_TRUE(pim_->SetLimits("", limits).ok());
  ASSERT_EQ(pim_->journal().LimitChanges().size(), 2u);  // the start, then burst 50
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(pim_->SetLimits("", limits).ok());
  // The limits in force spelled out in full: the same, no change.
  pimsim::v1::Limits explicit_defaults = *pim_->GetLimits("");
  EXPECT_TRUE(pim_->SetLimits("", explicit_defaults).ok());
  EXPECT_EQ(pim_->journal().LimitChanges().size(), 2u);
  EXPECT_EQ(pim_->GetLimits("")->instance_rate().burst(), 50u);
}

// A journal reset racing a change of limits must not leave the journal's
// record of the limits tighter than those in force: traffic the new limits admit would then be
// judged against the old ones. Each round starts from tight limits, then
// loosens them on one thread while another resets the journal.
TEST_F(MockPimTest, RecordedLimitsCoverTheLimitsInForceWhenAResetRacesSetLimits) {
  Start(Latency(absl::ZeroDuration()));
  pimsim::v1::Limits tight;
  tight.set_max_in_flight_per_connection(1);
  pimsim::v1::Limits loose;
  loose.set_max_in_flight_per_connection(8);
  constexpr int kRounds = 20000;
  std::atomic<int> round{-1};
  std::atomic<int> done{0};
  std::thread setter([&] {
    for (int r = 0; r < kRounds; ++r) {
      while (round.load() < r) std::this_thread::yield();
      EXPECT_TRUE(pim_->SetLimits("", loose).ok());
      done.fetch_add(1);
    }
  });
  std::thread resetter([&] {
    for (int r = 0; r < kRounds; ++r) {
      while (round.load() < r) std::this_thread::yield();
      pim_->Reset({.journal = true});
      done.fetch_add(1);
    }
  });
  int bad_rounds = 0;
  for (int r = 0; r < kRounds; ++r) {
    ASSERT_TRUE(pim_->SetLimits("", tight).ok());
    pim_->Reset({.journal = true});
    round.store(r);
    while (done.load() < 2 * (r + 1)) std::this_thread::yield();
    const uint32_t in_force = pim_->GetLimits("")->max_in_flight_per_connection();
    const uint32_t judged = Judged(*pim_).max_in_flight_per_connection();
    EXPECT_EQ(in_force, 8u);
    if (judged < in_force) ++bad_rounds;
  }
  setter.join();
  resetter.join();
  EXPECT_EQ(bad_rounds, 0) << "of " << kRounds << " rounds";
}

TEST_F(MockPimTest, ResetClearsTheChosenParts) {
  Start("instances { name: 'default' seed { products: 2 } }" + Latency(absl::ZeroDuration()));
  std::string token = Token();
  auto created = Send("POST", "/api/rest/v1/products",
                      {{"Authorization", token}, {"Content-Type", "application/json"}},
                      R"({"identifier":"extra"})");
  ASSERT_EQ(created->response().status, 201);
  EXPECT_EQ(pim_->journal().size(), 2u);

  pim_->Reset({.journal = true});
  EXPECT_EQ(pim_->journal().size(), 0u);
  EXPECT_EQ(Get(token, "/api/rest/v1/products/extra")->response().status, 200);

  pim_->Reset({.store = true});
  EXPECT_EQ(Get(token, "/api/rest/v1/products/extra")->response().status, 401);  // tokens gone too
  std::string fresh = Token();
  EXPECT_EQ(Get(fresh, "/api/rest/v1/products/extra")->response().status, 404);
  EXPECT_EQ(Get(fresh, "/api/rest/v1/products?with_count=true")->response().status, 200);
}

}  // namespace
}  // namespace pimsim

namespace pimsim {
namespace {

class MockPimFaultTest : public MockPimTest {
 protected:
  void AddFault(const std::string& spec) {
    absl::StatusOr<pimsim::v1::FaultRule> rule = ParseFaultSpec(spec);
    ASSERT_TRUE(rule.ok()) << rule.status();
    ASSERT_TRUE(pim_->faults().AddRule(*rule).ok());
  }
  std::shared_ptr<FakeExchange> Create(const std::string& token, const std::string& id) {
    return Send("POST", "/api/rest/v1/products",
                {{"Authorization", token}, {"Content-Type", "application/json"}},
                absl::StrCat(R"({"identifier":")", id, R"("})"));
  }
};

TEST_F(MockPimFaultTest, StatusFaultIsNotAppliedAndIsJournaled) {
  Start(Latency(absl::ZeroDuration()));
  std::string token = Token();
  AddFault("status=503,retry_after=2s,method=POST,name=outage");
  auto ex = Create(token, "f1");
  ASSERT_TRUE(ex->responded());
  EXPECT_EQ(ex->response().status, 503);
  EXPECT_EQ(ex->Header("Retry-After"), "2");
  EXPECT_THAT(ex->response().payload(), HasSubstr(R"("code":503)"));
  EXPECT_EQ(Get(token, "/api/rest/v1/products/f1")->response().status, 404);
  std::vector<pimsim::v1::JournalEvent> events = pim_->journal().Read(0, 100);
  EXPECT_EQ(events[1].fault(), "outage");
  EXPECT_EQ(events[1].status(), 503u);
  EXPECT_EQ(events[1].retry_after_s(), 2);
}

TEST_F(MockPimFaultTest, DisconnectBeforeProcessingAppliesNothing) {
  Start(Latency(absl::ZeroDuration()));
  std::string token = Token();
  AddFault("disconnect=before,close=reset,method=POST");
  auto ex = Create(token, "f2");
  EXPECT_FALSE(ex->responded());
  ASSERT_TRUE(ex->closed().has_value());
  EXPECT_EQ(*ex->closed(), http::CloseMode::kReset);
  EXPECT_EQ(Get(token, "/api/rest/v1/products/f2")->response().status, 404);
  EXPECT_EQ(pim_->journal().Read(0, 100)[1].status(), 0u);
}

TEST_F(MockPimFaultTest, DisconnectAfterProcessingAppliesTheWrite) {
  Start(Latency(absl::ZeroDuration()));
  std::string token = Token();
  AddFault("disconnect=after,close=orderly,method=POST");
  auto ex = Create(token, "f3");
  EXPECT_FALSE(ex->responded());
  ASSERT_TRUE(ex->closed().has_value());
  EXPECT_EQ(*ex->closed(), http::CloseMode::kOrderly);
  EXPECT_EQ(Get(token, "/api/rest/v1/products/f3")->response().status, 200);
}

TEST_F(MockPimFaultTest, TruncateSendsPartOfTheBody) {
  Start("instances { name: 'default' seed { products: 2 } }" + Latency(absl::ZeroDuration()));
  std::string token = Token();
  AddFault("truncate=10,route=list");
  auto ex = Get(token, "/api/rest/v1/products");
  ASSERT_TRUE(ex->partial().has_value());
  EXPECT_EQ(ex->partial()->status, 200);
  EXPECT_EQ(ex->partial_bytes(), 10u);
  EXPECT_GT(ex->partial()->body.size(), 10u);
  pimsim::v1::JournalEvent event = pim_->journal().Read(0, 100).back();
  EXPECT_TRUE(event.response_cut());
  EXPECT_EQ(event.status(), 200u);
}

TEST_F(MockPimFaultTest, HangHoldsUntilTheClientGivesUpAndKeepsTheSlot) {
  Start("instances { name: 'default' limits { max_in_flight_per_connection: 1 } }" +
        Latency(absl::ZeroDuration()));
  std::string token = Token();
  AddFault("hang=30s,route=list,first=1");
  auto hung = Get(token, "/api/rest/v1/locales");
  scheduler_.Advance(absl::Seconds(5));
  EXPECT_FALSE(hung->closed().has_value());
  EXPECT_EQ(Get(token, "/api/rest/v1/locales")->response().status, 429);  // the slot is held
  hung->GoAway();  // the client times out
  scheduler_.Advance(absl::Milliseconds(100));
  ASSERT_TRUE(hung->closed().has_value());
  EXPECT_EQ(Get(token, "/api/rest/v1/locales")->response().status, 200);
}

TEST_F(MockPimFaultTest, HangEndsAtItsMaximum) {
  Start(Latency(absl::ZeroDuration()));
  std::string token = Token();
  AddFault("hang=3s,route=list");
  absl::Time start = clock_.Now();
  auto hung = Get(token, "/api/rest/v1/channels");
  scheduler_.Advance(absl::Seconds(10));
  ASSERT_TRUE(hung->closed().has_value());
  EXPECT_EQ(hung->closed_at() - start, absl::Seconds(3));
}

TEST_F(MockPimFaultTest, LatencyFaultAddsToTheServiceTime) {
  Start(Latency(absl::Milliseconds(100)));
  std::string token = Token();
  AddFault("latency=400ms,route=list");
  absl::Time start = clock_.Now();
  auto ex = Get(token, "/api/rest/v1/locales");
  scheduler_.Advance(absl::Seconds(1));
  ASSERT_TRUE(ex->responded());
  EXPECT_EQ(ex->responded_at() - start, absl::Milliseconds(500));
}

TEST_F(MockPimFaultTest, ScenarioFaultsAndPhases) {
  Start("faults { name: 'late' trigger { phase: 'outage' } action { status { code: 502 } } }" +
        Latency(absl::ZeroDuration()));
  std::string token = Token();
  EXPECT_EQ(Get(token, "/api/rest/v1/locales")->response().status, 200);
  pim_->faults().StartPhase("outage");
  EXPECT_EQ(Get(token, "/api/rest/v1/locales")->response().status, 502);
  pim_->Reset({.counters = true});
  EXPECT_EQ(Get(token, "/api/rest/v1/locales")->response().status, 200);
}

TEST_F(MockPimFaultTest, AClientThatLeftFirstIsJournaledAsHavingSeenNothing) {
  Start(Latency(absl::Seconds(1)));
  std::string token = Token();
  AddFault("status=503,retry_after=5s,route=list");
  auto ex = Get(token, "/api/rest/v1/locales");
  ex->GoAway();  // the client times out during the service time
  scheduler_.Advance(absl::Seconds(2));
  pimsim::v1::JournalEvent event = pim_->journal().Read(0, 100).back();
  EXPECT_TRUE(event.client_aborted());
  EXPECT_EQ(event.status(), 0u);
  EXPECT_EQ(event.retry_after_s(), -1);
  EXPECT_EQ(event.fault(), "fault-1");
}

TEST_F(MockPimFaultTest, RejectedRequestsAreNotFaulted) {
  Start("instances { name: 'default' limits { max_in_flight_per_connection: 1 } }" + Latency(absl::Seconds(1)));
  std::string token = Token();
  AddFault("status=500,route=list");
  auto first = Get(token, "/api/rest/v1/locales");
  auto second = Get(token, "/api/rest/v1/locales");
  EXPECT_EQ(second->response().status, 429);
  EXPECT_EQ(pim_->journal().Read(0, 100).back().fault(), "");
  scheduler_.Advance(absl::Seconds(1));
  EXPECT_EQ(first->response().status, 500);
}

}  // namespace
}  // namespace pimsim
