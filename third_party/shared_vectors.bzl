"""Exposes ../shared/vectors (beside the checkout) as @shared_vectors.

Where the folder is absent the repository still exists, with empty filegroups
and a file ABSENT, so tests can report that they did not run instead of the
build failing. SLUICE_SHARED overrides the location of shared/.
"""

def _shared_vectors_impl(rctx):
    shared = rctx.os.environ.get("SLUICE_SHARED", "")
    if not shared:
        shared = str(rctx.path(Label("//:WORKSPACE")).dirname) + "/../shared"
    vectors = rctx.path(shared + "/vectors")
    if vectors.exists:
        for name in ["wycheproof", "rfc8448"]:
            if rctx.path(str(vectors) + "/" + name).exists:
                rctx.symlink(str(vectors) + "/" + name, name)
        present = "True"
    else:
        rctx.file("ABSENT", "../shared/vectors was not found when the build started\n")
        present = "False"
    rctx.file("BUILD.bazel", """
package(default_visibility = ["//visibility:public"])

filegroup(name = "wycheproof", srcs = glob(["wycheproof/*.json"]))

filegroup(name = "rfc8448", srcs = glob(["rfc8448/*"]))

filegroup(name = "marker", srcs = glob(["ABSENT"]))
""")
    rctx.file("present.bzl", "VECTORS_PRESENT = %s\n" % present)

shared_vectors = repository_rule(
    implementation = _shared_vectors_impl,
    environ = ["SLUICE_SHARED"],
    local = True,
)
