#!/usr/bin/env python3
"""wenji's benchmark: a scale corpus made from the seeds, timed as whole processes, with peers.

    python3 bench/bench.py                      # N = 3, 100, 1000; 3 runs each; peers when installed
    python3 bench/bench.py --sizes 100,1000,3000 --runs 5
    python3 bench/bench.py --batches-only       # just the batch table

It builds wenji in the `dist` profile (fat LTO, one codegen unit: what a release ships; about four
minutes to compile from scratch on two cores).

For each N it writes N essays made from manuscripts/ (distinct titles and dates; file order is not
date order), then times `wenji build` (EPUB + PDF) and, when pandoc (PyPI `pypandoc-binary`) and
Typst (PyPI `typst`) are installed, pandoc → EPUB 3 and pandoc → Typst → PDF on the same essays.
It reports the median wall time and the peak resident memory of each, the sizes of the PDFs and
the ratios, as a Markdown table on stdout and in bench/results.md.

An image-heavy book: ../shared/blogs/huli/source (80 posts, 170 images, 10 MB), when ../shared is
beside the repository: wall time, memory, and the bytes of images in the EPUB against the blog's.

Batches: 8 books of the seeds and 4 books of 100 essays, each built by one `wenji build A B …` and by
one `wenji build` a book after another, with the default formats.
"""
import argparse, datetime, os, pathlib, platform, random, re, shutil, statistics, subprocess, sys, tempfile, time

REPO = pathlib.Path(__file__).resolve().parent.parent
PROFILE = "dist"
WENJI = REPO / "target" / PROFILE / "wenji"


def run(cmd, cwd=None, env=None):
    """Runs `cmd` as one process; returns (wall seconds, peak RSS in MB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{err}")
    return wall, usage.ru_maxrss / 1024


def measure(cmds, runs):
    """Median wall time and largest peak RSS of a pipeline of commands, over `runs` runs."""
    walls, peaks = [], []
    for _ in range(runs):
        total, peak = 0.0, 0.0
        for cmd, cwd in cmds:
            wall, rss = run(cmd, cwd)
            total += wall
            peak = max(peak, rss)
        walls.append(total)
        peaks.append(peak)
    return statistics.median(walls), max(peaks)


def make_corpus(n, dest):
    """`n` essays from the seeds: distinct titles, dates a day apart, shuffled against file names."""
    seeds = sorted((REPO / "manuscripts").glob("*.md"))
    texts = [s.read_text(encoding="utf-8") for s in seeds]
    rng = random.Random(n)
    days = list(range(n))
    rng.shuffle(days)
    base = datetime.datetime(2000, 1, 1, 8, 0, 0)
    dest.mkdir(parents=True)
    for i in range(n):
        text = texts[i % len(texts)]
        date = base + datetime.timedelta(days=days[i], minutes=i % 60)
        text = re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)}（第{i + 1}篇）", text, count=1, flags=re.M)
        text = re.sub(r"^date: .*$", f"date: {date:%Y-%m-%d %H:%M:%S}", text, count=1, flags=re.M)
        (dest / f"essay-{i:05d}.md").write_text(text, encoding="utf-8")


def batch_rows(tmp, runs):
    """The batches, each timed as one `wenji build` of every book and as one build a book after another."""
    rows = []
    for label, count, n in (("8 books of the seeds (3 essays)", 8, 3), ("4 books of 100 essays", 4, 100)):
        books = []
        for i in range(count):
            book = tmp / f"batch-{count}x{n}" / f"book{i + 1}"
            make_corpus(n, book)
            books.append(str(book))
        out = tmp / f"batch-out-{count}x{n}"
        together = measure([([str(WENJI), "build", *books, "-o", str(out), "-q"], None)], runs)
        apart = measure([([str(WENJI), "build", b, "-o", str(out / pathlib.Path(b).name), "-q"], None) for b in books], runs)
        rows.append((label, *together, *apart))
        print(f"{label}: together {together}, one after another {apart}", file=sys.stderr)
    return rows


def image_row(tmp, runs):
    """The image-heavy blog of ../shared, or None when it is absent."""
    blog = REPO.parent / "shared" / "blogs" / "huli" / "source"
    if not blog.is_dir():
        print("image-heavy book left out: ../shared/blogs/huli is absent", file=sys.stderr)
        return None
    out = tmp / "out-images"
    wall, rss = measure([([str(WENJI), "build", str(blog), "-o", str(out), "-q"], None)], runs)
    import zipfile
    epub = next(out.glob("*.epub"))
    in_book = sum(i.file_size for i in zipfile.ZipFile(epub).infolist() if i.filename.startswith("EPUB/images/"))
    exts = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
    in_blog = sum(p.stat().st_size for p in blog.rglob("*") if p.suffix.lower() in exts)
    pdf = next(out.glob("*.pdf")).stat().st_size
    print(f"images: {wall:.2f} s, {rss:.0f} MB", file=sys.stderr)
    return wall, rss, in_blog / 1e6, in_book / 1e6, epub.stat().st_size / 1e6, pdf / 1e6


def peer_inputs(corpus, dest):
    """The same essays for pandoc, in date order: front matter replaced by a `#` title heading
    (pandoc would merge every file's metadata, and its Typst writer chokes on the merged tags)."""
    dest.mkdir()
    essays = []
    for path in corpus.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        _, matter, body = text.split("---\n", 2)
        title = re.search(r"^title: (.*)$", matter, re.M).group(1)
        date = re.search(r"^date: (.*)$", matter, re.M).group(1)
        essays.append((date, title, body))
    files = []
    for i, (_, title, body) in enumerate(sorted(essays)):
        f = dest / f"{i:05d}.md"
        f.write_text(f"# {title}\n\n{body}", encoding="utf-8")
        files.append(str(f))
    return files


def peers():
    try:
        import pypandoc  # noqa: F401
        import typst  # noqa: F401
    except ImportError:
        return None
    import pypandoc
    return pypandoc.get_pandoc_path()


TYPST = """import sys, typst
typst.compile(sys.argv[1], output=sys.argv[2], font_paths=[sys.argv[3]])
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="3,100,1000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--batches-only", action="store_true", help="time only the batches")
    args = ap.parse_args()
    sizes = [] if args.batches_only else [int(s) for s in args.sizes.split(",")]

    subprocess.run(["cargo", "build", "--profile", PROFILE, "--locked", "-q"], cwd=REPO, check=True)
    pandoc = None if args.no_peers else peers()
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        for n in sizes:
            corpus = tmp / f"essays-{n}"
            make_corpus(n, corpus)
            out = tmp / f"out-{n}"
            wall, rss = measure([([str(WENJI), "build", str(corpus), "-o", str(out), "-q"], None)], args.runs)
            pdf = next(out.glob("*.pdf")).stat().st_size / 1e6
            row = {"n": n, "wenji_s": wall, "wenji_mb": rss, "wenji_pdf_mb": pdf}
            if pandoc:
                files = peer_inputs(corpus, tmp / f"peer-{n}")
                meta = ["-f", "markdown", "--metadata", "title=心的微光", "--metadata", "lang=zh-CN"]
                epub = [pandoc, *meta, "-t", "epub3", "-o", str(tmp / "peer.epub"), *files]
                row["pandoc_epub_s"], row["pandoc_epub_mb"] = measure([(epub, None)], args.runs)
                typ = [pandoc, *meta, "-t", "typst", "-s", "-V", "mainfont=Noto Serif SC", "-V", "papersize=a5", "-o", str(tmp / "peer.typ"), *files]
                compile_ = [sys.executable, "-c", TYPST, str(tmp / "peer.typ"), str(tmp / "peer.pdf"), str(REPO / "fonts")]
                row["typst_s"], row["typst_mb"] = measure([(typ, None), (compile_, None)], args.runs)
                row["typst_pdf_mb"] = (tmp / "peer.pdf").stat().st_size / 1e6
            rows.append(row)
            print(f"N={n}: {row}", file=sys.stderr)
        images = None if args.batches_only else image_row(tmp, args.runs)
        batches = batch_rows(tmp, args.runs)

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    lines = [
        f"Measured {datetime.date.today()} on {os.cpu_count()} cores ({cpu}), {args.runs} runs each: median wall time, largest peak RSS.",
        "",
    ]
    if not rows:
        pass
    elif pandoc:
        lines += [
            "| N | wenji EPUB+PDF | wenji RSS | wenji PDF | pandoc→EPUB | RSS | pandoc→Typst→PDF | RSS | Typst PDF | peers ÷ wenji (time) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            ratio = (r["pandoc_epub_s"] + r["typst_s"]) / r["wenji_s"]
            lines.append(
                f"| {r['n']} | {r['wenji_s']:.2f} s | {r['wenji_mb']:.0f} MB | {r['wenji_pdf_mb']:.1f} MB | {r['pandoc_epub_s']:.2f} s | {r['pandoc_epub_mb']:.0f} MB "
                f"| {r['typst_s']:.2f} s | {r['typst_mb']:.0f} MB | {r['typst_pdf_mb']:.1f} MB | {ratio:.1f}× |"
            )
    else:
        lines += ["| N | wenji EPUB+PDF | wenji RSS | wenji PDF |", "|---:|---:|---:|---:|"]
        for r in rows:
            lines.append(f"| {r['n']} | {r['wenji_s']:.2f} s | {r['wenji_mb']:.0f} MB | {r['wenji_pdf_mb']:.1f} MB |")
        if args.no_peers:
            lines += ["", "(peers left out: --no-peers)"]
        else:
            lines += ["", "(pandoc and Typst not installed: `pip install pypandoc-binary typst` adds them.)"]
    if images:
        wall, rss, in_blog, in_book, epub, pdf = images
        lines += [
            "",
            "| image-heavy book (huli, 80 posts, 170 images) | wenji EPUB+PDF | RSS | images in the blog | images in the EPUB | EPUB | PDF |",
            "|---|---:|---:|---:|---:|---:|---:|",
            f"| ../shared/blogs/huli/source | {wall:.2f} s | {rss:.0f} MB | {in_blog:.1f} MB | {in_book:.1f} MB ({in_book / in_blog:.2f}×) | {epub:.1f} MB | {pdf:.1f} MB |",
        ]
    lines += ["", "| batch | one `wenji build` of all | RSS | one build a book, in turn | largest RSS | in turn ÷ batch |", "|---|---:|---:|---:|---:|---:|"]
    for label, together, rss_t, apart, rss_a in batches:
        lines.append(f"| {label} | {together:.2f} s | {rss_t:.0f} MB | {apart:.2f} s | {rss_a:.0f} MB | {apart / together:.2f}× |")
    table = "\n".join(lines) + "\n"
    print(table)
    (REPO / "bench" / "results.md").write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
