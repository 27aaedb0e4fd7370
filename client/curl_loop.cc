#include "client/curl_loop.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace pimsim::client {
namespace {

// How many times libcurl was about to send a request: more than once is its
// own silent re-send on a fresh connection, which is refused.
struct SendGuard {
  int sends = 0;
  bool refused = false;
};

}  // namespace

struct CurlLoop::Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string body;  // the request body; curl reads it in place
  HttpResponse response;
  std::function<void(HttpResponse)> done;
  SendGuard guard;
  char error[CURL_ERROR_SIZE] = {0};
};

namespace {

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<HttpResponse*>(user)->body.append(data, size * n);
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<HttpResponse*>(user);
  absl::string_view line(data, size * n);
  if (absl::StartsWith(line, "HTTP/")) {
    r->headers.clear();  // a 100 Continue's or a redirect's headers are not this answer's
    return size * n;
  }
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    r->headers.emplace_back(absl::AsciiStrToLower(line.substr(0, colon)),
                            std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
  }
  return size * n;
}

// Called by libcurl once a connection is ready and the request is about to
// go out (a new connection or a kept-alive one).
int OnPrereq(void* user, char*, char*, int, int) {
  auto* g = static_cast<SendGuard*>(user);
  if (++g->sends > 1) {
    g->refused = true;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

// A second socket for a request that was already sent is libcurl's silent
// re-send: refused.
curl_socket_t OnOpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* g = static_cast<SendGuard*>(user);
  if (g->sends > 0) {
    g->refused = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

TransportError Classify(CURLcode code, bool resend_refused) {
  if (resend_refused) return TransportError::kDisconnected;
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    // A TLS handshake cut short: nothing of the request was sent.
    case CURLE_SSL_CONNECT_ERROR:
      return TransportError::kConnect;
    case CURLE_OPERATION_TIMEDOUT:
      return TransportError::kTimeout;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
      return TransportError::kDisconnected;
    // Not transient (sending again fails the same way): a certificate that
    // does not verify (CURLE_PEER_FAILED_VERIFICATION), an unreadable CA
    // file, a malformed URL, ...
    default:
      return TransportError::kOther;
  }
}

struct GlobalInit {
  GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

CurlLoop::CurlLoop(Options options) : options_(std::move(options)) {
  static GlobalInit init;
  multi_ = curl_multi_init();
  curl_multi_setopt(static_cast<CURLM*>(multi_), CURLMOPT_MAXCONNECTS,
                    options_.max_idle_connections);
}

CurlLoop::~CurlLoop() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  // Transfers still in flight are dropped without their callbacks.
  for (void* p : transfers_) {
    auto* t = static_cast<Transfer*>(p);
    curl_multi_remove_handle(multi, t->easy);
    curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    delete t;
  }
  for (void* e : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(e));
  curl_multi_cleanup(multi);
}

void CurlLoop::Send(HttpRequest request, std::function<void(HttpResponse)> done) {
  auto* t = new Transfer;
  transfers_.insert(t);
  t->done = std::move(done);
  t->body = std::move(request.body);
  if (!idle_handles_.empty()) {
    t->easy = static_cast<CURL*>(idle_handles_.back());
    idle_handles_.pop_back();
    curl_easy_reset(t->easy);
  } else {
    t->easy = curl_easy_init();
  }
  CURL* e = t->easy;
  curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(request.connect_timeout)));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(request.timeout)));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->response);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t->response);
  curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, OnPrereq);
  curl_easy_setopt(e, CURLOPT_PREREQDATA, &t->guard);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, OnOpenSocket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t->guard);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, options_.verify_peer ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, options_.verify_peer ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (request.method == "GET") {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    if (request.method != "POST") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    if (!t->body.empty() || request.method == "POST" || request.method == "PATCH") {
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->body.size()));
    }
  }
  // No "Expect: 100-continue" round trip for large bodies.
  t->headers = curl_slist_append(t->headers, "Expect:");
  for (const auto& [k, v] : request.headers) {
    t->headers = curl_slist_append(t->headers, absl::StrCat(k, ": ", v).c_str());
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  ++active_;
  const CURLMcode rc = curl_multi_add_handle(static_cast<CURLM*>(multi_), e);
  if (rc != CURLM_OK) {
    // Reported from the loop, never from inside Send.
    RunAt(Now(), [this, t, rc] {
      std::strncpy(t->error, curl_multi_strerror(rc), CURL_ERROR_SIZE - 1);
      Complete(t, CURLE_FAILED_INIT);
    });
    curl_easy_setopt(e, CURLOPT_PRIVATE, nullptr);
  }
}

void CurlLoop::Complete(Transfer* t, int curl_code) {
  --active_;
  transfers_.erase(t);
  const CURLcode code = static_cast<CURLcode>(curl_code);
  HttpResponse r = std::move(t->response);
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    r.status = static_cast<int>(status);
  } else {
    r.status = 0;
    r.error = Classify(code, t->guard.refused);
    r.error_message = t->guard.refused ? "the connection closed before any response (a kept-alive "
                                     "connection; not re-sent by the transport)"
                                   : (t->error[0] ? t->error : curl_easy_strerror(code));
    r.body.clear();
    r.headers.clear();
  }
  curl_slist_free_all(t->headers);
  if (idle_handles_.size() < 64) {
    idle_handles_.push_back(t->easy);
  } else {
    curl_easy_cleanup(t->easy);
  }
  std::function<void(HttpResponse)> done = std::move(t->done);
  delete t;
  done(std::move(r));
}

void CurlLoop::Run(const std::function<bool()>& finished) {
  CURLM* multi = static_cast<CURLM*>(multi_);
  stopped_ = false;
  std::function<void()> task;
  while (!stopped_) {
    // Timers due now.
    while (!stopped_ && tasks_.PopDue(Now(), &task)) task();
    if (stopped_ || finished()) return;
    int running = 0;
    curl_multi_perform(multi, &running);
    CURLMsg* msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left)) != nullptr) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* e = msg->easy_handle;
      const CURLcode result = msg->data.result;
      Transfer* t = nullptr;
      curl_easy_getinfo(e, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      curl_multi_remove_handle(multi, e);
      if (t != nullptr) Complete(t, result);
    }
    while (!stopped_ && tasks_.PopDue(Now(), &task)) task();
    if (stopped_ || finished()) return;
    if (active_ == 0 && tasks_.empty()) return;  // nothing left to wait for
    long curl_ms = -1;
    curl_multi_timeout(multi, &curl_ms);
    int64_t wait_ms = 1000;
    if (curl_ms >= 0) wait_ms = std::min<int64_t>(wait_ms, curl_ms);
    if (!tasks_.empty()) {
      const absl::Duration until = tasks_.NextTime() - Now();
      // Rounded up: waking before a timer is due only spins.
      wait_ms = std::min<int64_t>(
          wait_ms, std::max<int64_t>(0, absl::ToInt64Microseconds(until) / 1000 +
                                            (absl::ToInt64Microseconds(until) % 1000 ? 1 : 0)));
    }
    if (wait_ms > 0) curl_multi_poll(multi, nullptr, 0, static_cast<int>(wait_ms), nullptr);
  }
}

}  // namespace pimsim::client
