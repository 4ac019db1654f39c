#!/usr/bin/env python3
"""Sets the display formulas of one post with wenji and with XeLaTeX (amsmath + unicode-math), in the
same font (STIX Two Math from fonts/), the same size (10.5 pt) and the same 28 em measure, and puts
the first page of each side by side in `math.png` (wenji left, XeLaTeX right).

Usage: math.py [--wenji BIN] [--count N] [--skip K] POST.md
       (default: target/release/wenji, the post's first 10 display formulas)
Needs: xelatex with unicode-math and xeCJK (Debian texlive-xetex texlive-lang-chinese
texlive-science), pdftoppm (poppler-utils), Pillow. Not part of the test suite.
"""
import pathlib, re, subprocess, sys, tempfile

from PIL import Image

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
FONTS = REPO / "fonts"

LATEX = r"""\documentclass{article}
\usepackage[paperwidth=148mm,paperheight=210mm,textwidth=294pt,textheight=470.4pt,top=59.6pt,
  hmarginratio=1:1,headheight=0pt,headsep=0pt,footskip=30pt]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{unicode-math}
\setmathfont{STIXTwoMath-Regular.otf}[Path=%(fonts)s/]
\usepackage{xeCJK}
\setCJKmainfont{NotoSerifSC-Regular.ttf}[Path=%(fonts)s/]
\setmainfont{NotoSerifSC-Regular.ttf}[Path=%(fonts)s/]
\fontsize{10.5pt}{16.8pt}\selectfont
\pagestyle{empty}
\setlength{\parindent}{0pt}
%(macros)s
\begin{document}
\fontsize{10.5pt}{16.8pt}\selectfont
%(body)s
\end{document}
"""


def formulas(post, count, skip):
    """The post's display formulas as written (blogdown's `$$…$$` code spans or bare `$$…$$`), without
    labels and tags; and the macros the post defines."""
    text = post.read_text()
    found = re.findall(r"`\$\$(.+?)\$\$`|^\$\$(.+?)\$\$", text, flags=re.S | re.M)
    out = []
    for groups in found:
        tex = next(g for g in groups if g).strip()
        tex = re.sub(r"\\(label|tag)\{[^}]*\}", "", tex).strip()
        if tex:
            out.append(tex)
    macros = "\n".join(re.findall(r"\\(?:re)?newcommand\{[^}]+\}(?:\[\d\])?\{[^\n]*\}", text))
    return out[skip : skip + count], macros.replace("\\renewcommand", "\\providecommand")


def page_png(pdf, out):
    subprocess.run(["pdftoppm", "-r", "120", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(out)], check=True)
    return Image.open(str(out) + ".png")


def main():
    args = sys.argv[1:]
    binary, count, skip = REPO / "target/release/wenji", 10, 0
    if "--wenji" in args:
        i = args.index("--wenji")
        binary = pathlib.Path(args[i + 1])
        del args[i : i + 2]
    if "--count" in args:
        i = args.index("--count")
        count = int(args[i + 1])
        del args[i : i + 2]
    if "--skip" in args:
        i = args.index("--skip")
        skip = int(args[i + 1])
        del args[i : i + 2]
    post = pathlib.Path(args[0])
    tex, macros = formulas(post, count, skip)
    work = pathlib.Path(tempfile.mkdtemp())
    # wenji: one essay, each formula a display of its own, as a blog writes it.
    book = work / "book"
    (book / "manuscripts").mkdir(parents=True)
    (book / "book.toml").write_text('[book]\ntitle = "公式"\n\n[pdf]\ncover = false\n')
    defs = "".join(f"${m}$\n\n" for m in macros.splitlines())
    body = "\n\n".join(f"$$\n{t}\n$$" for t in tex)
    (book / "manuscripts" / "a.md").write_text(f"---\ntitle: 公式\ndate: 2024-01-01\n---\n\n{defs}{body}\n")
    subprocess.run([str(binary), "build", str(book), "-o", str(work / "w"), "--format", "pdf"], check=True, stderr=subprocess.DEVNULL)
    wenji_pdf = next((work / "w").glob("*.pdf"))
    # The essay's first page: the first that holds math letters.
    info = subprocess.run(["pdfinfo", str(wenji_pdf)], capture_output=True, text=True).stdout
    count_pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    texts = [subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(wenji_pdf), "-"], capture_output=True, text=True).stdout for p in range(1, count_pages + 1)]
    essay = next(p + 1 for p, t in enumerate(texts) if any(0x1D400 <= ord(c) <= 0x1D7FF for c in t))
    subprocess.run(["pdftoppm", "-r", "120", "-png", "-f", str(essay), "-l", str(essay), "-singlefile", str(wenji_pdf), str(work / "wenji")], check=True)
    left = Image.open(str(work / "wenji") + ".png")
    # XeLaTeX: the same formulas, each in \[ … \], on the same measure.
    latex = LATEX % {"fonts": FONTS, "macros": macros, "body": "\n".join(f"\\[\n{t}\n\\]" for t in tex)}
    (work / "x.tex").write_text(latex)
    subprocess.run(["xelatex", "-interaction=nonstopmode", "x.tex"], cwd=work, check=False, stdout=subprocess.DEVNULL)
    right = page_png(work / "x.pdf", work / "xelatex")
    both = Image.new("RGB", (left.width + right.width + 20, max(left.height, right.height)), "white")
    both.paste(left, (0, 0))
    both.paste(right, (left.width + 20, 0))
    both.save(HERE / "math.png")
    print(f"{len(tex)} formulas from {post.name}: {HERE / 'math.png'}")


if __name__ == "__main__":
    main()
