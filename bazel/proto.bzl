"""C++ code generation for .proto files with the system protoc and grpc_cpp_plugin.

Bazel 4.2.3 offline has no rules_proto, so protos compile through a genrule.
Generated headers are included by their source path, e.g. "proto/limits.pb.h".
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

def pimsim_cc_proto_library(name, srcs, deps = [], grpc = False, visibility = None):
    """A cc_library holding the C++ code generated from `srcs`.

    Args:
      name: the cc_library's name.
      srcs: .proto files in this package.
      deps: other pimsim_cc_proto_library targets whose protos these import.
      grpc: also generate gRPC service stubs (*.grpc.pb.{h,cc}).
      visibility: the library's visibility.
    """
    pkg = native.package_name()
    outs = []
    for src in srcs:
        base = src[:-len(".proto")]
        outs += [base + ".pb.h", base + ".pb.cc"]
        if grpc:
            outs += [base + ".grpc.pb.h", base + ".grpc.pb.cc"]
    paths = " ".join([pkg + "/" + s for s in srcs])
    cmd = "protoc --proto_path=. --cpp_out=$(GENDIR) " + paths
    if grpc:
        cmd += (" && protoc --proto_path=. --grpc_out=$(GENDIR)" +
                " --plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin) " + paths)
    native.genrule(
        name = name + "_gen",
        srcs = srcs + [d + "_srcs" for d in deps],
        outs = outs,
        cmd = cmd,
    )
    native.filegroup(
        name = name + "_srcs",
        srcs = srcs + [d + "_srcs" for d in deps],
        visibility = visibility,
    )
    lib_deps = ["//third_party/system:protobuf"] + deps
    if grpc:
        lib_deps.append("//third_party/system:grpc++")
    cc_library(
        name = name,
        srcs = [o for o in outs if o.endswith(".cc")],
        hdrs = [o for o in outs if o.endswith(".h")],
        deps = lib_deps,
        visibility = visibility,
    )
