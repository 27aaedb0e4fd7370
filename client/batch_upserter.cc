#include "client/batch_upserter.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client/retry.h"
#include "common/url.h"
#include "nlohmann/json.hpp"

namespace pimsim::client {

BatchUpserter::BatchUpserter(Scheduler& scheduler, AkeneoClient& client, std::string collection,
                             int batch_size, int max_outstanding, bool create)
    : scheduler_(scheduler),
      client_(client),
      collection_(std::move(collection)),
      batch_size_(create ? 1 : std::clamp(batch_size, 1, kMaxBatch)),
      create_(create),
      max_outstanding_(max_outstanding) {
  if (max_outstanding_ <= 0) {
    const Policy& p = client_.policy();
    int per_conn = p.max_in_flight_per_connection > 0 ? p.max_in_flight_per_connection : 16;
    int total = per_conn * client_.connections();
    if (p.max_in_flight_per_instance > 0) total = std::min(total, p.max_in_flight_per_instance * client_.connections());
    max_outstanding_ = std::max(2, 2 * total);
  }
}

void BatchUpserter::Run(std::function<bool(UpsertItem*)> next,
                        std::function<void(const ItemResult&)> on_result,
                        std::function<void()> done) {
  next_ = std::move(next);
  on_result_ = std::move(on_result);
  done_ = std::move(done);
  Fill();
  MaybeDone();
}

void BatchUpserter::Fill() {
  if (filling_) return;
  filling_ = true;
  while (outstanding_ < max_outstanding_) {
    std::vector<UpsertItem> items;
    while (static_cast<int>(items.size()) < batch_size_) {
      if (!retry_ready_.empty()) {
        items.push_back(std::move(retry_ready_.front()));
        retry_ready_.pop_front();
        continue;
      }
      if (source_done_) break;
      UpsertItem item;
      if (!next_(&item)) {
        source_done_ = true;
        break;
      }
      items.push_back(std::move(item));
    }
    if (items.empty()) break;
    SendBatch(std::move(items));
  }
  filling_ = false;
}

void BatchUpserter::SendBatch(std::vector<UpsertItem> items) {
  ++outstanding_;
  ++batches_sent_;
  for (UpsertItem& i : items) ++i.attempts;
  Call call;
  call.method = "PATCH";
  if (create_) {
    call.method = "POST";
    call.target = collection_;
    call.verify_target = absl::StrCat(collection_, "/", url::PercentEncode(items[0].key));
  }
  if (batch_size_ == 1) {
    if (!create_) call.target = absl::StrCat(collection_, "/", url::PercentEncode(items[0].key));
    call.body = items[0].json;
    call.content_type = "application/json";
    client_.Send(std::move(call), [this, item = std::move(items[0])](const Outcome& o) mutable {
      --outstanding_;
      OnSingle(std::move(item), o);
      Fill();
      MaybeDone();
    });
    return;
  }
  call.target = collection_;
  call.content_type = "application/vnd.akeneo.collection+json";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) call.body += '\n';
    call.body += items[i].json;
  }
  client_.Send(std::move(call), [this, items = std::move(items)](const Outcome& o) mutable {
    --outstanding_;
    OnBatch(std::move(items), o);
    Fill();
    MaybeDone();
  });
}

ItemResult::State StateOf(const Outcome& o) {
  if (o.ok()) return ItemResult::kApplied;
  return o.status >= 400 && o.status < 500 && !o.gave_up ? ItemResult::kRejected
                                                         : ItemResult::kFailed;
}

LineFate FateOf(int status, int attempts, int max_attempts) {
  if (status == 200 || status == 201 || status == 204) return LineFate::kApplied;
  if (status == 0 || IsTransientStatus(status)) {
    return attempts < max_attempts ? LineFate::kRetry : LineFate::kFailed;
  }
  return LineFate::kRejected;
}

void BatchUpserter::OnSingle(UpsertItem item, const Outcome& o) {
  ItemResult r;
  r.status = o.status;
  r.state = StateOf(o);
  if (r.state == ItemResult::kRejected) {
    r.message = o.body;
  } else if (r.state == ItemResult::kFailed) {
    r.message = o.message.empty() ? absl::StrCat("answered ", o.status) : o.message;
  }
  r.item = std::move(item);
  on_result_(r);
}

void BatchUpserter::OnBatch(std::vector<UpsertItem> items, const Outcome& o) {
  if (!o.ok()) {
    const bool rejected = StateOf(o) == ItemResult::kRejected;
    for (UpsertItem& item : items) {
      ItemResult r;
      r.state = rejected ? ItemResult::kRejected : ItemResult::kFailed;
      r.status = o.status;
      r.message = rejected ? o.body
                           : (o.message.empty() ? absl::StrCat("batch answered ", o.status)
                                                : o.message);
      r.item = std::move(item);
      on_result_(r);
    }
    return;
  }
  const std::vector<BatchLine> lines = ParseBatchResult(o.body, items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const int status = lines[i].status;
    UpsertItem& item = items[i];
    const LineFate fate = FateOf(status, item.attempts, client_.policy().max_attempts);
    if (fate == LineFate::kRetry) {
      // A transient status_code, or no result line at all (its fate is
      // unknown; an upsert may be sent again).
      RetryLater(std::move(item));
      continue;
    }
    ItemResult r;
    r.state = fate == LineFate::kApplied  ? ItemResult::kApplied
              : fate == LineFate::kFailed ? ItemResult::kFailed
                                          : ItemResult::kRejected;
    r.status = status;
    if (fate != LineFate::kApplied) {
      r.message = status == 0 ? "no result line for it in the batch's answer" : lines[i].text;
    }
    r.item = std::move(item);
    on_result_(r);
  }
}

std::vector<BatchLine> ParseBatchResult(const std::string& body, size_t items) {
  std::vector<BatchLine> out(items);
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('\n', start);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("line") ||
        !j["line"].is_number_integer()) {
      continue;
    }
    const int64_t n = j["line"].get<int64_t>();
    if (n < 1 || n > static_cast<int64_t>(items) || out[n - 1].status != 0) continue;
    out[n - 1].status = j.contains("status_code") && j["status_code"].is_number_integer()
                            ? j["status_code"].get<int>()
                            : 0;
    out[n - 1].text = std::move(line);
  }
  return out;
}

void BatchUpserter::RetryLater(UpsertItem item) {
  ++lines_retried_;
  ++waiting_;
  const absl::Duration wait = FullJitterBackoff(client_.policy(), item.attempts, rng_);
  scheduler_.RunAt(scheduler_.Now() + wait, [this, item = std::move(item)]() mutable {
    --waiting_;
    retry_ready_.push_back(std::move(item));
    Fill();
    MaybeDone();
  });
}

void BatchUpserter::MaybeDone() {
  if (finished_ || !source_done_ || outstanding_ > 0 || waiting_ > 0 || !retry_ready_.empty()) {
    return;
  }
  finished_ = true;
  if (done_) done_();
}

}  // namespace pimsim::client
