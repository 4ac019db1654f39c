#!/usr/bin/env python3
"""Measures a page as an editor does, from wenji's layout dump (`--format layout`):

- short pages: body pages that end 1 or more grid lines above the grid's last line (a picture
  counts to its grid lines' foot), other than an essay's last page (the next page opens an essay,
  or is blank), with the reason the dump gives;
- Han–Han gaps on justified lines (not a paragraph's last): the 99th percentile and the widest;
  the 99th percentile again over ordinary lines (not of a paragraph set a line longer or shorter
  to fill its page, `~` in the dump), and over those of them that hold no Latin letter or digit;
- ragged lines: justified lines that stop short of the measure (or of a quote's inset measure),
  not a paragraph's last;
- lines past the measure; last lines of a paragraph with fewer than three characters.

Usage: measure.py [-v] DUMP...           each a .layout.txt
       measure.py [-v] --wenji BIN DIR...   builds each book folder with BIN (--format layout --offline)
Prints one row per book and, with -v, the short pages and the worst lines. Font size and grid come
from the dump: the body size is the most common step between two Han characters.
"""
import collections, pathlib, re, subprocess, sys, tempfile

FIGURE = re.compile(r"^  figure x=([\d.]+) y=([\d.]+) w=([\d.]+) h=([\d.]+)$")
LINE = re.compile(r"^  (\w+)(\^?)(\$?)(~?) y=([\d.]+) \|(.*)\|((?: [\d.]+(?:\*\d+)?)*)(?: >([\d.]+))?$")


def is_han(c):
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def read(path):
    pages = []
    for raw in open(path, encoding="utf-8"):
        raw = raw.rstrip("\n")
        if raw.startswith("page "):
            pages.append({"head": raw, "lines": [], "figures": []})
            continue
        figure = FIGURE.match(raw)
        if figure and pages:
            x, y, w, h = map(float, figure.groups())
            pages[-1]["figures"].append((y, y + h))
            continue
        m = LINE.match(raw)
        if not m or not pages:
            continue
        kind, first, last, adjusted, y, text, xs, end = m.groups()
        clusters, chars = [], list(text)
        for token in xs.split():
            x, _, n = token.partition("*")
            n = int(n or 1)
            clusters.append([float(x), "".join(chars[:n])])
            chars = chars[n:]
        pages[-1]["lines"].append({"kind": kind, "first": first == "^", "last": last == "$", "adjusted": adjusted == "~", "y": float(y),
                                   "clusters": clusters, "end": float(end) if end else None, "text": text})
    return pages


def measure(path, verbose=False):
    pages = read(path)
    content = lambda p: [l for l in p["lines"] if l["kind"] not in ("Head", "Folio")]
    body = [l for p in pages for l in p["lines"] if l["kind"] in ("Body", "Quote")]
    # The em: the most common distance between two consecutive Han characters' x.
    # (Body text and quotes, set smaller, each have their own.)
    ems = {}
    for kind in ("Body", "Quote"):
        steps = collections.Counter()
        for l in body:
            c = l["clusters"]
            for a, b in zip(c, c[1:]):
                if l["kind"] == kind and len(a[1]) == 1 and is_han(a[1]) and is_han(b[1][:1]):
                    steps[round(b[0] - a[0], 1)] += 1
        ems[kind] = steps.most_common(1)[0][0] if steps else None
    em = ems["Body"] or 10.5
    ys = [l["y"] for p in pages for l in content(p) if l["kind"] in ("Body", "Quote")]
    foot = max(ys)
    # The grid's pitch: the most common step between two consecutive lines of text on a page.
    steps = collections.Counter()
    for p in pages:
        text = [l["y"] for l in content(p) if l["kind"] == "Body"]
        steps.update(round(b - a, 1) for a, b in zip(text, text[1:]) if b - a > 1)
    pitch = steps.most_common(1)[0][0]
    # The left and right edges of the text block: where most body lines start and end.
    right = collections.Counter(round(l["end"], 1) for l in body if l["end"] and not l["last"]).most_common(1)[0][0]
    short, reasons, body_pages = 0, collections.Counter(), 0
    for i, p in enumerate(pages):
        lines = content(p)
        if not re.search(r"folio \d+", p["head"]) or not lines:
            continue
        following = content(pages[i + 1]) if i + 1 < len(pages) else []
        if not following or following[0]["kind"] == "Title":
            continue
        body_pages += 1
        free = round((foot - max(l["y"] for l in lines)) / pitch)
        # A picture is centred in its grid lines, less than a line from their foot: it ends the
        # page when less than a line lies between it and the last grid line's foot.
        slot_foot = foot + pitch / 2 - 0.38 * em
        free = min([free] + [max(0, int((slot_foot - bottom) // pitch)) for _, bottom in p["figures"]])
        if free > 0:
            short += 1
            m = re.search(r"short \d+: (.*)$", p["head"])
            reasons[m.group(1) if m else "(no reason given)"] += 1
            if verbose:
                print(f"  short by {free}: {p['head']}")
    # Every gap; those on lines broken as they break best (not set a line longer or shorter for
    # their page); and those of such lines that hold no Latin letter or digit.
    gaps, ordinary, ordinary_han, worst, ragged, past, two = [], [], [], [], 0, 0, 0
    for l in body:
        c = l["clusters"]
        if not c:
            continue
        line_end = l["end"] or c[-1][0]
        if line_end > right + 0.05 * em:
            past += 1
        if l["last"]:
            letters = sum(1 for x in c if any(is_han(ch) or ch.isalnum() for ch in x[1]))
            if not l["first"] and letters < 3:
                two += 1
            continue
        # A quote's lines end 2 em (4 em nested) inside the measure.
        if line_end < right - 0.3 * em and all(abs(line_end - (right - k * 2 * em)) > 0.05 * em for k in (1, 2, 3)):
            ragged += 1
            if verbose:
                print(f"  ragged: {l['text']}")
        latin = re.search(r"[A-Za-z0-9]", l["text"]) is not None
        for a, b in zip(c, c[1:]):
            if len(a[1]) == 1 and is_han(a[1]) and len(b[1]) == 1 and is_han(b[1]):
                size = ems.get(l["kind"]) or em
                gap = (b[0] - a[0] - size) / size
                gaps.append(gap)
                worst.append((gap, l["text"]))
                if not l["adjusted"]:
                    ordinary.append(gap)
                    if not latin:
                        ordinary_han.append(gap)
    p99 = percentile(gaps)
    over = lambda t: len({text for g, text in worst if g > t})
    top = max(worst) if worst else (0.0, "")
    row = {"pages": body_pages, "short": short, "p99": p99, "p99 ordinary": percentile(ordinary), "p99 han": percentile(ordinary_han), "max": top[0], "over10": over(0.10), "over25": over(0.25),
           "ragged": ragged, "past": past, "last<3": two, "reasons": reasons}
    if verbose:
        print(f"  widest gap {top[0]:.3f} em: {top[1]}")
    return row


def percentile(values, share=0.99):
    values = sorted(values)
    return values[int(share * (len(values) - 1))] if values else 0.0


def dumps(args):
    """(name, dump path) for each argument: a dump, or a book folder built with --wenji BIN."""
    if args[:1] != ["--wenji"]:
        return [(a, a) for a in args]
    binary, out = args[1], tempfile.mkdtemp()
    found = []
    for i, folder in enumerate(args[2:]):
        dest = pathlib.Path(out, str(i))
        subprocess.run([binary, "build", folder, "-o", str(dest), "--format", "layout", "--offline"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        found.append((folder, str(next(dest.glob("*.layout.txt")))))
    return found


def main():
    verbose = "-v" in sys.argv
    print("| book | body pages | short pages | Han–Han gap p99 / max (em) | p99 of ordinary lines / of those without Latin | lines with a gap > 0.10 / 0.25 em | ragged | past the measure | last line < 3 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, path in dumps([a for a in sys.argv[1:] if a != "-v"]):
        r = measure(path, verbose)
        print(f"| {name} | {r['pages']} | {r['short']} | {r['p99']:.3f} / {r['max']:.3f} | {r['p99 ordinary']:.3f} / {r['p99 han']:.3f} | {r['over10']} / {r['over25']} | {r['ragged']} | {r['past']} | {r['last<3']} |")
        if verbose:
            for reason, n in r["reasons"].most_common():
                print(f"|   short: {reason} | | {n} | | | | | | |")


if __name__ == "__main__":
    main()
