#include "mock_pim/api/json_util.h"

namespace pimsim::api {

std::optional<Json> ParseJson(std::string_view text) {
  Json value = Json::parse(text.begin(), text.end(), /*cb=*/nullptr,
                           /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false,
                    nlohmann::json::error_handler_t::replace);
}

const char* PhpTypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "NULL";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "double";
    case Json::value_t::string: return "string";
    default: return "array";
  }
}

}  // namespace pimsim::api
