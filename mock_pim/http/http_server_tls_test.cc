// The HTTP server in HTTPS mode (ServerOptions::tls): the same exchanges over
// TLS, faults that keep their socket-level meaning, and handshakes that fail
// or stall without harming anyone else. The clients are real: libcurl, and
// a small blocking OpenSSL client that reports exactly how the TLS stream
// ended (close_notify, a bare FIN, or a reset).
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "mock_pim/http/http_server.h"
#include "mock_pim/http/test_client.h"
#include "mock_pim/http/tls_certificate.h"
#include "openssl/err.h"
#include "openssl/ssl.h"

namespace pimsim::http {
namespace {

template <typename F>
bool Eventually(F cond, absl::Duration timeout = absl::Seconds(5)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!cond()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

HttpResponse Text(std::string body) {
  HttpResponse r;
  r.headers.push_back({"Content-Type", "text/plain"});
  r.body = std::move(body);
  return r;
}

// Answers "<METHOD> <path> <body>", or by the path: /reset and /disconnect
// close the connection that way, /cut sends the head and 10 bytes of a
// 1000-byte body, /big sends 1 MB.
class FaultingHandler : public Handler {
 public:
  void Handle(std::shared_ptr<Exchange> ex) override {
    handled_.fetch_add(1);
    const HttpRequest& r = ex->request();
    if (r.path == "/reset") {
      ex->Close(CloseMode::kReset, std::nullopt, 0, nullptr);
    } else if (r.path == "/disconnect") {
      ex->Close(CloseMode::kOrderly, std::nullopt, 0, nullptr);
    } else if (r.path == "/cut") {
      ex->Close(CloseMode::kOrderly, Text(std::string(1000, 'c')), 10, nullptr);
    } else if (r.path == "/big") {
      ex->Respond(Text(std::string(1 << 20, 'b')), nullptr);
    } else {
      ex->Respond(Text(absl::StrCat(r.method, " ", r.path, " ", r.body)), nullptr);
    }
  }
  int handled() const { return handled_.load(); }

 private:
  std::atomic<int> handled_{0};
};

// A blocking TLS client on OpenSSL that verifies the server against one CA
// file for `host` (a DNS name or an IP address).
class TlsClient {
 public:
  enum class End { kCloseNotify, kEofWithoutCloseNotify, kReset, kError };
  struct Rest {
    std::string data;
    End end = End::kError;
  };

  static std::unique_ptr<TlsClient> Connect(uint16_t port, const std::string& ca_file,
                                            const std::string& host, std::string* error) {
    auto c = std::unique_ptr<TlsClient>(new TlsClient());
    c->ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(c->ctx_, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(c->ctx_, ca_file.c_str(), nullptr) != 1) {
      *error = "cannot load " + ca_file;
      return nullptr;
    }
    c->fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(c->fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(c->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      *error = "connect failed";
      return nullptr;
    }
    c->ssl_ = SSL_new(c->ctx_);
    SSL_set_fd(c->ssl_, c->fd_);
    X509_VERIFY_PARAM* param = SSL_get0_param(c->ssl_);
    in_addr ip;
    if (inet_pton(AF_INET, host.c_str(), &ip) == 1) {
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
      SSL_set_tlsext_host_name(c->ssl_, host.c_str());
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
    if (SSL_connect(c->ssl_) != 1) {
      *error = absl::StrCat("handshake failed: ",
                            X509_verify_cert_error_string(SSL_get_verify_result(c->ssl_)), " ",
                            ERR_reason_error_string(ERR_get_error()) ?: "");
      return nullptr;
    }
    return c;
  }
  ~TlsClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }

  bool Send(const std::string& data) {
    return SSL_write(ssl_, data.data(), static_cast<int>(data.size())) ==
           static_cast<int>(data.size());
  }

  // One response framed by Content-Length; false when the stream ends first.
  bool ReadResponse(std::string* head, std::string* body) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    *head = buffer_.substr(0, end + 4);
    size_t length = 0;
    const size_t at = head->find("Content-Length: ");
    if (at != std::string::npos) {
      absl::SimpleAtoi(head->substr(at + 16, head->find("\r\n", at) - at - 16), &length);
    }
    while (buffer_.size() < end + 4 + length) {
      if (!Fill()) return false;
    }
    *body = buffer_.substr(end + 4, length);
    buffer_.erase(0, end + 4 + length);
    return true;
  }

  Rest ReadUntilClosed() {
    while (Fill()) {
    }
    Rest rest;
    rest.data = std::move(buffer_);
    rest.end = end_;
    return rest;
  }

 private:
  TlsClient() = default;

  bool Fill() {
    char buf[16384];
    ERR_clear_error();
    errno = 0;
    const int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n > 0) {
      buffer_.append(buf, static_cast<size_t>(n));
      return true;
    }
    const int e = SSL_get_error(ssl_, n);
    const unsigned long err = ERR_peek_error();
    if (e == SSL_ERROR_ZERO_RETURN) {
      end_ = End::kCloseNotify;
    } else if (e == SSL_ERROR_SYSCALL && errno == ECONNRESET) {
      end_ = End::kReset;
    } else if (e == SSL_ERROR_SSL && ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
      end_ = End::kEofWithoutCloseNotify;
    } else {
      end_ = End::kError;
    }
    return false;
  }

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  std::string buffer_;
  End end_ = End::kError;
};

std::string Get(const std::string& path, const std::string& extra = "") {
  return absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: localhost\r\n", extra, "\r\n");
}

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

class TlsServerTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    dir_ = new std::string(std::getenv("TEST_TMPDIR"));
    auto made = MakeServerCertificate({.not_before = absl::Now()});
    ASSERT_TRUE(made.ok()) << made.status();
    auto files = WriteCertificateFiles(*made, *dir_);
    ASSERT_TRUE(files.ok()) << files.status();
    files_ = new CertificateFiles(*files);
  }

  void StartServer(ServerOptions options = {}) {
    options.threads = 2;
    if (!options.tls.has_value()) options.tls = TlsOptions{files_->chain_file, files_->key_file};
    auto server = Server::Create(std::move(options), &handler_, &RealClock::Get());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    ASSERT_TRUE(server_->Start().ok());
  }

  std::unique_ptr<TlsClient> Connect(const std::string& host = "127.0.0.1") {
    std::string error;
    auto c = TlsClient::Connect(server_->port(), files_->ca_file, host, &error);
    EXPECT_NE(c, nullptr) << error;
    return c;
  }

  // One libcurl request; CURLcode, and the body and error text.
  CURLcode Curl(const std::string& url, std::string* body, std::string* error,
                const std::string& ca_file) {
    CURL* curl = curl_easy_init();
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
    if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
    const CURLcode code = curl_easy_perform(curl);
    *error = errbuf;
    curl_easy_cleanup(curl);
    return code;
  }

  std::string Url(const std::string& host, const std::string& path) {
    return absl::StrCat("https://", host, ":", server_->port(), path);
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(1));
  }

  static std::string* dir_;
  static CertificateFiles* files_;
  FaultingHandler handler_;
  std::unique_ptr<Server> server_;
};

std::string* TlsServerTest::dir_ = nullptr;
CertificateFiles* TlsServerTest::files_ = nullptr;

TEST_F(TlsServerTest, ServesLibcurlOverHttpsVerifiedFor127001AndLocalhost) {
  StartServer();
  EXPECT_TRUE(server_->tls());
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_CAINFO, files_->ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_URL, Url("127.0.0.1", "/api/rest/v1/products").c_str());
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  EXPECT_EQ(body, "GET /api/rest/v1/products ");
  body.clear();
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  long new_connections = -1;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &new_connections);
  EXPECT_EQ(new_connections, 0);  // Kept alive, one handshake.
  // A large POST (Expect: 100-continue) and a large response.
  const std::string payload(300000, 'p');
  body.clear();
  curl_easy_setopt(curl, CURLOPT_URL, Url("127.0.0.1", "/post").c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(payload.size()));
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  EXPECT_EQ(body, "POST /post " + payload);
  body.clear();
  curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(curl, CURLOPT_URL, Url("127.0.0.1", "/big").c_str());
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  EXPECT_EQ(body, std::string(1 << 20, 'b'));
  curl_easy_cleanup(curl);

  std::string error;
  body.clear();
  EXPECT_EQ(Curl(Url("localhost", "/by-name"), &body, &error, files_->ca_file), CURLE_OK)
      << error;
  EXPECT_EQ(body, "GET /by-name ");
  const ServerStats s = server_->stats();
  EXPECT_EQ(s.tls_handshakes, 2u);
  EXPECT_EQ(s.tls_handshake_failures, 0u);
  EXPECT_EQ(s.requests_parsed, 5u);
}

TEST_F(TlsServerTest, AClientWithoutTheCaRefusesTheServer) {
  StartServer();
  std::string body, error;
  // Debian's system CAs only.
  EXPECT_EQ(Curl(Url("127.0.0.1", "/"), &body, &error, ""), CURLE_PEER_FAILED_VERIFICATION)
      << error;
  EXPECT_EQ(handler_.handled(), 0);
  EXPECT_TRUE(Eventually([&] { return server_->stats().tls_handshake_failures == 1; }));
}

TEST_F(TlsServerTest, NegotiatesHttp11ByAlpn) {
  StartServer();
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_CAINFO, files_->ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);  // Offers h2 too.
  curl_easy_setopt(curl, CURLOPT_URL, Url("127.0.0.1", "/alpn").c_str());
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  long version = 0;
  curl_easy_getinfo(curl, CURLINFO_HTTP_VERSION, &version);
  EXPECT_EQ(version, CURL_HTTP_VERSION_1_1);
  EXPECT_EQ(body, "GET /alpn ");
  curl_easy_cleanup(curl);
}

TEST_F(TlsServerTest, AResetFaultIsAConnectionResetOverTls) {
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/reset")));
  const TlsClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TlsClient::End::kReset);
  EXPECT_EQ(rest.data, "");
  std::string body, error;
  EXPECT_EQ(Curl(Url("127.0.0.1", "/reset"), &body, &error, files_->ca_file), CURLE_RECV_ERROR);
  EXPECT_TRUE(absl::StrContains(error, "reset")) << error;
  EXPECT_EQ(server_->stats().faults_closed, 2u);
}

TEST_F(TlsServerTest, ADisconnectFaultIsABareFinWithoutCloseNotify) {
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/disconnect")));
  const TlsClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TlsClient::End::kEofWithoutCloseNotify);
  EXPECT_EQ(rest.data, "");
}

TEST_F(TlsServerTest, ACutResponseEndsMidBodyWithoutCloseNotify) {
  StartServer();
  auto c = Connect();
  ASSERT_TRUE(c->Send(Get("/cut")));
  const TlsClient::Rest rest = c->ReadUntilClosed();
  EXPECT_EQ(rest.end, TlsClient::End::kEofWithoutCloseNotify);
  ASSERT_TRUE(absl::StartsWith(rest.data, "HTTP/1.1 200 OK\r\n")) << rest.data;
  EXPECT_TRUE(absl::StrContains(rest.data, "Content-Length: 1000\r\n"));
  EXPECT_TRUE(absl::EndsWith(rest.data, "\r\n\r\n" + std::string(10, 'c'))) << rest.data;
}

TEST_F(TlsServerTest, TheServersOwnCloseSendsCloseNotify) {
  StartServer();
  auto c = Connect("localhost");
  ASSERT_TRUE(c->Send(Get("/first")));
  std::string head, body;
  ASSERT_TRUE(c->ReadResponse(&head, &body));
  EXPECT_EQ(body, "GET /first ");
  ASSERT_TRUE(c->Send(Get("/last", "Connection: close\r\n")));
  ASSERT_TRUE(c->ReadResponse(&head, &body));
  EXPECT_TRUE(absl::StrContains(head, "Connection: close\r\n")) << head;
  EXPECT_EQ(body, "GET /last ");
  EXPECT_EQ(c->ReadUntilClosed().end, TlsClient::End::kCloseNotify);
}

TEST_F(TlsServerTest, PlainHttpAndGarbageOnTheTlsPortAreRefusedAndCountedNotServed) {
  StartServer();
  auto tls = Connect();
  ASSERT_TRUE(tls->Send(Get("/before")));
  std::string head, body;
  ASSERT_TRUE(tls->ReadResponse(&head, &body));

  // Plain HTTP is told, in plain HTTP, that the port speaks HTTPS.
  auto plain = TestClient::Connect(server_->port());
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE((*plain)->Send(Get("/plain")));
  auto refused = (*plain)->ReadResponse(absl::Seconds(5));
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(refused->Header("Connection"), "close");
  EXPECT_TRUE(absl::StrContains(refused->body, "HTTPS port: use https://")) << refused->body;
  EXPECT_EQ((*plain)->ReadUntilClosed(absl::Seconds(5)).end, TestClient::End::kEof);

  auto garbage = TestClient::Connect(server_->port());
  ASSERT_TRUE(garbage.ok());
  std::string noise(4096, '\0');
  for (size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<char>((i * 7919 + 13) & 0xff);
  (*garbage)->Send(noise);
  EXPECT_NE((*garbage)->ReadUntilClosed(absl::Seconds(5)).end, TestClient::End::kTimeout);

  // The TLS client on its connection, and a new one, are served throughout.
  ASSERT_TRUE(tls->Send(Get("/after")));
  ASSERT_TRUE(tls->ReadResponse(&head, &body));
  EXPECT_EQ(body, "GET /after ");
  std::string error;
  body.clear();
  EXPECT_EQ(Curl(Url("127.0.0.1", "/new"), &body, &error, files_->ca_file), CURLE_OK) << error;
  EXPECT_EQ(handler_.handled(), 3);
  ASSERT_TRUE(Eventually([&] { return server_->stats().tls_handshake_failures == 2; }));
  EXPECT_EQ(server_->stats().requests_parsed, 3u);
}

TEST_F(TlsServerTest, ASilentClientIsClosedAtTheHandshakeTimeout) {
  ServerOptions options;
  options.tls_handshake_timeout = absl::Milliseconds(200);
  StartServer(options);
  auto silent = TestClient::Connect(server_->port());
  ASSERT_TRUE(silent.ok());
  const absl::Time start = absl::Now();
  // Meanwhile a real client is served.
  std::string body, error;
  EXPECT_EQ(Curl(Url("127.0.0.1", "/meanwhile"), &body, &error, files_->ca_file), CURLE_OK)
      << error;
  const TestClient::Rest rest = (*silent)->ReadUntilClosed(absl::Seconds(5));
  EXPECT_NE(rest.end, TestClient::End::kTimeout);
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  ASSERT_TRUE(Eventually([&] { return server_->stats().tls_handshake_timeouts == 1; }));
  EXPECT_EQ(server_->stats().tls_handshake_failures, 0u);
  EXPECT_TRUE(Eventually([&] { return server_->stats().connections_open == 0; }));
}

TEST_F(TlsServerTest, ManyConcurrentTlsClients) {
  StartServer();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::string error;
      auto c = TlsClient::Connect(server_->port(), files_->ca_file, "127.0.0.1", &error);
      if (c == nullptr) return;
      for (int i = 0; i < 20; ++i) {
        const std::string path = absl::StrCat("/t", t, "/", i);
        std::string head, body;
        if (!c->Send(Get(path)) || !c->ReadResponse(&head, &body)) return;
        if (body != absl::StrCat("GET ", path, " ")) return;
      }
      ok.fetch_add(1);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(server_->stats().tls_handshakes, 8u);
}

TEST_F(TlsServerTest, CreateFailsClearlyOnAMissingOrMismatchedCertificate) {
  ServerOptions options;
  options.tls = TlsOptions{*dir_ + "/no-such.pem", files_->key_file};
  auto missing = Server::Create(options, &handler_, &RealClock::Get());
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(absl::StrContains(missing.status().message(), "no-such.pem"))
      << missing.status();

  auto other = MakeServerCertificate({.not_before = absl::Now()});
  ASSERT_TRUE(other.ok());
  const std::string other_dir = *dir_ + "/other";
  ASSERT_EQ(::mkdir(other_dir.c_str(), 0700) == 0 || errno == EEXIST, true);
  auto other_files = WriteCertificateFiles(*other, other_dir);
  ASSERT_TRUE(other_files.ok());
  options.tls = TlsOptions{files_->chain_file, other_files->key_file};
  auto mismatched = Server::Create(options, &handler_, &RealClock::Get());
  ASSERT_FALSE(mismatched.ok());
  EXPECT_TRUE(absl::StrContains(mismatched.status().message(), "does not match"))
      << mismatched.status();
}

}  // namespace
}  // namespace pimsim::http
