#include "mock_pim/api/response.h"

#include <utility>

namespace pimsim::api {

Json ValidationItem(std::string_view property, std::string_view message) {
  Json item = Json::object();
  item["property"] = property;
  item["message"] = message;
  return item;
}

void AddValidationItem(Json* errors, std::string_view property,
                       std::string_view message) {
  errors->push_back(ValidationItem(property, message));
}

Json ValueValidationItem(std::string_view message, std::string_view attribute,
                         const Json& locale, const Json& scope) {
  Json item = ValidationItem("values", message);
  item["attribute"] = attribute;
  item["locale"] = locale;
  item["scope"] = scope;
  return item;
}

ApiError ValidationFailed(Json errors) {
  ApiError e;
  e.status = 422;
  e.message = "Validation failed.";
  if (errors.is_array() && errors.size() > kMaxListedErrors) {
    Json::array_t& items = errors.get_ref<Json::array_t&>();
    items.erase(items.begin() + kMaxListedErrors, items.end());
  }
  e.errors = std::move(errors);
  return e;
}

ApiError PlainError(int status, std::string message) {
  ApiError e;
  e.status = status;
  e.message = std::move(message);
  return e;
}

ApiResponse RequestJsonError(const absl::Status& status) {
  const absl::string_view message = status.message();
  return ErrorResponse(JsonErrorHttpStatus(status),
                       std::string_view(message.data(), message.size()));
}

ApiResponse ErrorResponse(int status, std::string_view message) {
  ApiResponse r;
  r.status = status;
  r.content_type = kJsonContentType;
  r.body = "{\"code\":" + std::to_string(status) + ",\"message\":";
  AppendJsonString(message, &r.body);
  r.body.push_back('}');
  return r;
}

ApiResponse ToResponse(const ApiError& error) {
  if (error.errors.is_null() && error.documentation.empty()) {
    return ErrorResponse(error.status, error.message);
  }
  Json body = Json::object();
  body["code"] = error.status;
  AppendErrorFields(error, &body);
  ApiResponse r;
  r.status = error.status;
  r.content_type = kJsonContentType;
  r.body = DumpJson(body);
  return r;
}

void AppendErrorFields(const ApiError& error, Json* line) {
  (*line)["message"] = error.message;
  if (!error.errors.is_null()) (*line)["errors"] = error.errors;
  if (!error.documentation.empty()) {
    (*line)["_links"]["documentation"]["href"] = error.documentation;
  }
}

ApiResponse JsonResponse(int status, std::string body) {
  ApiResponse r;
  r.status = status;
  r.content_type = kJsonContentType;
  r.body = std::move(body);
  return r;
}

}  // namespace pimsim::api
