// Parser and serializer costs per request, the CPU floor of the HTTP shell.
//
//   bazel run -c opt //mock_pim/http:http_parser_benchmark
#include <string>

#include "benchmark/benchmark.h"
#include "mock_pim/http/http_message.h"
#include "mock_pim/http/http_parser.h"

namespace pimsim::http {
namespace {

// What a typical Akeneo client sends for a list call.
const char kTypicalGet[] =
    "GET /api/rest/v1/products?limit=100&search_after=abc123&pagination_type=search_after "
    "HTTP/1.1\r\n"
    "Host: pim.example.com:8080\r\n"
    "User-Agent: akeneo-client/1.0\r\n"
    "Accept: application/json\r\n"
    "Accept-Encoding: gzip\r\n"
    "Authorization: Bearer "
    "NzFiYTM4ZDBjYmFjZGE1YzA3ZGQ2YjdiYTk0NWM0ZjdlNGQ4N2Q4ZTk2NGFiNDJmOTM5NTVkMGNhYjA2ODA3Zg\r\n"
    "Connection: keep-alive\r\n"
    "\r\n";

// wrk's request: the throughput benchmark's load.
const char kMinimalGet[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n";

void ParseLoop(benchmark::State& state, std::string_view input) {
  RequestParser parser;
  for (auto _ : state) {
    parser.Reset();
    size_t n = parser.Feed(input);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(parser.request().path.data());
  }
  if (parser.state() != RequestParser::State::kComplete) state.SkipWithError("parse failed");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
}

void BM_ParseTypicalGet(benchmark::State& state) { ParseLoop(state, kTypicalGet); }
BENCHMARK(BM_ParseTypicalGet);

void BM_ParseMinimalGet(benchmark::State& state) { ParseLoop(state, kMinimalGet); }
BENCHMARK(BM_ParseMinimalGet);

void BM_ParseChunkedPost(benchmark::State& state) {
  std::string input =
      "PATCH /api/rest/v1/products HTTP/1.1\r\nHost: pim\r\n"
      "Content-Type: application/vnd.akeneo.collection+json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  const std::string line = R"({"identifier":"sku-000001","values":{}})"
                           "\n";
  for (int i = 0; i < 100; ++i) {
    char size[16];
    snprintf(size, sizeof(size), "%zx\r\n", line.size());
    input += size + line + "\r\n";
  }
  input += "0\r\n\r\n";
  RequestParser parser;
  for (auto _ : state) {
    parser.Reset();
    size_t n = parser.Feed(input);
    n += parser.Feed(std::string_view(input).substr(n));
    benchmark::DoNotOptimize(n);
  }
  if (parser.state() != RequestParser::State::kComplete) state.SkipWithError("parse failed");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
}
BENCHMARK(BM_ParseChunkedPost);

void BM_SerializeResponse(benchmark::State& state) {
  HttpResponse r;
  r.headers = {{"Content-Type", "application/json"}};
  r.body = std::string(static_cast<size_t>(state.range(0)), 'x');
  ResponseFraming framing;
  framing.date = "Sun, 06 Nov 1994 08:49:37 GMT";
  std::string out;
  for (auto _ : state) {
    out.clear();
    SerializeResponseHead(r, framing, &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_SerializeResponse)->Arg(0)->Arg(1024);

void BM_SerializeRateLimited(benchmark::State& state) {
  HttpResponse r = JsonErrorResponse(429, "Too many requests");
  r.headers.push_back({"Retry-After", "3"});
  std::string out;
  for (auto _ : state) {
    out.clear();
    SerializeResponse(r, /*keep_alive=*/true, &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_SerializeRateLimited);

}  // namespace
}  // namespace pimsim::http
