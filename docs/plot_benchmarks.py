#!/usr/bin/env python3
"""Draw tls_bench results as SVG (standard library only).

Usage: bazel-bin/bench/tls_bench --json=results.json > table.md
       python3 docs/plot_benchmarks.py results.json docs/

Writes docs/bench_throughput.svg (bulk MB/s against write size, one line per
engine, log2 x axis) and docs/bench_handshakes.svg (handshakes per CPU second
per configuration, one bar per engine).
"""
import json
import math
import os
import sys

COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd"]
FONT = 'font-family="sans-serif"'


def esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def nice_max(v):
    """A round axis maximum at or above v."""
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if m * exp >= v:
            return m * exp
    return 10 * exp


def legend(engines, x, y):
    out = []
    for i, e in enumerate(engines):
        out.append(f'<rect x="{x}" y="{y + i * 18}" width="12" height="12" fill="{COLOURS[i % len(COLOURS)]}"/>')
        out.append(f'<text x="{x + 18}" y="{y + i * 18 + 10}" font-size="12" {FONT}>{esc(e)}</text>')
    return out


def y_axis(left, top, height, width, vmax, label):
    out = []
    for k in range(6):
        v = vmax * k / 5
        y = top + height - height * k / 5
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" {FONT}>{v:g}</text>')
    out.append(f'<text x="14" y="{top + height / 2}" font-size="12" {FONT} '
               f'transform="rotate(-90 14 {top + height / 2})" text-anchor="middle">{esc(label)}</text>')
    return out


def throughput_svg(data):
    engines, rows = data["engines"], data["sweep"]
    if not rows:
        return None
    W, H, left, top, pw, ph = 720, 420, 70, 40, 480, 320
    vmax = nice_max(max((v for r in rows for v in r["rates"].values() if v is not None), default=1))
    xs = [math.log2(r["write_size"]) for r in rows]
    x0, x1 = min(xs), max(xs)
    px = lambda x: left + (x - x0) / ((x1 - x0) or 1) * pw
    py = lambda v: top + ph - v / vmax * ph
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="15" {FONT}>Bulk AES-128-GCM client to server, MB/s per CPU second</text>']
    out += y_axis(left, top, ph, pw, vmax, "MB/s")
    for r, x in zip(rows, xs):
        out.append(f'<text x="{px(x):.1f}" y="{top + ph + 16}" font-size="11" text-anchor="middle" {FONT}>'
                   f'{esc(r["label"].replace(" ", ""))}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{top + ph + 34}" font-size="12" text-anchor="middle" {FONT}>write size</text>')
    for i, e in enumerate(engines):
        pts = [(px(x), py(r["rates"][e])) for r, x in zip(rows, xs) if r["rates"].get(e) is not None]
        if not pts:
            continue
        colour = COLOURS[i % len(COLOURS)]
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                   + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts) + '"/>')
        out += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{colour}"/>' for a, b in pts]
    out += legend(engines, left + pw + 20, top + 10)
    out.append("</svg>")
    return "\n".join(out)


def handshakes_svg(data):
    engines, rows = data["engines"], data["handshakes"]
    if not rows:
        return None
    group_h, bar_h = 14 * len(engines) + 14, 12
    left, top, pw = 290, 40, 380
    H = top + group_h * len(rows) + 40
    W = left + pw + 190
    vmax = nice_max(max((v for r in rows for v in r["rates"].values() if v is not None), default=1))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="10" y="22" font-size="15" {FONT}>TLS 1.3 handshakes per CPU second (client + server, one thread)</text>']
    bottom = top + group_h * len(rows)
    for k in range(6):
        v = vmax * k / 5
        x = left + pw * k / 5
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 14}" font-size="11" text-anchor="middle" {FONT}>{v:g}</text>')
    for g, r in enumerate(rows):
        y = top + g * group_h
        out.append(f'<text x="{left - 8}" y="{y + group_h / 2 + 4:.1f}" font-size="11" text-anchor="end" {FONT}>'
                   f'{esc(r["label"])}</text>')
        for i, e in enumerate(engines):
            v = r["rates"].get(e)
            by = y + 7 + i * 14
            if v is None:
                out.append(f'<text x="{left + 4}" y="{by + 10}" font-size="10" fill="#888" {FONT}>n/a</text>')
                continue
            out.append(f'<rect x="{left}" y="{by}" width="{v / vmax * pw:.1f}" height="{bar_h}" '
                       f'fill="{COLOURS[i % len(COLOURS)]}"/>')
            out.append(f'<text x="{left + v / vmax * pw + 4:.1f}" y="{by + 10}" font-size="10" {FONT}>{v:.0f}</text>')
    out += legend(engines, left + pw + 60, top + 10)
    out.append("</svg>")
    return "\n".join(out)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        data = json.load(f)
    for name, svg in (("bench_throughput.svg", throughput_svg(data)), ("bench_handshakes.svg", handshakes_svg(data))):
        if svg is None:
            continue
        path = os.path.join(argv[2], name)
        with open(path, "w") as f:
            f.write(svg + "\n")
        print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
