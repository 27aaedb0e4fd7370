// FUZZ_CHECK(condition): a property a fuzz target asserts about the code it
// fuzzes. A failure prints the condition and where, then aborts, which
// libFuzzer reports as a crash with the input as reproducer (and the corpus
// test of bazel/fuzz.bzl as a failure).
//
//   FUZZ_CHECK(url::PercentDecode(url::PercentEncode(s), false) == s);
#ifndef PIMSIM_BAZEL_FUZZ_CHECK_H_
#define PIMSIM_BAZEL_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                       \
  do {                                                                              \
    if (!(condition)) {                                                             \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, \
                   #condition);                                                     \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)

#endif  // PIMSIM_BAZEL_FUZZ_CHECK_H_
