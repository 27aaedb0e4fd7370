"""libFuzzer targets that build under every configuration.

pimsim_cc_fuzzer(name = "foo_fuzzer", ...) defines:
  * `foo_fuzzer`, a cc_binary tagged "fuzz" defining LLVMFuzzerTestOneInput.
    Under --config=fuzz (clang-14, ASan + UBSan + coverage, see .bazelrc) it
    links libFuzzer's main(); elsewhere it links //bazel:fuzz_main, which
    runs the files it is given once each.
  * `foo_fuzzer_corpus_test`, which replays the seed corpus in
    `foo_fuzzer_corpus/` through that binary: the corpus and every crash
    reproducer added to it stay regression tests under `bazel test //...`
    and --config=asan.

scripts/fuzz.sh finds the targets by the "fuzz" tag and reads the largest
input to generate from the "fuzz_max_len=N" tag.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary")

def pimsim_cc_fuzzer(name, srcs, deps = [], max_len = 4096, **kwargs):
    """A fuzz target with its seed corpus `<name>_corpus/` and corpus test.

    Args:
      name: ends in "_fuzzer".
      srcs: sources; one defines LLVMFuzzerTestOneInput.
      deps: what the target fuzzes.
      max_len: the largest input scripts/fuzz.sh lets libFuzzer generate, in
        bytes.
      **kwargs: passed to the cc_binary.
    """
    corpus = native.glob([name + "_corpus/*"])
    if not corpus:
        fail("%s needs a seed corpus in %s_corpus/" % (name, name))
    cc_binary(
        name = name,
        testonly = True,
        srcs = srcs,
        deps = deps + ["//bazel:fuzz_check"] + select({
            "//bazel:fuzzing": [],
            "//conditions:default": ["//bazel:fuzz_main"],
        }),
        linkopts = select({
            "//bazel:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        tags = ["fuzz", "fuzz_max_len=%d" % max_len],
        **kwargs
    )
    native.sh_test(
        name = name + "_corpus_test",
        size = "small",
        srcs = ["//bazel:fuzz_corpus_test.sh"],
        args = ["$(location :%s)" % name] + ["$(location %s)" % f for f in corpus],
        data = [":" + name] + corpus,
    )
