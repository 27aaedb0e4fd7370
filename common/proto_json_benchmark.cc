// Cost of one journal line as JSON: protobuf's MessageToJsonString alone
// (64-bit integers as strings) against ProtoJsonPrinter, on a flat message
// (the one-pass rewrite) and on the same event one level down (parse,
// rewrite and dump through nlohmann::ordered_json).
//
//   bazel run -c opt //common:proto_json_benchmark
#include <string>

#include "benchmark/benchmark.h"
#include "common/proto_json.h"
#include "common/testdata/proto_json_test.pb.h"
#include "google/protobuf/util/json_util.h"
#include "proto/journal.pb.h"

namespace pimsim {
namespace {

google::protobuf::util::JsonPrintOptions Options() {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  return options;
}

// A product GET as the journal records it, a day into a run.
pimsim::v1::JournalEvent TypicalEvent() {
  pimsim::v1::JournalEvent e;
  e.set_id(1'234'567);
  e.set_instance("main");
  e.set_connection("erp-sync");
  e.set_socket_id(4'812);
  e.set_method("GET");
  e.set_route("/api/rest/v1/products/{code}");
  e.set_normalized_path("/api/rest/v1/products/sku-104242");
  e.set_arrival_us(86'400'123'456);
  e.set_body_complete_us(86'400'123'456);
  e.set_response_us(86'400'138'901);
  e.set_status(429);
  e.set_retry_after_s(1);
  e.set_rejection(pimsim::v1::REJECTION_RATE_INSTANCE);
  e.set_in_flight_connection(2);
  e.set_in_flight_instance(5);
  e.set_instance_bucket_available(0.5);
  return e;
}

template <typename M>
M Typical();
template <>
pimsim::v1::JournalEvent Typical() {
  return TypicalEvent();
}
template <>
pimsim::testing::JournalEnvelope Typical() {
  pimsim::testing::JournalEnvelope envelope;
  *envelope.mutable_event() = TypicalEvent();
  return envelope;
}

template <typename M>
void BM_Protobuf(benchmark::State& state) {
  const M message = Typical<M>();
  const auto options = Options();
  std::string line;
  for (auto _ : state) {
    line.clear();
    (void)google::protobuf::util::MessageToJsonString(message, &line, options);
    benchmark::DoNotOptimize(line.data());
  }
  state.SetBytesProcessed(state.iterations() * line.size());
}
BENCHMARK_TEMPLATE(BM_Protobuf, pimsim::v1::JournalEvent);
BENCHMARK_TEMPLATE(BM_Protobuf, pimsim::testing::JournalEnvelope);

template <typename M>
void BM_ProtoJsonPrinter(benchmark::State& state) {
  const M message = Typical<M>();
  const ProtoJsonPrinter printer(M::descriptor(), Options());
  std::string line;
  for (auto _ : state) {
    line.clear();
    if (!printer.Print(message, &line).ok()) state.SkipWithError("Print");
    benchmark::DoNotOptimize(line.data());
  }
  state.SetBytesProcessed(state.iterations() * line.size());
}
BENCHMARK_TEMPLATE(BM_ProtoJsonPrinter, pimsim::v1::JournalEvent);
BENCHMARK_TEMPLATE(BM_ProtoJsonPrinter, pimsim::testing::JournalEnvelope);

}  // namespace
}  // namespace pimsim
