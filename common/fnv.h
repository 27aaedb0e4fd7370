// 64-bit FNV-1a, the hash of request bodies in the journal (a body's hash is
// its 16 hex digits: common/hex.h) and of the checker's retry fingerprints.
// Chain calls to hash several parts: Fnv1a64(b, Fnv1a64(a)).
//
// Thread-safety: pure functions.
//
//   uint64_t h = Fnv1a64("foobar");  // 0x85944171f73967e8
#ifndef PIMSIM_COMMON_FNV_H_
#define PIMSIM_COMMON_FNV_H_

#include <cstdint>
#include <string_view>

namespace pimsim {

inline constexpr uint64_t kFnv1a64Offset = 0xcbf29ce484222325ULL;

// The hash of `data` continued from `hash` (the offset basis: a fresh hash).
inline uint64_t Fnv1a64(std::string_view data, uint64_t hash = kFnv1a64Offset) {
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace pimsim

#endif  // PIMSIM_COMMON_FNV_H_
