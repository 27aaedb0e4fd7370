#include "mock_pim/http/http_server.h"

#include <curl/curl.h>
#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "common/http_date.h"
#include "gtest/gtest.h"
#include "mock_pim/http/test_client.h"

namespace pimsim::http {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

// The test doubles synchronize with std::mutex: Debian's Abseil is not built
// for ThreadSanitizer, which cannot see absl::Mutex.
class Notice {
 public:
  void Notify() {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    cv_.notify_all();
  }
  bool HasBeenNotified() {
    std::lock_guard<std::mutex> lock(mu_);
    return done_;
  }
  bool WaitForNotificationWithTimeout(absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout), [this] { return done_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

// Runs fn on the exchange's loop `delay` from now (the loop's scheduler).
void After(const std::shared_ptr<Exchange>& ex, absl::Duration delay, std::function<void()> fn) {
  Scheduler& s = ex->scheduler();
  s.RunAt(s.Now() + delay, std::move(fn));
}

// A simulated clock, moved by the test thread and read by the server's.
class TestClock : public Clock {
 public:
  explicit TestClock(absl::Time start) : now_(start) {}
  absl::Time Now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Sleep(absl::Duration d) override { Advance(d); }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }

 private:
  std::mutex mu_;
  absl::Time now_;
};

std::string Get(std::string_view path, std::string_view extra = "") {
  return absl::StrCat("GET ", std::string(path), " HTTP/1.1\r\nHost: pim\r\n", std::string(extra),
                      "\r\n");
}

// Waits (in real time, bounded) for `cond`: these tests talk to real sockets.
template <typename F>
bool Eventually(F cond, absl::Duration timeout = absl::Seconds(5)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!cond()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

struct ParseErrorRecord {
  SocketId socket;
  int status;
  std::string reason;
};

// What an exchange's done callback reported. Read the fields only after
// `called` fired.
struct DoneRecord {
  Notice called;
  absl::Time time;
  bool client_aborted = false;
  DoneCallback Callback() {
    return [this](absl::Time t, bool aborted) {
      time = t;
      client_aborted = aborted;
      called.Notify();
    };
  }
};

// Runs `on_request` for every exchange (on the server's loops), or queues the
// exchange for the test thread when it is not set.
class TestHandler : public Handler {
 public:
  std::function<void(std::shared_ptr<Exchange>)> on_request;

  void Handle(std::shared_ptr<Exchange> exchange) override {
    if (on_request) {
      on_request(std::move(exchange));
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(exchange));
    cv_.notify_all();
  }

  void OnParseError(SocketId socket, int status, std::string_view reason,
                    absl::Time when) override {
    std::lock_guard<std::mutex> lock(mu_);
    errors_.push_back({socket, status, std::string(reason)});
  }

  std::shared_ptr<Exchange> Next(absl::Duration timeout = absl::Seconds(5)) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                      [this] { return !queue_.empty(); })) {
      return nullptr;
    }
    auto e = std::move(queue_.front());
    queue_.pop_front();
    return e;
  }

  std::vector<ParseErrorRecord> errors() {
    std::lock_guard<std::mutex> lock(mu_);
    return errors_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Exchange>> queue_;  // Guarded by mu_.
  std::vector<ParseErrorRecord> errors_;         // Guarded by mu_.
};

HttpResponse Text(std::string body, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.headers.push_back({"Content-Type", "text/plain"});
  r.body = std::move(body);
  return r;
}

// Answers "<METHOD> <path> <body>" at once.
void Echo(std::shared_ptr<Exchange> ex) {
  const HttpRequest& r = ex->request();
  ex->Respond(Text(absl::StrCat(r.method, " ", r.path, " ", r.body)), nullptr);
}

class ServerTest : public testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    if (options.threads == 0) options.threads = 2;
    auto server = Server::Create(std::move(options), &handler_, &clock_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    ASSERT_TRUE(server_->Start().ok());
  }

  std::unique_ptr<TestClient> Connect() {
    auto c = TestClient::Connect(server_->port());
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(*c) : nullptr;
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(1));
  }

  TestClock clock_{kStart};
  TestHandler handler_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, ServesManyRequestsOnOneKeepAliveConnection) {
  handler_.on_request = Echo;
  StartServer();
  auto c = Connect();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c->Send(Get(absl::StrCat("/p", i))));
    auto r = c->ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, absl::StrCat("GET /p", i, " "));
    EXPECT_EQ(r->Header("Content-Type"), "text/plain");
    EXPECT_EQ(r->Header("Date"), FormatHttpDate(absl::ToUnixSeconds(kStart)));
    EXPECT_EQ(r->Header("Connection"), "");
  }
  ASSERT_TRUE(Eventually([&] { return server_->stats().responses_written == 3; }));
  const ServerStats s = server_->stats();
  EXPECT_EQ(s.connections_accepted, 1u);
  EXPECT_EQ(s.connections_open, 1u);
  EXPECT_EQ(s.requests_parsed, 3u);
  EXPECT_EQ(s.parse_errors, 0u);
}

TEST_F(ServerTest, ReportsAddressAndPort) {
  StartServer();
  EXPECT_NE(server_->port(), 0);
  EXPECT_EQ(server_->address(), absl::StrCat("127.0.0.1:", server_->port()));
}

TEST_F(ServerTest, StampsExchangesWithTheInjectedClockAndSocketIds) {
  StartServer();
  auto c1 = Connect();
  auto c2 = Connect();
  ASSERT_TRUE(c1->Send(
      "POST /a HTTP/1.1\r\nHost: pim\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nab"));
  // The 100 shows the head was parsed; the body completes later on the
  // simulated clock.
  ASSERT_EQ(c1->ReadResponse()->status, 100);
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(c1->Send("c"));
  auto e1 = handler_.Next();
  ASSERT_NE(e1, nullptr);
  EXPECT_EQ(e1->arrival_time(), kStart);
  EXPECT_EQ(e1->body_complete_time(), kStart + absl::Seconds(2));
  EXPECT_EQ(e1->request().body, "abc");
  ASSERT_TRUE(c2->Send(Get("/b")));
  auto e2 = handler_.Next();
  ASSERT_NE(e2, nullptr);
  EXPECT_EQ(e2->arrival_time(), e2->body_complete_time());
  EXPECT_NE(e1->socket_id(), e2->socket_id());
  EXPECT_GE(e1->socket_id(), 1u);
  EXPECT_LE(e1->socket_id(), 2u);
  EXPECT_GE(e2->socket_id(), 1u);
  EXPECT_LE(e2->socket_id(), 2u);
  DoneRecord d1, d2;
  e1->Respond(Text("one"), d1.Callback());  // From the test thread.
  e2->Respond(Text("two"), d2.Callback());
  EXPECT_EQ(c1->ReadResponse()->body, "one");
  EXPECT_EQ(c2->ReadResponse()->body, "two");
  ASSERT_TRUE(d1.called.WaitForNotificationWithTimeout(absl::Seconds(5)));
  ASSERT_TRUE(d2.called.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(d1.client_aborted);
  EXPECT_EQ(d1.time, kStart + absl::Seconds(2));
}

TEST_F(ServerTest, DelaysResponsesOnTheLoopsScheduler) {
  DoneRecord done;
  handler_.on_request = [&done](std::shared_ptr<Exchange> ex) {
    After(ex, absl::Milliseconds(50), [ex, &done] { ex->Respond(Text("late"), done.Callback()); });
  };
  StartServer();
  auto c = Connect();
  const absl::Time t0 = absl::Now();
  ASSERT_TRUE(c->Send(Get("/")));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "late");
  EXPECT_GE(absl::Now() - t0, absl::Milliseconds(45));
  ASSERT_TRUE(done.called.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(done.client_aborted);
}

TEST_F(ServerTest, HandlesPipelinedRequestsOneAtATimeInOrder) {
  // Shared with the server's loop: the last done callback may run after the
  // client has read the last response, once this test body has returned.
  auto in_flight = std::make_shared<std::atomic<int>>(0);
  auto max_in_flight = std::make_shared<std::atomic<int>>(0);
  handler_.on_request = [in_flight, max_in_flight](std::shared_ptr<Exchange> ex) {
    const int now = ++*in_flight;
    int seen = max_in_flight->load();
    while (now > seen && !max_in_flight->compare_exchange_weak(seen, now)) {
    }
    // The first request is the slowest; answers must still come in order.
    const absl::Duration delay = ex->request().path == "/1" ? absl::Milliseconds(60)
                                                            : absl::ZeroDuration();
    After(ex, delay, [ex, in_flight] {
      ex->Respond(Text(ex->request().path), [in_flight](absl::Time, bool) { --*in_flight; });
    });
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/1") + "POST /2 HTTP/1.1\r\nHost: pim\r\nContent-Length: 1\r\n\r\nx" +
                      Get("/3")));
  for (const char* path : {"/1", "/2", "/3"}) {
    auto r = c->ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->body, path);
  }
  EXPECT_EQ(max_in_flight->load(), 1);
}

TEST_F(ServerTest, ReportsAClientResetDuringAPendingExchange) {
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/hang")));
  auto ex = handler_.Next();
  ASSERT_NE(ex, nullptr);
  EXPECT_FALSE(ex->client_gone());
  clock_.Advance(absl::Seconds(1));
  c->Reset();
  ASSERT_TRUE(Eventually([&] { return ex->client_gone(); }));
  clock_.Advance(absl::Seconds(1));
  DoneRecord done;
  ex->Respond(Text("too late"), done.Callback());
  ASSERT_TRUE(done.called.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_TRUE(done.client_aborted);
  EXPECT_EQ(done.time, kStart + absl::Seconds(1));  // When the reset was seen.
  EXPECT_EQ(server_->stats().client_aborts, 1u);
  ASSERT_TRUE(Eventually([&] { return server_->stats().connections_open == 0; }));
}

TEST_F(ServerTest, ReportsAClientCloseDuringAPendingExchange) {
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/hang")));
  auto ex = handler_.Next();
  ASSERT_NE(ex, nullptr);
  c.reset();  // Orderly close.
  ASSERT_TRUE(Eventually([&] { return ex->client_gone(); }));
  DoneRecord done;
  ex->Close(CloseMode::kOrderly, std::nullopt, 0, done.Callback());
  ASSERT_TRUE(done.called.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_TRUE(done.client_aborted);
}

TEST_F(ServerTest, TellsTheHandlerWhenTheClientGoesWhileItHoldsTheRequest) {
  StartServer();
  for (const bool reset : {true, false}) {
    auto c = Connect();
    ASSERT_TRUE(c->Send(Get("/hang")));
    auto ex = handler_.Next();
    ASSERT_NE(ex, nullptr);
    auto gone = std::make_shared<Notice>();
    ex->OnClientGone([gone] { gone->Notify(); });
    EXPECT_FALSE(gone->WaitForNotificationWithTimeout(absl::Milliseconds(20)));
    if (reset) {
      c->Reset();
    } else {
      c->ShutdownWrite();  // A FIN: the handler decides whether anyone waits.
    }
    ASSERT_TRUE(gone->WaitForNotificationWithTimeout(absl::Seconds(5))) << reset;
    EXPECT_TRUE(ex->client_gone());
    DoneRecord done;
    ex->Close(CloseMode::kOrderly, std::nullopt, 0, done.Callback());
    ASSERT_TRUE(done.called.WaitForNotificationWithTimeout(absl::Seconds(5)));
    EXPECT_TRUE(done.client_aborted);
  }
}

TEST_F(ServerTest, OnClientGoneRunsAtOnceForAClientAlreadyGoneAndNeverAfterTheAnswer) {
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/hang")));
  auto ex = handler_.Next();
  ASSERT_NE(ex, nullptr);
  c->Reset();
  ASSERT_TRUE(Eventually([&] { return ex->client_gone(); }));
  auto gone = std::make_shared<Notice>();
  ex->OnClientGone([gone] { gone->Notify(); });
  EXPECT_TRUE(gone->WaitForNotificationWithTimeout(absl::Seconds(5)));
  ex->Close(CloseMode::kOrderly, std::nullopt, 0, nullptr);

  // Answered first: the client leaving afterwards is none of the handler's
  // business.
  auto c2 = Connect();
  ASSERT_TRUE(c2->Send(Get("/hang")));
  auto ex2 = handler_.Next();
  ASSERT_NE(ex2, nullptr);
  auto late = std::make_shared<Notice>();
  ex2->OnClientGone([late] { late->Notify(); });
  DoneRecord done;
  ex2->Respond(Text("ok"), done.Callback());
  ASSERT_TRUE(c2->ReadResponse().ok());
  ASSERT_TRUE(done.called.WaitForNotificationWithTimeout(absl::Seconds(5)));
  c2->Reset();
  EXPECT_FALSE(late->WaitForNotificationWithTimeout(absl::Milliseconds(100)));
}

TEST_F(ServerTest, ACancelledSchedulerTaskNeverRunsNotEvenAtShutdown) {
  auto ran = std::make_shared<std::atomic<int>>(0);
  handler_.on_request = [ran](std::shared_ptr<Exchange> ex) {
    Scheduler& s = ex->scheduler();
    const Scheduler::TaskId soon = s.RunAt(s.Now() + absl::Milliseconds(30), [ran] { *ran += 1; });
    const Scheduler::TaskId later = s.RunAt(s.Now() + absl::Hours(1), [ran] { *ran += 100; });
    const Scheduler::TaskId now = s.RunAt(s.Now(), [ran] { *ran += 10'000; });
    s.Cancel(soon);
    s.Cancel(later);
    s.Cancel(now);
    After(ex, absl::Milliseconds(60), [ex] { ex->Respond(Text("done"), nullptr); });
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/")));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "done");
  server_->Shutdown(absl::Milliseconds(100));
  EXPECT_EQ(ran->load(), 0);
}

// Regression: a FIN after a complete request (shutdown(SHUT_WR)) was taken
// as an abort: no answer, and the exchange ended client_aborted.
TEST_F(ServerTest, AnswersARequestFollowedByAHalfCloseThenCloses) {
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/a")));
  c->ShutdownWrite();
  auto ex = handler_.Next();
  ASSERT_NE(ex, nullptr);
  ASSERT_TRUE(Eventually([&] { return ex->client_gone(); }));  // the FIN came first
  DoneRecord done;
  ex->Respond(Text("answer"), done.Callback());
  ex.reset();
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "answer");
  const TestClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TestClient::End::kEof);
  EXPECT_EQ(rest.data, "");
  ASSERT_TRUE(done.called.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(done.client_aborted);
  EXPECT_EQ(server_->stats().client_aborts, 0u);
  ASSERT_TRUE(Eventually([&] { return server_->stats().connections_open == 0; }));
}

TEST_F(ServerTest, AnswersEveryPipelinedRequestSentBeforeAHalfClose) {
  StartServer();
  auto c = Connect();
  // The last request is incomplete: it is dropped, not answered.
  ASSERT_TRUE(c->Send(Get("/1") + "POST /2 HTTP/1.1\r\nHost: pim\r\nContent-Length: 1\r\n\r\nx" +
                      Get("/3") + "GET /4 HTTP/1.1\r\nHost"));
  c->ShutdownWrite();
  for (const char* path : {"/1", "/2", "/3"}) {
    auto ex = handler_.Next();
    ASSERT_NE(ex, nullptr) << path;
    ASSERT_TRUE(Eventually([&] { return ex->client_gone(); }));
    EXPECT_EQ(ex->request().path, path);
    ex->Respond(Text(path), nullptr);
  }
  for (const char* path : {"/1", "/2", "/3"}) {
    auto r = c->ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->body, path);
  }
  const TestClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TestClient::End::kEof);
  EXPECT_EQ(rest.data, "");
  EXPECT_EQ(server_->stats().requests_parsed, 3u);
  EXPECT_EQ(handler_.Next(absl::Milliseconds(50)), nullptr);
}

TEST_F(ServerTest, AHalfClosedClientGetsALargeResponseWhole) {
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/big")));
  c->ShutdownWrite();
  auto ex = handler_.Next();
  ASSERT_NE(ex, nullptr);
  // The FIN is seen while the exchange is pending: a hint, not an abort.
  ASSERT_TRUE(Eventually([&] { return ex->client_gone(); }));
  std::string big(8 << 20, 'B');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i / 4096 % 26);
  DoneRecord done;
  ex->Respond(Text(big), done.Callback());
  ex.reset();
  auto r = c->ReadResponse(absl::Seconds(30));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->body == big) << "got " << r->body.size() << " bytes of " << big.size();
  EXPECT_EQ(c->ReadUntilClosed().end, TestClient::End::kEof);
  ASSERT_TRUE(done.called.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(done.client_aborted);
  EXPECT_EQ(server_->stats().client_aborts, 0u);
}

TEST_F(ServerTest, AHalfCloseWithAnIncompleteRequestClosesWithoutAnAnswer) {
  handler_.on_request = Echo;
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send("POST /x HTTP/1.1\r\nHost: pim\r\nContent-Length: 10\r\n\r\nabc"));
  c->ShutdownWrite();
  const TestClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TestClient::End::kEof);
  EXPECT_EQ(rest.data, "");
  EXPECT_EQ(server_->stats().requests_parsed, 0u);
}

TEST_F(ServerTest, CloseWithResetIsSeenAsConnectionReset) {
  DoneRecord done;
  handler_.on_request = [&done](std::shared_ptr<Exchange> ex) {
    ex->Close(CloseMode::kReset, std::nullopt, 0, done.Callback());
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/")));
  const TestClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TestClient::End::kReset);
  EXPECT_EQ(rest.data, "");
  ASSERT_TRUE(done.called.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(done.client_aborted);
  EXPECT_EQ(server_->stats().faults_closed, 1u);
}

TEST_F(ServerTest, OrderlyCloseIsSeenAsEof) {
  handler_.on_request = [](std::shared_ptr<Exchange> ex) {
    ex->Close(CloseMode::kOrderly, std::nullopt, 0, nullptr);
  };
  StartServer();
  auto c = Connect();
  // A pipelined request still unread must not turn the FIN into a RST.
  ASSERT_TRUE(c->Send(Get("/") + Get("/unread")));
  const TestClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TestClient::End::kEof);
  EXPECT_EQ(rest.data, "");
}

TEST_F(ServerTest, CutsAResponseOffMidBody) {
  std::string expected;
  DoneRecord done;
  handler_.on_request = [&](std::shared_ptr<Exchange> ex) {
    HttpResponse full = Text(std::string(1000, 'b'));
    const std::string date = FormatHttpDate(absl::ToUnixSeconds(kStart));
    ResponseFraming framing;
    framing.date = date;
    SerializeResponseHead(full, framing, &expected);
    expected += full.body.substr(0, 100);  // the whole head, then 100 body bytes
    ex->Close(CloseMode::kOrderly, std::move(full), 100, done.Callback());
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/")));
  const TestClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TestClient::End::kEof);
  EXPECT_EQ(rest.data, expected);
  ASSERT_TRUE(done.called.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(done.client_aborted);
}

TEST_F(ServerTest, CutsAResponseOffWithAReset) {
  handler_.on_request = [&](std::shared_ptr<Exchange> ex) {
    ex->Close(CloseMode::kReset, Text(std::string(1000, 'b')), 50, nullptr);
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/")));
  const TestClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TestClient::End::kReset);
  // A reset may discard what was in flight, so at most the head and 50 bytes arrive.
  EXPECT_EQ(rest.data.find(std::string(51, 'b')), std::string::npos);
}

TEST_F(ServerTest, DroppingAnExchangeUnansweredResetsTheConnection) {
  handler_.on_request = [](std::shared_ptr<Exchange>) {};
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/")));
  EXPECT_EQ(c->ReadUntilClosed().end, TestClient::End::kReset);
}

TEST_F(ServerTest, SendsContinueBeforeReadingTheBody) {
  handler_.on_request = Echo;
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(
      "PUT /x HTTP/1.1\r\nHost: pim\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = c->ReadResponse();
  ASSERT_TRUE(interim.ok()) << interim.status();
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c->Send("hello"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "PUT /x hello");
}

TEST_F(ServerTest, DechunksRequestBodies) {
  handler_.on_request = Echo;
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send("POST /c HTTP/1.1\r\nHost: pim\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "3\r\nabc\r\n"));
  ASSERT_TRUE(c->Send("2;x=y\r\nde\r\n0\r\nTrailer: 1\r\n\r\n"));
  EXPECT_EQ(c->ReadResponse()->body, "POST /c abcde");
}

struct BadInput {
  std::string bytes;
  int status;
};

TEST_F(ServerTest, AnswersParseErrorsClosesAndKeepsServingOthers) {
  handler_.on_request = Echo;
  ServerOptions options;
  options.limits.max_body_bytes = 1024;
  options.limits.max_header_bytes = 1024;
  options.limits.max_target_bytes = 256;
  StartServer(options);
  auto good = Connect();
  const std::vector<BadInput> inputs = {
      {"\x16\x03\x01\x02\x01\x01\x03\x01\xfc\x03\x03\r\n\r\n", 400},  // TLS-like
      {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
      {"GET / HTTP/1.1\r\n\r\n", 400},
      {"GET /" + std::string(300, 'a') + " HTTP/1.1\r\nHost: p\r\n\r\n", 414},
      {"GET / HTTP/1.1\r\nHost: p\r\nX: " + std::string(2000, 'a') + "\r\n\r\n", 431},
      {"POST / HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: br\r\n\r\n", 501},
      // The client keeps sending the body it announced: the 413 must still
      // reach it (the server drains instead of resetting).
      {"POST / HTTP/1.1\r\nHost: p\r\nContent-Length: 200000\r\n\r\n" + std::string(200000, 'z'),
       413},
  };
  int i = 0;
  for (const BadInput& in : inputs) {
    SCOPED_TRACE(in.status);
    auto c = Connect();
    std::thread sender([&c, &in] { c->Send(in.bytes); });
    auto r = c->ReadResponse();
    const TestClient::End end = c->ReadUntilClosed().end;
    sender.join();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, in.status);
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_EQ(r->Header("Content-Type"), "application/json");
    EXPECT_EQ(r->body.rfind(absl::StrCat("{\"code\":", in.status, ",\"message\":\""), 0), 0u)
        << r->body;
    EXPECT_EQ(end, TestClient::End::kEof);
    // The other connection is unaffected.
    ASSERT_TRUE(good->Send(Get(absl::StrCat("/still-here/", i++))));
    auto ok = good->ReadResponse();
    ASSERT_TRUE(ok.ok()) << ok.status();
    EXPECT_EQ(ok->status, 200);
  }
  const auto errors = handler_.errors();
  ASSERT_EQ(errors.size(), inputs.size());
  for (size_t k = 0; k < inputs.size(); ++k) {
    EXPECT_EQ(errors[k].status, inputs[k].status);
    EXPECT_FALSE(errors[k].reason.empty());
  }
  const ServerStats s = server_->stats();
  EXPECT_EQ(s.parse_errors, inputs.size());
  EXPECT_EQ(s.parse_errors_by_status.at(400), 2u);
  EXPECT_EQ(s.parse_errors_by_status.at(413), 1u);
  // Every rejected connection is gone once its client is.
  EXPECT_TRUE(Eventually([&] { return server_->stats().connections_open == 1; }));
}

TEST_F(ServerTest, AnswersASlowHeadWith408) {
  ServerOptions options;
  options.header_timeout = absl::Milliseconds(100);
  StartServer(options);
  auto c = Connect();
  ASSERT_TRUE(c->Send("GET / HTTP/1.1\r\nHo"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 408);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_EQ(c->ReadUntilClosed().end, TestClient::End::kEof);
  ASSERT_EQ(handler_.errors().size(), 1u);
  EXPECT_EQ(handler_.errors()[0].status, 408);
  EXPECT_EQ(server_->stats().timeouts, 1u);
}

TEST_F(ServerTest, AnswersAStalledBodyWith408) {
  ServerOptions options;
  options.idle_timeout = absl::Milliseconds(100);
  StartServer(options);
  auto c = Connect();
  ASSERT_TRUE(c->Send("POST / HTTP/1.1\r\nHost: p\r\nContent-Length: 10\r\n\r\nabc"));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 408);
}

TEST_F(ServerTest, AnswersABodyTrickledPastTheBodyTimeoutWith408) {
  ServerOptions options;
  options.body_timeout = absl::Milliseconds(200);
  options.idle_timeout = absl::Seconds(30);
  StartServer(options);
  auto c = Connect();
  ASSERT_TRUE(c->Send("POST / HTTP/1.1\r\nHost: p\r\nContent-Length: 100\r\n\r\na"));
  // A byte every 40 ms never stalls for idle_timeout, but the body as a
  // whole is late.
  for (int i = 0; i < 12 && c->Send("b"); ++i) absl::SleepFor(absl::Milliseconds(40));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(absl::StrContains(r->body, "request body timeout")) << r->body;
  ASSERT_EQ(handler_.errors().size(), 1u);
  EXPECT_EQ(handler_.errors()[0].status, 408);
  EXPECT_EQ(server_->stats().timeouts, 1u);
}

TEST_F(ServerTest, AbandonsAResponseItsClientLeavesUnread) {
  DoneRecord done;
  handler_.on_request = [&](std::shared_ptr<Exchange> ex) {
    ex->Respond(Text(std::string(64 << 20, 'x')), done.Callback());
  };
  ServerOptions options;
  options.idle_timeout = absl::Milliseconds(200);
  StartServer(options);
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/big")));  // And never reads.
  ASSERT_TRUE(done.called.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(done.client_aborted);
  EXPECT_EQ(server_->stats().write_timeouts, 1u);
  EXPECT_TRUE(Eventually([&] { return server_->stats().connections_open == 0; }));
}

TEST_F(ServerTest, ClosesIdleConnectionsSilently) {
  handler_.on_request = Echo;
  ServerOptions options;
  options.idle_timeout = absl::Milliseconds(100);
  StartServer(options);
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/")));
  ASSERT_TRUE(c->ReadResponse().ok());
  const TestClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TestClient::End::kEof);
  EXPECT_EQ(rest.data, "");
  EXPECT_TRUE(handler_.errors().empty());
}

TEST_F(ServerTest, DoesNotTimeOutAPendingExchange) {
  ServerOptions options;
  options.idle_timeout = absl::Milliseconds(50);
  options.header_timeout = absl::Milliseconds(50);
  StartServer(options);
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/hang")));
  auto ex = handler_.Next();
  ASSERT_NE(ex, nullptr);
  absl::SleepFor(absl::Milliseconds(200));  // A hang, as the core may inject.
  EXPECT_FALSE(ex->client_gone());
  ex->Respond(Text("finally"), nullptr);
  EXPECT_EQ(c->ReadResponse()->body, "finally");
}

TEST_F(ServerTest, ClosesAfterConnectionCloseAndHttp10) {
  handler_.on_request = Echo;
  StartServer();
  {
    auto c = Connect();
    ASSERT_TRUE(c->Send(Get("/", "Connection: close\r\n")));
    auto r = c->ReadResponse();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_EQ(c->ReadUntilClosed().end, TestClient::End::kEof);
  }
  {
    auto c = Connect();
    ASSERT_TRUE(c->Send("GET / HTTP/1.0\r\n\r\n"));
    auto r = c->ReadResponse();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_EQ(c->ReadUntilClosed().end, TestClient::End::kEof);
  }
  {
    auto c = Connect();
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(c->Send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
      auto r = c->ReadResponse();
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->Header("Connection"), "keep-alive");
    }
  }
}

TEST_F(ServerTest, ClosesWhenTheHandlerAsks) {
  handler_.on_request = [](std::shared_ptr<Exchange> ex) {
    HttpResponse r = Text("bye");
    r.close = true;
    ex->Respond(std::move(r), nullptr);
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/")));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_EQ(c->ReadUntilClosed().end, TestClient::End::kEof);
}

TEST_F(ServerTest, SendsNoBodyForHead) {
  handler_.on_request = [](std::shared_ptr<Exchange> ex) { ex->Respond(Text("abc"), nullptr); };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send("HEAD / HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n"));
  const TestClient::Rest rest = c->ReadUntilClosed();
  EXPECT_NE(rest.data.find("Content-Length: 3\r\n"), std::string::npos);
  EXPECT_EQ(rest.data.substr(rest.data.size() - 4), "\r\n\r\n");
}

TEST_F(ServerTest, WritesLargeBodies) {
  const std::string big(4 << 20, 'L');
  handler_.on_request = [&big](std::shared_ptr<Exchange> ex) {
    ex->Respond(Text(big + ex->request().body), nullptr);
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send("POST / HTTP/1.1\r\nHost: p\r\nContent-Length: 1000000\r\n\r\n" +
                      std::string(1000000, 'u')));
  auto r = c->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body.size(), big.size() + 1000000);
}

TEST_F(ServerTest, WritesALargeConstantBodyExactlyAcrossPartialWrites) {
  // Larger than a socket buffer: the kernel takes part of it at once and the
  // rest goes out asynchronously, from the right offset.
  static const std::string* const kBody = [] {
    auto* body = new std::string;
    for (int i = 0; body->size() < (3 << 20); ++i) body->append(std::to_string(i)).push_back(',');
    return body;
  }();
  handler_.on_request = [](std::shared_ptr<Exchange> ex) {
    HttpResponse r;
    r.content_type = "text/plain";
    r.constant_body = *kBody;
    ex->Respond(std::move(r), nullptr);
  };
  StartServer();
  auto c = Connect();
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(c->Send(Get("/")));
    auto r = c->ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->body == *kBody) << "got " << r->body.size() << " bytes of " << kBody->size();
  }
}

TEST_F(ServerTest, CutsAConstantBodyOffMidBody) {
  static constexpr char kBody[] = "0123456789abcdefghij";
  handler_.on_request = [](std::shared_ptr<Exchange> ex) {
    HttpResponse r;
    r.constant_body = kBody;
    ex->Close(CloseMode::kOrderly, std::move(r), 7, nullptr);
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/")));
  const TestClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TestClient::End::kEof);
  EXPECT_NE(rest.data.find("Content-Length: 20\r\n"), std::string::npos);
  EXPECT_TRUE(absl::EndsWith(rest.data, "\r\n\r\n0123456"));
}

TEST_F(ServerTest, ServesManyConcurrentConnections) {
  handler_.on_request = [](std::shared_ptr<Exchange> ex) {
    const absl::Duration delay = absl::Microseconds(ex->socket_id() % 7 * 100);
    After(ex, delay, [ex] { ex->Respond(Text(ex->request().path), nullptr); });
  };
  StartServer();
  constexpr int kThreads = 8;
  constexpr int kConnectionsPerThread = 25;
  constexpr int kRequests = 10;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::unique_ptr<TestClient>> clients;
      for (int i = 0; i < kConnectionsPerThread; ++i) {
        auto c = TestClient::Connect(server_->port());
        if (c.ok()) clients.push_back(std::move(*c));
      }
      for (int k = 0; k < kRequests; ++k) {
        for (size_t i = 0; i < clients.size(); ++i) {
          clients[i]->Send(Get(absl::StrCat("/", t, "/", i, "/", k)));
        }
        for (size_t i = 0; i < clients.size(); ++i) {
          auto r = clients[i]->ReadResponse();
          if (r.ok() && r->body == absl::StrCat("/", t, "/", i, "/", k)) ++ok;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kConnectionsPerThread * kRequests);
  const ServerStats s = server_->stats();
  EXPECT_EQ(s.connections_accepted, static_cast<uint64_t>(kThreads * kConnectionsPerThread));
  EXPECT_EQ(s.requests_parsed, static_cast<uint64_t>(kThreads * kConnectionsPerThread * kRequests));
}

TEST_F(ServerTest, RefusesANewcomerWhenEveryConnectionHoldsAnUnansweredRequest) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  auto c1 = Connect();
  auto c2 = Connect();
  ASSERT_TRUE(c1->Send(Get("/1")));
  ASSERT_TRUE(c2->Send(Get("/2")));
  auto ex1 = handler_.Next();
  auto ex2 = handler_.Next();
  ASSERT_NE(ex1, nullptr);
  ASSERT_NE(ex2, nullptr);
  if (ex1->request().path != "/1") std::swap(ex1, ex2);  // The loops race.
  auto c3 = Connect();
  ASSERT_TRUE(c3->Send(Get("/3")));
  const TestClient::End end = c3->ReadUntilClosed().end;
  EXPECT_TRUE(end == TestClient::End::kEof || end == TestClient::End::kReset);
  EXPECT_EQ(server_->stats().connections_rejected, 1u);
  EXPECT_EQ(server_->stats().connections_evicted, 0u);
  // Once answered, a connection may make room: the newcomer takes its place.
  ex1->Respond(Text("one"), nullptr);
  ASSERT_EQ(c1->ReadResponse()->body, "one");
  auto c4 = Connect();
  ASSERT_TRUE(c4->Send(Get("/4")));
  auto ex4 = handler_.Next();
  ASSERT_NE(ex4, nullptr);
  ex4->Respond(Text("four"), nullptr);
  EXPECT_EQ(c4->ReadResponse()->body, "four");
  EXPECT_EQ(c1->ReadUntilClosed().end, TestClient::End::kEof);
  const ServerStats s = server_->stats();
  EXPECT_EQ(s.connections_evicted, 1u);
  EXPECT_EQ(s.connections_rejected, 1u);
  EXPECT_EQ(s.connections_open, 2u);
  EXPECT_EQ(s.connections_limit, 2u);
  ex2->Respond(Text("two"), nullptr);
  EXPECT_EQ(c2->ReadResponse()->body, "two");
}

TEST_F(ServerTest, SlowAndIdleClientsFillingTheTableCannotLockOutAWorkingClient) {
  handler_.on_request = Echo;
  ServerOptions options;
  options.max_connections = 8;
  StartServer(options);
  // Idle sockets, slow heads and slow bodies fill the table.
  std::vector<std::unique_ptr<TestClient>> slow;
  for (int i = 0; i < 8; ++i) {
    slow.push_back(Connect());
    if (i % 3 == 1) {
      ASSERT_TRUE(slow.back()->Send("GET / HTTP/1.1\r\nHo"));
    } else if (i % 3 == 2) {
      ASSERT_TRUE(slow.back()->Send("POST / HTTP/1.1\r\nContent-Length: 9\r\n\r\na"));
    }
  }
  ASSERT_TRUE(Eventually([&] { return server_->stats().connections_accepted == 8; }));
  ASSERT_EQ(server_->stats().connections_open, 8u);
  // A working client gets in, and stays in while more slow sockets arrive:
  // each newcomer evicts the oldest of the slow ones.
  auto working = Connect();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(working->Send(Get(absl::StrCat("/w", i))));
    auto r = working->ReadResponse();
    ASSERT_TRUE(r.ok()) << "request " << i << ": " << r.status();
    EXPECT_EQ(r->body, absl::StrCat("GET /w", i, " "));
    slow.push_back(Connect());
    ASSERT_TRUE(slow.back()->Send("GET / HTTP/1.1\r\nHo"));
    ASSERT_TRUE(Eventually([&] { return server_->stats().connections_accepted == 10u + i; }));
  }
  const ServerStats s = server_->stats();
  EXPECT_EQ(s.connections_evicted, 21u);
  EXPECT_EQ(s.connections_rejected, 0u);
  EXPECT_EQ(s.connections_open, 8u);
  EXPECT_EQ(s.requests_parsed, 20u);
  // The first slow ones were closed without an answer.
  const TestClient::End end = slow[0]->ReadUntilClosed().end;
  EXPECT_TRUE(end == TestClient::End::kEof || end == TestClient::End::kReset);
}

TEST_F(ServerTest, EvictsAConnectionClosingAfterItsLastResponseFirst) {
  handler_.on_request = Echo;
  ServerOptions options;
  options.max_connections = 2;
  options.threads = 1;
  StartServer(options);
  auto idle = Connect();
  ASSERT_TRUE(Eventually([&] { return server_->stats().connections_open == 1; }));
  // Answered with Connection: close and never closed by its client: it
  // lingers, and is the first to go although it is the most recent.
  auto closing = Connect();
  ASSERT_TRUE(closing->Send(Get("/", "Connection: close\r\n")));
  ASSERT_EQ(closing->ReadResponse()->status, 200);
  auto newcomer = Connect();
  ASSERT_TRUE(newcomer->Send(Get("/n")));
  EXPECT_EQ(newcomer->ReadResponse()->status, 200);
  EXPECT_EQ(server_->stats().connections_evicted, 1u);
  ASSERT_TRUE(idle->Send(Get("/i")));
  EXPECT_EQ(idle->ReadResponse()->status, 200);
}

TEST_F(ServerTest, ShutdownLetsPendingExchangesFinish) {
  StartServer();
  auto busy = Connect();
  auto idle = Connect();
  ASSERT_TRUE(busy->Send(Get("/slow")));
  auto ex = handler_.Next();
  ASSERT_NE(ex, nullptr);
  ASSERT_TRUE(Eventually([&] { return server_->stats().connections_open == 2; }));
  std::thread stopper([this] { server_->Shutdown(absl::Seconds(10)); });
  // The idle connection goes at once; the busy one gets its answer.
  EXPECT_EQ(idle->ReadUntilClosed().end, TestClient::End::kEof);
  DoneRecord done;
  ex->Respond(Text("last"), done.Callback());
  auto r = busy->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "last");
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_EQ(busy->ReadUntilClosed().end, TestClient::End::kEof);
  ASSERT_TRUE(done.called.WaitForNotificationWithTimeout(absl::Seconds(5)));
  EXPECT_FALSE(done.client_aborted);
  stopper.join();
  ex.reset();
  EXPECT_FALSE(TestClient::Connect(server_->port()).ok());
}

TEST_F(ServerTest, ShutdownRunsPendingSchedulerTasksAndEndsHungExchanges) {
  Notice after_ran;
  DoneRecord done;
  std::shared_ptr<Exchange> hung;
  handler_.on_request = [&](std::shared_ptr<Exchange> ex) {
    After(ex, absl::Hours(1), [&after_ran] { after_ran.Notify(); });
    ex->Respond(Text("x"), nullptr);
  };
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/")));
  ASSERT_TRUE(c->ReadResponse().ok());
  server_->Shutdown(absl::Milliseconds(100));
  EXPECT_TRUE(after_ran.HasBeenNotified());
}

// Answers 503 when the server drains, as the mock does, else echoes.
void EchoUnlessDraining(std::shared_ptr<Exchange> ex) {
  if (ex->server_draining()) {
    ex->Respond(JsonErrorResponse(503, "draining"), nullptr);
    return;
  }
  Echo(std::move(ex));
}

TEST_F(ServerTest, HandsRequestsArrivingDuringTheDrainToTheHandlerAsDraining) {
  handler_.on_request = EchoUnlessDraining;
  ServerOptions options;
  options.drain_quiet_time = absl::Seconds(5);
  StartServer(options);
  auto kept_alive = Connect();
  ASSERT_TRUE(kept_alive->Send(Get("/before")));
  auto before = kept_alive->ReadResponse();
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->status, 200);
  EXPECT_EQ(before->Header("Connection"), "");
  auto fresh = Connect();  // Accepted, nothing sent yet.
  ASSERT_TRUE(Eventually([&] { return server_->stats().connections_open == 2; }));
  std::thread stopper([this] { server_->Shutdown(absl::Seconds(10)); });
  ASSERT_TRUE(Eventually([&] { return server_->stats().draining; }));
  for (TestClient* c : {kept_alive.get(), fresh.get()}) {
    ASSERT_TRUE(c->Send(Get("/during")));
    auto r = c->ReadResponse();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(r->body, R"({"code":503,"message":"draining"})");
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_EQ(c->ReadUntilClosed().end, TestClient::End::kEof);
  }
  stopper.join();
  EXPECT_EQ(server_->stats().requests_parsed, 3u);
}

TEST_F(ServerTest, ClosesQuietConnectionsDuringTheDrainAfterTheQuietTime) {
  handler_.on_request = Echo;
  ServerOptions options;
  options.drain_quiet_time = absl::Milliseconds(100);
  StartServer(options);
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/")));
  ASSERT_TRUE(c->ReadResponse().ok());
  const absl::Time start = absl::Now();
  server_->Shutdown(absl::Seconds(10));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  const TestClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TestClient::End::kEof);
  EXPECT_EQ(rest.data, "");
}

TEST_F(ServerTest, AnswersAConnectionTheKernelAcceptedJustBeforeTheDrain) {
  Notice entered;
  Notice release;
  handler_.on_request = [&](std::shared_ptr<Exchange> ex) {
    if (ex->request().path == "/block") {
      // Holds the only loop, so the next connection waits in the backlog.
      entered.Notify();
      release.WaitForNotificationWithTimeout(absl::Seconds(5));
      ex->Respond(Text("unblocked"), nullptr);
      return;
    }
    EchoUnlessDraining(std::move(ex));
  };
  ServerOptions options;
  options.threads = 1;
  StartServer(options);
  auto blocker = Connect();
  ASSERT_TRUE(blocker->Send(Get("/block")));
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(5)));
  auto late = Connect();
  ASSERT_TRUE(late->Send(Get("/late")));
  std::thread stopper([this] { server_->Shutdown(absl::Seconds(10)); });
  ASSERT_TRUE(Eventually([&] { return server_->stats().draining; }));
  release.Notify();
  auto r = late->ReadResponse();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->Header("Connection"), "close");
  auto b = blocker->ReadResponse();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->body, "unblocked");
  EXPECT_EQ(b->Header("Connection"), "close");
  stopper.join();
  EXPECT_EQ(server_->stats().connections_rejected, 0u);
}

// Exits 0 if Create fits max_connections to lowered descriptor limits.
[[noreturn]] void CheckDescriptorFitting() {
  rlimit low;
  low.rlim_cur = 600;
  low.rlim_max = 2000;
  if (::setrlimit(RLIMIT_NOFILE, &low) != 0) std::_Exit(10);
  TestHandler handler;
  TestClock clock(kStart);
  ServerOptions options;
  options.threads = 1;
  options.max_connections = 1000;
  auto fits = Server::Create(options, &handler, &clock);
  if (!fits.ok() || (*fits)->stats().connections_limit != 1000) std::_Exit(11);
  rlimit now;
  ::getrlimit(RLIMIT_NOFILE, &now);
  if (now.rlim_cur != 1256) std::_Exit(12);  // Raised: 1000 + the reserve.
  options.max_connections = 10000;
  auto capped = Server::Create(options, &handler, &clock);
  if (!capped.ok() || (*capped)->stats().connections_limit != 2000 - 256) std::_Exit(13);
  std::_Exit(0);
}

TEST(ServerDescriptorsTest, FitsMaxConnectionsToTheDescriptorLimit) {
  // In a child process: the check lowers the descriptor limits.
  EXPECT_EXIT(CheckDescriptorFitting(), testing::ExitedWithCode(0), "");
}

TEST_F(ServerTest, CreateFailsClearlyOnBadOrBusyAddresses) {
  ServerOptions bad;
  bad.host = "not-an-address";
  auto s1 = Server::Create(bad, &handler_, &clock_);
  EXPECT_EQ(s1.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s1.status().message().find("not-an-address"), absl::string_view::npos);

  StartServer();
  ServerOptions busy;
  busy.port = server_->port();
  auto s2 = Server::Create(busy, &handler_, &clock_);
  EXPECT_EQ(s2.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(s2.status().message().find("cannot bind"), absl::string_view::npos)
      << s2.status();
}

TEST_F(ServerTest, SurvivesRandomGarbageOnManyConnections) {
  handler_.on_request = Echo;
  StartServer();
  uint32_t x = 42;
  auto next = [&x] {
    x = x * 1664525 + 1013904223;
    return x >> 24;
  };
  for (int round = 0; round < 50; ++round) {
    auto c = Connect();
    std::string junk = round % 2 ? "POST / HTTP/1.1\r\nHost: p\r\nContent-Length: 5\r\n" : "";
    for (int i = 0; i < 200; ++i) junk.push_back(static_cast<char>(next()));
    c->Send(junk);
    if (round % 3 == 0) c->Reset();
  }
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/alive")));
  EXPECT_EQ(c->ReadResponse()->body, "GET /alive ");
}

// libcurl, a real client: keep-alive reuse, Expect: 100-continue, chunked
// uploads.
size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

TEST_F(ServerTest, WorksWithLibcurl) {
  handler_.on_request = Echo;
  StartServer();
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* curl = curl_easy_init();
  ASSERT_NE(curl, nullptr);
  std::string body;
  const std::string base = absl::StrCat("http://", server_->address());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_URL, (base + "/api/rest/v1/products?limit=1").c_str());
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  EXPECT_EQ(body, "GET /api/rest/v1/products ");
  body.clear();
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  long new_connections = -1;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &new_connections);
  EXPECT_EQ(new_connections, 0);  // Kept alive.

  // A large POST makes curl send Expect: 100-continue.
  const std::string payload(200000, 'p');
  body.clear();
  curl_easy_setopt(curl, CURLOPT_URL, (base + "/post").c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  EXPECT_EQ(body, "POST /post " + payload);

  // A chunked upload.
  body.clear();
  curl_slist* headers = curl_slist_append(nullptr, "Transfer-Encoding: chunked");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  std::string source = "chunky";
  curl_easy_setopt(curl, CURLOPT_READFUNCTION,
                   +[](char* buf, size_t size, size_t n, void* src) -> size_t {
                     auto* s = static_cast<std::string*>(src);
                     const size_t k = std::min(size * n, s->size());
                     std::memcpy(buf, s->data(), k);
                     s->erase(0, k);
                     return k;
                   });
  curl_easy_setopt(curl, CURLOPT_READDATA, &source);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, -1L);
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  EXPECT_EQ(body, "POST /post chunky");
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
}

}  // namespace
}  // namespace pimsim::http
