// Request fingerprint helpers for the journal: the body hash and the
// normalized path that, with the connection and the method, identify "the
// same request" when the checker looks for retries.
//
// Thread-safety: pure functions; safe from any thread.
//
//   record.body_hash = BodyHash(body);  // "" for an empty body
//   record.normalized_path = NormalizePath("/api/rest/v1/products", "limit=100&page=2");
#ifndef PIMSIM_MOCK_PIM_JOURNAL_FINGERPRINT_H_
#define PIMSIM_MOCK_PIM_JOURNAL_FINGERPRINT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace pimsim {

// Hex FNV-1a 64 of `body` (common/fnv.h, common/hex.h); empty for an empty
// body.
std::string BodyHash(std::string_view body);

// `path`, plus "?" and the query's parameters sorted by name then value when
// the query has any. Parameters keep their raw (percent-encoded) form; empty
// ones ("a=1&&b=2") are dropped; a leading "?" on `query` is ignored.
//   NormalizePath("/p", "b=2&a=1&a=0") == "/p?a=0&a=1&b=2"
std::string NormalizePath(std::string_view path, std::string_view query);

// The same without a copy where none is needed: `path` itself when the query
// is empty, else the normalized form, built in *storage.
std::string_view NormalizePath(std::string_view path, std::string_view query,
                               std::string* storage);

}  // namespace pimsim

#endif  // PIMSIM_MOCK_PIM_JOURNAL_FINGERPRINT_H_
