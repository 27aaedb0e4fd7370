// An in-process mock PIM on 127.0.0.1, port 0, for integration tests: a
// MockPim behind the real HTTP server and the real clock.
//
//   TestServer server("instances { name: 'default' seed { products: 10 } }");
//   TestClient client(server.port());
#ifndef PIMSIM_TESTS_TEST_SERVER_H_
#define PIMSIM_TESTS_TEST_SERVER_H_

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "google/protobuf/text_format.h"
#include "mock_pim/config/scenario_config.h"
#include "mock_pim/http/http_server.h"
#include "mock_pim/mock_pim.h"

namespace pimsim::testing {

class TestServer {
 public:
  explicit TestServer(const std::string& scenario_text, http::ServerOptions options = {}) {
    pimsim::v1::Scenario scenario;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(scenario_text, &scenario));
    absl::Status valid = config::ValidateScenario(scenario);
    EXPECT_TRUE(valid.ok()) << valid;
    auto pim = MockPim::Create(config::WithDefaults(scenario), &RealClock::Get());
    EXPECT_TRUE(pim.ok()) << pim.status();
    pim_ = *std::move(pim);
    options.host = "127.0.0.1";
    options.port = 0;
    if (options.threads == 0) options.threads = 2;
    auto server = http::Server::Create(options, pim_.get(), &RealClock::Get());
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    EXPECT_TRUE(server_->Start().ok());
  }
  ~TestServer() { server_->Shutdown(absl::Seconds(2)); }

  uint16_t port() const { return server_->port(); }
  MockPim& pim() { return *pim_; }
  http::Server& server() { return *server_; }

 private:
  std::unique_ptr<MockPim> pim_;
  std::unique_ptr<http::Server> server_;
};

// A latency block giving every route the same fixed service time.
inline std::string FixedLatency(absl::Duration d) {
  int64_t ns = absl::ToInt64Nanoseconds(d);
  std::string fixed = "{ fixed { seconds: " + std::to_string(ns / 1'000'000'000) +
                      " nanos: " + std::to_string(ns % 1'000'000'000) + " } }";
  return " latency { token " + fixed + " get_item " + fixed + " list " + fixed +
         " write_item " + fixed + " batch " + fixed + " other " + fixed + " } ";
}

}  // namespace pimsim::testing

#endif  // PIMSIM_TESTS_TEST_SERVER_H_
