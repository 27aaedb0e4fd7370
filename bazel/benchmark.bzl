"""Google Benchmark binaries that keep compiling and running.

pimsim_cc_benchmark(name = "foo_benchmark", ...) defines:
  * `foo_benchmark`, the cc_binary to run for figures:
      bazel run -c opt //pkg:foo_benchmark
  * `foo_benchmark_smoke_test`, which runs that same binary once briefly
    (--benchmark_min_time=0.01 and `smoke_args`), so a benchmark never rots;
    its figures mean nothing (default build, shared machine).
"""

load("@rules_cc//cc:defs.bzl", "cc_binary")

def pimsim_cc_benchmark(name, srcs, deps = [], smoke_args = [], smoke_tags = [], smoke_size = "small", **kwargs):
    """A benchmark binary and its smoke test.

    Args:
      name: ends in "_benchmark".
      srcs: the benchmark's sources.
      deps: what it measures; add "//third_party/system:benchmark_main"
        unless a source defines main().
      smoke_args: more arguments for the smoke run (a smaller input).
      smoke_tags: tags of the smoke test ("no_tsan" for one too slow there).
      smoke_size: its test size ("medium" for one that seeds a large store).
      **kwargs: passed to the cc_binary (testonly, ...).
    """
    if not name.endswith("_benchmark"):
        fail("%s: a benchmark's name ends in _benchmark" % name)
    cc_binary(
        name = name,
        srcs = srcs,
        deps = deps,
        **kwargs
    )
    native.sh_test(
        name = name + "_smoke_test",
        size = smoke_size,
        srcs = ["//bazel:benchmark_smoke_test.sh"],
        args = ["$(location :%s)" % name, "--benchmark_min_time=0.01"] + smoke_args,
        data = [":" + name],
        tags = smoke_tags,
    )
