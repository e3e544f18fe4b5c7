#!/usr/bin/env python3
"""Summarises a BoGo run for tools/scripts/bogo.sh.

Arguments: results.json (the runner's -json-output), the runner's -pipe log,
the log of a pass listing every test, config.json, the runner's exit status
the run's duration in seconds and the -pipe log of the same run with TLS 1.2
off in the shim (-no-tls12). Prints the failures with their messages,
the disabled counts by kind (the word before the colon of each reason), and
ends with one line
    BoGo: P passed, F failed, S skipped, D disabled (T s)
Exits 1 on any unexpected result (or when the runner itself failed)."""
import fnmatch
import json
import re
import sys


def main():
    results_path, run_log, all_log, config_path, runner_rc, seconds, tls13_log = sys.argv[1:8]
    try:
        with open(results_path) as f:
            tests = json.load(f).get("tests", {})
    except (OSError, ValueError):
        tests = {}
    with open(config_path) as f:
        disabled = json.load(f).get("DisabledTests", {})
    with open(run_log, errors="replace") as f:
        log = f.read()
    with open(all_log, errors="replace") as f:
        names = re.findall(r"^(?:PASSED|FAILED|UNIMPLEMENTED) \((.*)\)$", f.read(), re.M)

    passed = [n for n, r in tests.items() if r.get("actual") == "PASS"]
    failed = [n for n, r in tests.items() if r.get("actual") == "FAIL"]
    skipped = [n for n, r in tests.items() if r.get("actual") == "SKIP"]

    kinds = {}
    n_disabled = 0
    for name in names:
        if name in tests:
            continue
        for pattern, reason in disabled.items():
            if fnmatch.fnmatchcase(name, pattern):
                kind = reason.split(":", 1)[0].strip()
                kinds[kind] = kinds.get(kind, 0) + 1
                n_disabled += 1
                break
    patterns = {}
    for reason in disabled.values():
        kind = reason.split(":", 1)[0].strip()
        patterns[kind] = patterns.get(kind, 0) + 1

    if failed:
        print("BoGo failures:")
        blocks = re.split(r"\n(?=(?:PASSED|FAILED|UNIMPLEMENTED) \()", log)
        by_name = {}
        for b in blocks:
            m = re.match(r"FAILED \((.*?)\)\n(.*)", b, re.S)
            if m:
                by_name[m.group(1)] = m.group(2).strip().splitlines()
        for name in sorted(failed):
            lines = by_name.get(name, [])
            detail = " | ".join(l for l in lines[:6] if l.strip())[:400]
            print(f"  FAILED {name}: {detail}")
    try:
        with open(tls13_log, errors="replace") as f:
            tls13_passed = re.findall(r"^PASSED \((.*)\)$", f.read(), re.M)
    except OSError:
        tls13_passed = []
    async_passed = sum(1 for n in passed if "Async" in n)
    tls13_async = sum(1 for n in tls13_passed if "Async" in n)
    print("BoGo disabled tests by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print("BoGo disabled patterns by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(patterns.items())))
    print(f"BoGo passing: {len(passed)}, of which {async_passed} -async variants; in TLS 1.3 alone (-no-tls12): "
          f"{len(tls13_passed)}, of which {tls13_async} -async")
    if not tests:
        print("BoGo: the runner wrote no results")
        print(log[-3000:])
    print(f"BoGo: {len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped, "
          f"{n_disabled} disabled ({seconds} s)")
    bad = bool(failed) or not tests or (runner_rc != "0" and not failed and not tests)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
