#include "client/pager.h"

#include <memory>
#include <utility>

namespace pimsim::client {
namespace {

struct Listing : std::enable_shared_from_this<Listing> {
  AkeneoClient* client;
  int connection;
  std::function<void(const nlohmann::json&)> on_item;
  std::function<void(const Outcome&)> done;

  void Get(std::string target) {
    Call call;
    call.target = std::move(target);
    call.connection = connection;
    auto self = shared_from_this();
    client->Send(std::move(call), [self](const Outcome& o) { self->OnPage(o); });
  }

  void OnPage(const Outcome& o) {
    if (!o.ok()) {
      done(o);
      return;
    }
    nlohmann::json page = nlohmann::json::parse(o.body, nullptr, false);
    if (page.is_discarded() || !page.is_object()) {
      Outcome bad = o;
      bad.status = 0;
      bad.message = "a page that is not a JSON object";
      done(bad);
      return;
    }
    // Every page of a listing goes to the connection of the first.
    connection = o.connection;
    auto embedded = page.find("_embedded");
    if (embedded != page.end() && embedded->is_object()) {
      auto items = embedded->find("items");
      if (items != embedded->end() && items->is_array()) {
        for (const nlohmann::json& item : *items) on_item(item);
      }
    }
    auto links = page.find("_links");
    if (links != page.end() && links->is_object()) {
      auto next = links->find("next");
      if (next != links->end() && next->is_object() && next->contains("href") &&
          (*next)["href"].is_string()) {
        Get((*next)["href"].get<std::string>());
        return;
      }
    }
    done(o);
  }
};

}  // namespace

void ListAll(AkeneoClient& client, std::string first_target,
             std::function<void(const nlohmann::json& item)> on_item,
             std::function<void(const Outcome& last)> done, int connection) {
  auto l = std::make_shared<Listing>();
  l->client = &client;
  l->connection = connection;
  l->on_item = std::move(on_item);
  l->done = std::move(done);
  l->Get(std::move(first_target));
}

}  // namespace pimsim::client
