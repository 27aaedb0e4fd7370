#include "client/importer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace pimsim::client {

Importer::Importer(Scheduler& scheduler, AkeneoClient& client, ImportOptions options,
                   std::istream& in, std::ostream* rejected)
    : scheduler_(scheduler),
      client_(client),
      options_(std::move(options)),
      in_(in),
      rejected_(rejected),
      upserter_(scheduler, client, options_.collection, options_.batch_size,
                /*max_outstanding=*/0, options_.create) {}

const ImportCounts& Importer::counts() const {
  counts_.batches = upserter_.batches_sent();
  counts_.lines_retried = upserter_.lines_retried();
  return counts_;
}

void Importer::WriteRejected(uint64_t line, const std::string& key, int status,
                             const std::string& message) {
  if (rejected_ == nullptr) return;
  nlohmann::json j;
  j["line"] = line;
  if (!key.empty()) j[options_.key_field] = key;
  if (status) j["status_code"] = status;
  // The PIM's own answer is JSON: kept as it is, not as a string.
  nlohmann::json parsed = nlohmann::json::parse(message, nullptr, false);
  if (!parsed.is_discarded() && parsed.is_object()) {
    j["response"] = parsed;
  } else {
    j["message"] = message;
  }
  *rejected_ << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

bool Importer::Next(UpsertItem* item) {
  std::string line;
  while (std::getline(in_, line)) {
    ++line_no_;
    counts_.bytes_read += line.size() + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    ++counts_.lines;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    std::string key;
    if (!j.is_discarded() && j.is_object()) {
      auto it = j.find(options_.key_field);
      if (it != j.end() && it->is_string()) key = it->get<std::string>();
    }
    if (key.empty()) {
      ++counts_.rejected;
      WriteRejected(line_no_, "", 0,
                    j.is_discarded() ? "not valid JSON"
                    : !j.is_object() ? "not a JSON object"
                                     : absl::StrCat("no string \"", options_.key_field, "\""));
      continue;
    }
    item->line = line_no_;
    item->key = std::move(key);
    item->json = std::move(line);
    return true;
  }
  return false;
}

void Importer::Start(std::function<void()> done) {
  upserter_.Run([this](UpsertItem* item) { return Next(item); },
                [this](const ItemResult& r) {
                  switch (r.state) {
                    case ItemResult::kApplied:
                      ++counts_.applied;
                      if (options_.keep_applied_keys) applied_keys_.push_back(r.item.key);
                      break;
                    case ItemResult::kRejected:
                      ++counts_.rejected;
                      WriteRejected(r.item.line, r.item.key, r.status, r.message);
                      break;
                    case ItemResult::kFailed:
                      ++counts_.failed;
                      if (first_failure_.empty()) {
                        first_failure_ = absl::StrCat("line ", r.item.line, ": ", r.message);
                      }
                      WriteRejected(r.item.line, r.item.key, r.status,
                                    absl::StrCat("not applied: ", r.message));
                      break;
                  }
                },
                [this, done = std::move(done)] {
                  finished_ = true;
                  if (done) done();
                });
}

}  // namespace pimsim::client
