#!/usr/bin/env python3
"""Sets the same posts with wenji and with XeLaTeX + ctex on the same A5 grid and measures both
PDFs the same way, from the glyph positions MuPDF reads back (`mutool draw -F stext`):

- short pages: pages whose last line of text (of any size, folios aside) stands one or more grid
  lines above the baseline where most pages end, other than a post's last page;
- the gap between two Han characters on lines a paragraph goes on after (the next line starts at
  the left edge one grid line lower): its 99th percentile, the widest, and the lines with a gap
  over 0.10 and 0.25 em;
- ragged lines: such lines whose ink stops more than 0.6 em short of the right edge (a full-width
  mark's ink ends 0.35 em into its box, so a line-end mark that keeps its blank half is not ragged);
- lines past the measure: any body line whose ink ends more than 0.1 em past the right edge;
- last lines of fewer than three letters: a paragraph's last line (the next line is indented
  or is not body text) holding fewer than three Han characters, Latin letters or digits.

Usage: ctex.py [--wenji BIN] [--keep DIR] POST.md...
Needs: xelatex with ctex (Debian texlive-xetex texlive-lang-chinese texlive-fonts-recommended),
pandoc (PyPI pypandoc-binary, or on PATH), mutool (Debian mupdf-tools). Not part of the test suite.
"""
import collections, pathlib, re, shutil, subprocess, sys, tempfile
import xml.etree.ElementTree as ET

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
FONTS = REPO / "fonts"
SIZE = 10.5
MARKS = set("，。、；：？！）」』”’》】〕")

# wenji's A5 grid (src/typeset/page.rs): 10.5 pt type, 16.8 pt pitch, a 28 em measure centred,
# 28 lines. Each post opens a page with its title, as wenji's essays do.
PREAMBLE = r"""\documentclass[zihao=5,fontset=none]{ctexart}
\usepackage[paperwidth=148mm,paperheight=210mm,textwidth=294pt,textheight=470.4pt,
  top=59.6pt,hmarginratio=1:1,headheight=0pt,headsep=0pt,footskip=30pt]{geometry}
\setCJKmainfont[Path=%(fonts)s/,BoldFont=NotoSerifSC-Bold.ttf]{NotoSerifSC-Regular.ttf}
\setCJKsansfont[Path=%(fonts)s/,BoldFont=NotoSerifSC-Bold.ttf]{NotoSerifSC-Regular.ttf}
\setCJKmonofont[Path=%(fonts)s/]{NotoSerifSC-Regular.ttf}
\setmainfont[Path=%(fonts)s/,BoldFont=NotoSerifSC-Bold.ttf]{NotoSerifSC-Regular.ttf}
\setmonofont[Path=%(fonts)s/]{NotoSansMono-Regular.ttf}
\usepackage{graphicx,longtable,booktabs,array,calc,amsmath,amssymb,fancyvrb,hyperref}
\providecommand{\sout}[1]{#1}\providecommand{\st}[1]{#1}
\usepackage{etoolbox}
\providecommand{\tightlist}{\setlength{\itemsep}{0pt}\setlength{\parskip}{0pt}}
\providecommand{\pandocbounded}[1]{#1}
\def\includegraphics#1#{\fbox}
\setlength{\parskip}{0pt}
\setlength{\topskip}{12.4pt}
\ctexset{section={format=\bfseries\zihao{4}\centering,beforeskip=33.6pt,afterskip=16.8pt,numbering=false},
  subsection={format=\bfseries\zihao{5},beforeskip=16.8pt,afterskip=1sp,numbering=false},
  subsubsection={format=\bfseries\zihao{5},beforeskip=16.8pt,afterskip=1sp,numbering=false},
  paragraph={format=\bfseries\zihao{5},beforeskip=16.8pt,afterskip=1sp,numbering=false,runin=false},
  subparagraph={format=\bfseries\zihao{5},beforeskip=16.8pt,afterskip=1sp,numbering=false,runin=false}}
\pagestyle{plain}
\begin{document}
\fontsize{10.5pt}{16.8pt}\selectfont
"""


def pandoc():
    found = shutil.which("pandoc")
    if found:
        return found
    import pypandoc
    return pypandoc.get_pandoc_path()


def front_matter(text):
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    title = re.search(r"^title:\s*['\"]?(.+?)['\"]?\s*$", m.group(1), re.M).group(1) if m else "untitled"
    return title, text[m.end():] if m else text


def ctex_pdf(posts, work):
    parts = [PREAMBLE % {"fonts": FONTS}]
    for post in posts:
        title, body = front_matter(post.read_text(encoding="utf-8"))
        # Hexo tags and raw HTML are wenji's to read, not pandoc's: left out of both.
        body = re.sub(r"\{%.*?%\}", "", body)
        tex = subprocess.run([pandoc(), "-f", "markdown-raw_html-raw_tex", "-t", "latex-smart", "--syntax-highlighting=none",
                              "--shift-heading-level-by=1"], input=body, capture_output=True, text=True, check=True).stdout
        parts.append(r"\clearpage\section*{%s}" % re.sub(r"([#$%&_{}])", r"\\\1", title))
        parts.append(tex)
    parts.append(r"\end{document}")
    tex = work / "ctex.tex"
    tex.write_text("\n".join(parts), encoding="utf-8")
    subprocess.run(["xelatex", "-interaction=batchmode", tex.name], cwd=work, stdout=subprocess.DEVNULL)
    pdf = work / "ctex.pdf"
    if not pdf.exists():
        sys.exit(f"xelatex wrote no PDF; see {work}/ctex.log")
    return pdf


def wenji_pdf(binary, posts, work):
    book = work / "book"
    book.mkdir()
    for post in posts:
        shutil.copy(post, book / post.name)
    out = work / "wenji"
    subprocess.run([binary, "build", str(book), "-o", str(out), "--format", "pdf", "--offline"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return next(out.glob("*.pdf"))


def is_han(c):
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf"


def pages(pdf):
    """Each page: whether it opens a post (a title larger than the body), and its lines of body
    text as (baseline, [(x, right edge, char)]): lines that start at the body size and are mostly
    not in the monospace face (code blocks are left out; inline code stays). Folios, lines of
    digits alone, are left out too."""
    xml = subprocess.run(["mutool", "draw", "-F", "stext", "-o", "-", str(pdf)], capture_output=True, check=True).stdout
    out = []
    for page in ET.fromstring(xml).iter("page"):
        rows = collections.defaultdict(list)
        title = ""
        for font in page.iter("font"):
            size, mono = float(font.get("size")), "Mono" in font.get("name")
            for ch in font.iter("char"):
                if size > SIZE * 1.3:
                    title += ch.get("c")
                quad = [float(v) for v in ch.get("quad").split()]
                rows[round(float(ch.get("y")))].append((float(ch.get("x")), max(quad[2], quad[6]), ch.get("c"), size, mono))
        lines, bottom = [], 0.0
        for y, chars in sorted(rows.items()):
            chars.sort()
            if not "".join(c[2] for c in chars).strip().isdigit():
                bottom = y
            if abs(chars[0][3] - SIZE) > 0.3 or sum(c[4] for c in chars) * 2 > len(chars):
                continue
            if "".join(c[2] for c in chars).strip().isdigit():
                continue
            chars = [c[:3] for c in chars]
            while chars and chars[-1][2] == " ":
                chars.pop()
            # A full-width mark's ink ends about 0.35 em into its box (the SC forms sit in the
            # lower left): the line ends there, however much of its blank half is kept.
            x, right, c = chars[-1]
            if c in MARKS:
                chars[-1] = (x, x + 0.35 * SIZE, c)
            lines.append((y, chars))
        out.append({"title": title, "lines": lines, "bottom": bottom})
    return out


def measure(pdf, first_body_page=0):
    book = pages(pdf)[first_body_page:]
    body = [l for p in book for l in p["lines"]]
    pitch = collections.Counter(round(b[0] - a[0], 1) for p in book for a, b in zip(p["lines"], p["lines"][1:])).most_common(1)[0][0]
    # The left edge: the leftmost of the two commonest line starts (the other is the indent).
    left = min(x for x, _ in collections.Counter(round(l[1][0][0], 0) for l in body).most_common(2))
    right = collections.Counter(round(l[1][-1][1], 0) for l in body).most_common(1)[0][0]
    # The grid's last line: where most pages' text ends.
    foot = collections.Counter(p["bottom"] for p in book if p["lines"]).most_common(1)[0][0]
    row = collections.Counter()
    gaps, worst = [], []
    for i, page in enumerate(book):
        lines = page["lines"]
        if not lines:
            continue
        following = book[i + 1] if i + 1 < len(book) else None
        last_of_post = following is None or following["title"] or not following["lines"]
        if not last_of_post:
            row["pages"] += 1
            if page["bottom"] < foot - pitch / 2:
                row["short"] += 1
        for k, (y, chars) in enumerate(lines):
            end = chars[-1][1]
            if end > right + 0.1 * SIZE:
                row["past"] += 1
            nxt = lines[k + 1] if k + 1 < len(lines) else None
            starts_at_edge = lambda l: abs(l[1][0][0] - left) < 0.3 * SIZE
            goes_on = nxt is not None and abs(nxt[0] - y - pitch) < 1 and starts_at_edge(nxt)
            indented = abs(chars[0][0] - left - 2 * SIZE) < 0.3 * SIZE
            if not goes_on:
                if nxt is not None and (abs(nxt[1][0][0] - left - 2 * SIZE) < 0.3 * SIZE) and not indented and starts_at_edge((y, chars)):
                    letters = sum(1 for _, _, c in chars if is_han(c) or c.isalnum())
                    if letters < 3:
                        row["last<3"] += 1
                continue
            if not (starts_at_edge((y, chars)) or indented):
                continue
            if end < right - 0.6 * SIZE:
                row["ragged"] += 1
            line_gaps = [(b[0] - a[0] - SIZE) / SIZE for a, b in zip(chars, chars[1:]) if is_han(a[2]) and is_han(b[2])]
            gaps += line_gaps
            if line_gaps:
                text = "".join(c for _, _, c in chars)
                worst.append((max(line_gaps), text))
    gaps.sort()
    row["p99"] = gaps[int(0.99 * (len(gaps) - 1))] if gaps else 0.0
    row["max"] = max(worst)[0] if worst else 0.0
    row["over10"] = sum(1 for g, _ in worst if g > 0.10)
    row["over25"] = sum(1 for g, _ in worst if g > 0.25)
    return row


def main():
    args = sys.argv[1:]
    binary, keep = str(REPO / "target" / "release" / "wenji"), None
    while args and args[0].startswith("--"):
        flag, value, args = args[0], args[1], args[2:]
        if flag == "--wenji":
            binary = value
        elif flag == "--keep":
            keep = pathlib.Path(value)
    posts = [pathlib.Path(a) for a in args]
    with tempfile.TemporaryDirectory() as tmp:
        work = keep or pathlib.Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        wenji = wenji_pdf(binary, posts, work)
        # wenji's book opens with a cover, a title page and the contents: measure from the page
        # that opens the first post (its title, larger than the body) on.
        title, _ = front_matter(min(posts, key=lambda p: p.name).read_text(encoding="utf-8"))
        key = re.sub(r"\s", "", title)[:6]
        first = next(i for i, p in enumerate(pages(wenji)) if key in re.sub(r"\s", "", p["title"]) and "目录" not in p["title"])
        ctex = ctex_pdf(posts, work)
        print("| typesetter | body pages | short pages | Han–Han gap p99 / max (em) | lines with a gap > 0.10 / 0.25 em | ragged | past the measure | last line < 3 |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, pdf, start in (("wenji", wenji, first), ("XeLaTeX + ctex", ctex, 0)):
            r = measure(pdf, start)
            print(f"| {name} | {r['pages']} | {r['short']} | {r['p99']:.3f} / {r['max']:.3f} | {r['over10']} / {r['over25']} | {r['ragged']} | {r['past']} | {r['last<3']} |")


if __name__ == "__main__":
    main()
