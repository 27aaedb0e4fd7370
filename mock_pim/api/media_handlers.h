// Internal to //mock_pim/api: media files, the binary attribute values.
//
//  * POST /media-files takes multipart/form-data (multipart.h) with a `file`
//    part (its bytes, filename and Content-Type) and a `product`
//    ({"identifier","attribute","scope","locale"}) or `product_model`
//    ({"code",...}) part, a JSON string. It stores the bytes under a new
//    code "a/b/c/d/<40 hex>_<filename>" (Akeneo's layout), sets the
//    attribute's value for that locale and scope to the code through the
//    product's or model's own update (so its validation applies), and
//    answers 201 with an absolute Location; on any error nothing is stored.
//  * GET /media-files lists their metadata (page pagination), GET
//    /media-files/{code} gives one: {"_links":{"self","download"},"code",
//    "original_filename","mime_type","size","extension"}.
//  * GET .../{code}/download answers the stored bytes with the stored
//    Content-Type.
//  * POST /category-media-files takes a `category` part ({"code",
//    "attribute_code","channel","locale"}) and a `file`; the category must
//    exist (the mock's categories hold no attribute values, so none is set);
//    GET /category-media-files/{file_path}/download returns the bytes.
//
// Every file counts against kMaxMediaBytes. Like handlers.h, these run with
// the Api's lock held (shared for reads, exclusive for uploads).
//
//   ApiResponse r = UploadMediaFile(&store, base, &rng, req, set_value);
//   ApiResponse d = ReadMediaFile(store, base, route);
#ifndef PIMSIM_MOCK_PIM_API_MEDIA_HANDLERS_H_
#define PIMSIM_MOCK_PIM_API_MEDIA_HANDLERS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mock_pim/api/json_util.h"
#include "mock_pim/api/model.h"
#include "mock_pim/api/pagination.h"
#include "mock_pim/api/response.h"
#include "mock_pim/api/router.h"
#include "mock_pim/api/store.h"

namespace pimsim::api::internal {

// Applies `patch` ({"values":{...}}) to the existing product `identifier`
// (`model` false) or product model `code` (true); the error, if refused.
using SetValues = std::function<std::optional<ApiError>(
    bool model, const std::string& key, const Json& patch)>;

// GET of one media file (its metadata, or its bytes with .../download) or
// of a category media file's bytes.
ApiResponse ReadMediaFile(const Store& store, std::string_view base,
                          const ParsedRoute& route);

// Adds media file `code` to a GET /media-files page, with its links.
void AddMediaFile(PageBuilder* page, std::string_view base, std::string_view code,
                  const MediaFile& file);

// POST /media-files or /category-media-files.
ApiResponse UploadMediaFile(Store* store, std::string_view base,
                            SplitMix64* rng, const ParsedRoute& route,
                            const ApiRequest& req, const SetValues& set_values);

}  // namespace pimsim::api::internal

#endif  // PIMSIM_MOCK_PIM_API_MEDIA_HANDLERS_H_
