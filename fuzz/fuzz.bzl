"""sluice_fuzzer: one libFuzzer target and its corpus-replay test.

sluice_fuzzer(name = "x", srcs = ["x_fuzzer.cc"], deps = [...]) makes
  x_fuzzer  a cc_binary. With --define=fuzz=1 (the `fuzz` config, clang) it is
            linked with -fsanitize=fuzzer and is a real libFuzzer binary;
            otherwise it links the replay main, so `bazel build //fuzz/...`
            works with gcc too (run it on files or directories).
  x_replay  a cc_test, built with whatever compiler the build uses, running
            every file of fuzz/corpus/x/ through LLVMFuzzerTestOneInput. It
            fails when the corpus is empty, so a target can never silently
            lose its seeds.
"""

def sluice_fuzzer(name, srcs, deps = [], size = "small"):
    corpus = native.glob(["corpus/" + name + "/**"])
    native.cc_binary(
        name = name + "_fuzzer",
        testonly = True,
        srcs = srcs,
        deps = deps + select({
            "//fuzz:fuzzing": [],
            "//conditions:default": ["//fuzz:replay_main"],
        }),
        linkopts = select({
            "//fuzz:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
    )
    native.cc_test(
        name = name + "_replay",
        size = size,
        srcs = srcs,
        deps = deps + ["//fuzz:replay_main"],
        data = corpus,
        args = ["fuzz/corpus/" + name],
    )
