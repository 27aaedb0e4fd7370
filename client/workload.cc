#include "client/workload.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/batch_upserter.h"
#include "client/pager.h"
#include "client/retry.h"
#include "nlohmann/json.hpp"

namespace pimsim::client {
namespace {

using Spec = pimsim::v1::ReferenceWorkload;

constexpr char kProducts[] = "/api/rest/v1/products";
constexpr char kAttribute[] = "pimsim_sync";

const char* KindName(Spec::Kind k) {
  switch (k) {
    case Spec::KIND_OPTION_SYNC: return "option sync";
    case Spec::KIND_READ: return "catalogue read";
    case Spec::KIND_MIX: return "mix";
    default: return "import";
  }
}

std::string ProductId(uint64_t n) { return absl::StrFormat("pimsim-%08d", n); }

}  // namespace

WorkloadDriver::WorkloadDriver(Scheduler& scheduler, AkeneoClient& client, const Spec& spec,
                               uint64_t seed)
    : scheduler_(scheduler), client_(client), spec_(spec), rng_(StreamSeed(seed, 0, 0x7ea0)) {
  batch_size_ = spec.has_batch_size() ? static_cast<int>(spec.batch_size()) : 100;
  const Spec::Kind kind = spec.kind() == Spec::KIND_UNSPECIFIED ? Spec::KIND_IMPORT : spec.kind();
  const bool writes_products = kind == Spec::KIND_IMPORT || kind == Spec::KIND_MIX;
  products_ = writes_products ? (spec.has_products() ? spec.products() : 1000) : 0;
  batches_ = (products_ + batch_size_ - 1) / batch_size_;
  options_ = kind == Spec::KIND_OPTION_SYNC ? (spec.has_options() ? spec.options() : 100) : 0;
  passes_ = kind == Spec::KIND_READ ? (spec.has_reads() ? spec.reads() : 1) : 0;
  if (kind == Spec::KIND_MIX) {
    // Of every 10 operations 7 batches, 2 reads, 1 option: the batches set
    // the length.
    counts_.operations = (batches_ * 10 + 6) / 7;
  } else {
    counts_.operations = batches_ + options_ + passes_;
  }
  if (spec.model_case() != Spec::kArrivalRate) {
    if (spec.model_case() == Spec::kWorkers) {
      workers_ = static_cast<int>(spec.workers());
    } else {
      const Policy& p = client_.policy();
      int per_conn = p.max_in_flight_per_connection > 0 ? p.max_in_flight_per_connection : 16;
      int total = per_conn * client_.connections();
      if (p.max_in_flight_per_instance > 0) total = std::min(total, p.max_in_flight_per_instance);
      workers_ = std::max(2, 2 * total);
    }
  }
}

std::string WorkloadDriver::Describe() const {
  const Spec::Kind kind = spec_.kind() == Spec::KIND_UNSPECIFIED ? Spec::KIND_IMPORT : spec_.kind();
  std::string what = KindName(kind);
  if (products_) absl::StrAppend(&what, ", ", products_, " products by ", batch_size_);
  if (options_) absl::StrAppend(&what, ", ", options_, " options");
  if (passes_) absl::StrAppend(&what, ", ", passes_, " catalogue passes");
  if (workers_) {
    absl::StrAppend(&what, ", ", workers_, " workers");
  } else {
    absl::StrAppend(&what, ", ", spec_.arrival_rate(), " operations/s");
  }
  return what;
}

WorkloadDriver::Op WorkloadDriver::KindOf(uint64_t index) const {
  if (spec_.kind() == Spec::KIND_MIX) {
    const uint64_t r = index % 10;
    if (r < 7) return Op::kBatch;
    return r < 9 ? Op::kRead : Op::kOption;
  }
  if (options_) return Op::kOption;
  if (passes_) return Op::kPass;
  return Op::kBatch;
}

void WorkloadDriver::Note(const std::string& problem) {
  if (first_problem_.empty()) first_problem_ = problem;
}

std::string WorkloadDriver::ProductJson(uint64_t n) {
  return nlohmann::json{{"identifier", ProductId(n)}, {"enabled", true},
                        {"values", nlohmann::json::object()}}
      .dump();
}

void WorkloadDriver::Setup(std::function<void()> then) {
  const bool options = options_ > 0 || spec_.kind() == Spec::KIND_MIX;
  const bool reads = passes_ > 0 || spec_.kind() == Spec::KIND_MIX;
  auto pending = std::make_shared<int>(0);
  auto one_done = [this, pending, then](const std::string& what, const Outcome& o) {
    if (!o.ok()) Note(absl::StrCat(what, " answered ", o.status, " ", o.message));
    if (--*pending == 0) then();
  };
  std::vector<std::pair<Call, std::string>> calls;
  if (options) {
    Call c;
    c.method = "PATCH";
    c.target = absl::StrCat("/api/rest/v1/attributes/", kAttribute);
    c.body = nlohmann::json{{"code", kAttribute},
                            {"type", "pim_catalog_simpleselect"},
                            {"group", "other"}}
                 .dump();
    calls.emplace_back(std::move(c), "the attribute upsert");
  }
  if (reads) {
    for (const char* r : {"channels", "locales", "families"}) {
      Call c;
      c.target = absl::StrCat("/api/rest/v1/", r, "?limit=100");
      calls.emplace_back(std::move(c), absl::StrCat("GET ", r));
    }
  }
  if (calls.empty()) {
    then();
    return;
  }
  *pending = static_cast<int>(calls.size());
  for (auto& [call, what] : calls) {
    client_.Send(std::move(call), [one_done, what = what](const Outcome& o) { one_done(what, o); });
  }
}

void WorkloadDriver::Start(std::function<void()> done) {
  done_ = std::move(done);
  Setup([this] {
    ready_ = true;
    if (workers_ == 0) {
      Arrive();
    } else {
      Fill();
    }
    Finish();
  });
}

bool WorkloadDriver::HasNext() const {
  return !retry_batches_.empty() || next_index_ < counts_.operations;
}

void WorkloadDriver::StartNext() {
  if (!retry_batches_.empty()) {
    Batch b = std::move(retry_batches_.front());
    retry_batches_.pop_front();
    RunBatch(std::move(b));
    return;
  }
  const uint64_t index = next_index_++;
  ++counts_.started;
  switch (KindOf(index)) {
    case Op::kBatch: {
      Batch b;
      while (static_cast<int>(b.products.size()) < batch_size_ && next_product_ < products_) {
        b.products.push_back(next_product_++);
      }
      if (b.products.empty()) {  // a mix's last rounds: nothing left to write
        ++counts_.finished;
        return;
      }
      RunBatch(std::move(b));
      return;
    }
    case Op::kRead: RunRead(); return;
    case Op::kOption: RunOption(); return;
    case Op::kPass: RunPass(); return;
  }
}

void WorkloadDriver::Fill() {
  while (ready_ && in_flight_ < workers_ && HasNext()) StartNext();
}

void WorkloadDriver::Arrive() {
  // Open model: one operation now, the next after an exponential gap.
  if (next_index_ >= counts_.operations) return;
  StartNext();
  const double u = (static_cast<double>(rng_() >> 11) + 1) * 0x1.0p-53;  // (0, 1]
  const absl::Duration gap = absl::Seconds(-std::log(u) / spec_.arrival_rate());
  scheduler_.RunAt(scheduler_.Now() + gap, [this] {
    Arrive();
    Finish();
  });
}

void WorkloadDriver::Finish() {
  if (finished_ || !ready_ || in_flight_ > 0 || waiting_retries_ > 0 || HasNext()) return;
  finished_ = true;
  if (done_) done_();
}

void WorkloadDriver::RunBatch(Batch batch) {
  ++in_flight_;
  ++batch.attempts;
  Call call;
  call.method = "PATCH";
  if (batch.products.size() == 1 && batch_size_ == 1) {
    call.target = absl::StrCat(kProducts, "/", ProductId(batch.products[0]));
    call.body = ProductJson(batch.products[0]);
  } else {
    call.target = kProducts;
    call.content_type = "application/vnd.akeneo.collection+json";
    for (size_t i = 0; i < batch.products.size(); ++i) {
      if (i) call.body += '\n';
      call.body += ProductJson(batch.products[i]);
    }
  }
  const bool single = batch_size_ == 1;
  client_.Send(std::move(call), [this, batch = std::move(batch), single](const Outcome& o) {
    --in_flight_;
    const bool first = batch.attempts == 1;
    Batch again;
    again.attempts = batch.attempts;
    if (single || !o.ok()) {
      const uint64_t n = batch.products.size();
      const ItemResult::State state = StateOf(o);
      if (state == ItemResult::kApplied) {
        counts_.applied += n;
        applied_products_ += n;
      } else if (state == ItemResult::kRejected) {
        counts_.rejected += n;
        Note(absl::StrCat("PATCH ", ProductId(batch.products[0]), " answered ", o.status, ": ",
                          o.body.substr(0, 200)));
      } else {
        counts_.failed += n;
        Note(absl::StrCat("PATCH of ", n, " products: ", o.message));
      }
    } else {
      const std::vector<BatchLine> lines = ParseBatchResult(o.body, batch.products.size());
      for (size_t i = 0; i < lines.size(); ++i) {
        switch (FateOf(lines[i].status, batch.attempts, client_.policy().max_attempts)) {
          case LineFate::kApplied:
            ++counts_.applied;
            ++applied_products_;
            break;
          case LineFate::kRetry:
            again.products.push_back(batch.products[i]);
            break;
          case LineFate::kFailed:
            ++counts_.failed;
            Note(absl::StrCat(ProductId(batch.products[i]), ": ", lines[i].text));
            break;
          case LineFate::kRejected:
            ++counts_.rejected;
            Note(lines[i].text);
            break;
        }
      }
    }
    if (first) ++counts_.finished;
    if (!again.products.empty()) {
      ++waiting_retries_;
      const absl::Duration wait = FullJitterBackoff(client_.policy(), again.attempts, rng_);
      scheduler_.RunAt(scheduler_.Now() + wait, [this, again = std::move(again)]() mutable {
        --waiting_retries_;
        retry_batches_.push_back(std::move(again));
        if (workers_ == 0) {
          StartNext();  // the open model sends line retries when they are due
        } else {
          Fill();
        }
        Finish();
      });
    }
    Fill();
    Finish();
  });
}

void WorkloadDriver::RunRead() {
  ++in_flight_;
  Call call;
  // A product written earlier (or, before any, the first one: a 404 then).
  const uint64_t n = applied_products_ == 0 ? 0 : rng_() % applied_products_;
  call.target = absl::StrCat(kProducts, "/", ProductId(n));
  client_.Send(std::move(call), [this](const Outcome& o) {
    --in_flight_;
    ++counts_.finished;
    if (o.ok() || o.status == 404) {
      ++counts_.applied;
    } else {
      ++(StateOf(o) == ItemResult::kRejected ? counts_.rejected : counts_.failed);
      Note(absl::StrCat("a product read: ", o.status, " ", o.message));
    }
    Fill();
    Finish();
  });
}

void WorkloadDriver::RunOption() {
  ++in_flight_;
  const uint64_t n = next_option_++;
  const std::string code = absl::StrCat("opt_", n);
  Call call;
  call.method = "PATCH";
  call.target = absl::StrCat("/api/rest/v1/attributes/", kAttribute, "/options/", code);
  call.body = nlohmann::json{{"code", code},
                             {"attribute", kAttribute},
                             {"sort_order", n},
                             {"labels", {{"en_US", absl::StrCat("Option ", n)}}}}
                  .dump();
  client_.Send(std::move(call), [this, code](const Outcome& o) {
    --in_flight_;
    ++counts_.finished;
    if (StateOf(o) == ItemResult::kApplied) {
      ++counts_.applied;
    } else {
      ++(StateOf(o) == ItemResult::kRejected ? counts_.rejected : counts_.failed);
      Note(absl::StrCat("option ", code, ": ", o.status, " ", o.message, o.body.substr(0, 200)));
    }
    Fill();
    Finish();
  });
}

void WorkloadDriver::RunPass() {
  ++in_flight_;
  auto items = std::make_shared<uint64_t>(0);
  ListAll(
      client_, absl::StrCat(kProducts, "?limit=100&pagination_type=search_after"),
      [items](const nlohmann::json&) { ++*items; },
      [this, items](const Outcome& last) {
        --in_flight_;
        ++counts_.finished;
        if (last.ok()) {
          ++counts_.applied;
        } else {
          ++counts_.failed;
          Note(absl::StrCat("a catalogue pass stopped after ", *items, " products: ", last.status,
                            " ", last.message));
        }
        Fill();
        Finish();
      });
}

}  // namespace pimsim::client
