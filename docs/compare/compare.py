#!/usr/bin/env python3
"""Sets the same essay with wenji and with XeLaTeX + ctex on the same A5 grid and writes
compare.png: wenji's first body page on the left, ctex's on the right.

With --taiwan, the essay as wenji's Taiwan edition (`--convert s2tw`: the text of its EPUB): wenji
in its Noto Serif TC, XeLaTeX's xeCJK in Noto Serif CJK TC (Debian fonts-noto-cjk; else the same
Noto Serif TC) with full-width (quanjiao) punctuation; writes compare-taiwan.png.

Needs: cargo, xelatex with ctex (Debian texlive-xetex texlive-lang-chinese), pdftoppm, Pillow.
Run from anywhere: python3 docs/compare/compare.py [--taiwan]
"""
import html, pathlib, re, subprocess, sys, tempfile, zipfile

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
FONTS = REPO / "fonts"
DPI = 110

# The wenji grid on A5 (src/typeset/page.rs): 10.5 pt type, 16.8 pt pitch, a 28 em measure
# centred, 28 lines, first baseline 72.0 pt from the top.
PREAMBLE = r"""\documentclass[zihao=5,fontset=none]{ctexart}
\usepackage[paperwidth=148mm,paperheight=210mm,textwidth=294pt,textheight=470.4pt,
  top=59.6pt,hmarginratio=1:1,headheight=0pt,headsep=0pt,footskip=30pt]{geometry}
\setCJKmainfont[Path=%(fonts)s/,BoldFont=NotoSerif%(face)s-Bold.ttf]{NotoSerif%(face)s-Regular.ttf}
\setmainfont[Path=%(fonts)s/,BoldFont=NotoSerif%(face)s-Bold.ttf]{NotoSerif%(face)s-Regular.ttf}
\xeCJKsetup{PunctStyle=quanjiao}
\fontsize{10.5pt}{16.8pt}\selectfont
\linespread{1}
\setlength{\topskip}{12.4pt}
\setlength{\parskip}{0pt}
\ctexset{subsection={format=\bfseries\zihao{5},beforeskip=16.8pt,afterskip=1sp,numbering=false}}
\pagestyle{plain}
\begin{document}
\fontsize{10.5pt}{16.8pt}\selectfont
"""


def tex_escape(s):
    return re.sub(r"([#$%&_{}])", r"\\\1", s)


def markdown_blocks(md):
    """The essay's title and its blocks, each `("h", text)` or `("p", text)`."""
    body = md.split("\n---\n", 1)[1]
    title = re.search(r"^title:\s*(.+)$", md, re.M).group(1)
    blocks = [("h", p.lstrip("# ")) if p.startswith("#") else ("p", p) for p in filter(None, (p.strip() for p in body.split("\n\n")))]
    return title, blocks


def epub_blocks(epub):
    """The first essay of wenji's EPUB: its title and its paragraphs and headings, as text."""
    with zipfile.ZipFile(epub) as z:
        page = z.read(next(n for n in sorted(z.namelist()) if "/essays/" in n)).decode()
    text = lambda s: html.unescape(re.sub(r"<[^>]+>", "", s)).strip()
    title = text(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1))
    blocks = [("h" if tag == "h2" else "p", text(body)) for tag, body in re.findall(r"<(p|h2)(?: [^>]*)?>(.*?)</\1>", page, re.S) if 'class="dateline"' not in body]
    return title, [b for b in blocks if b[1] and not b[1].startswith("20")]


def to_tex(title, blocks, face):
    preamble = PREAMBLE % {"fonts": FONTS, "face": face}
    if face == "TC" and "Noto Serif CJK TC" in subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout:
        # The Taiwan face of Noto Serif CJK (Debian fonts-noto-cjk), as a Taiwanese book would use.
        ours = next(line for line in preamble.splitlines() if line.startswith(r"\setCJKmainfont"))
        preamble = preamble.replace(ours, r"\setCJKmainfont[BoldFont={Noto Serif CJK TC Bold}]{Noto Serif CJK TC}")
    out = [preamble]
    out.append(r"\vspace*{33.6pt}{\centering\bfseries\zihao{4}%s\par}\vspace{6pt}{\centering 2025 年 9 月 26 日\par}\vspace{33.6pt}" % tex_escape(title))
    for kind, para in blocks:
        out.append(r"\subsection*{%s}" % tex_escape(para) if kind == "h" else tex_escape(para) + "\n")
    out.append(r"\end{document}")
    return "\n".join(out)


def png(pdf, page, stem):
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-f", str(page), "-l", str(page), "-singlefile", pdf, stem], check=True)
    return stem + ".png"


def main():
    from PIL import Image, ImageDraw

    taiwan = "--taiwan" in sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        edition = ["--convert", "s2tw"] if taiwan else []
        subprocess.run(["cargo", "run", "--release", "-q", "--", "build", str(HERE), "-o", tmp, "--format", "epub,pdf", *edition], cwd=REPO, check=True)
        wenji_pdf = next(pathlib.Path(tmp).glob("*.pdf"))
        # The body starts after the cover, the title page and the contents: at the essay's dateline.
        first = next(n for n in range(1, 10) if "2025" in subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(wenji_pdf), "-"], capture_output=True, text=True).stdout)
        left = png(str(wenji_pdf), first, f"{tmp}/wenji")
        tex = pathlib.Path(tmp, "ctex.tex")
        if taiwan:
            title, blocks = epub_blocks(next(pathlib.Path(tmp).glob("*.epub")))
        else:
            title, blocks = markdown_blocks((HERE / "manuscripts" / "compare.md").read_text())
        tex.write_text(to_tex(title, blocks, "TC" if taiwan else "SC"))
        subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        right = png(f"{tmp}/ctex.pdf", 1, f"{tmp}/ctex")
        a, b = Image.open(left), Image.open(right)
        gap = 24
        sheet = Image.new("RGB", (a.width + b.width + gap, max(a.height, b.height) + 28), "white")
        sheet.paste(a, (0, 28))
        sheet.paste(b, (a.width + gap, 28))
        draw = ImageDraw.Draw(sheet)
        draw.text((8, 8), "wenji", fill="black")
        draw.text((a.width + gap + 8, 8), "XeLaTeX + xeCJK (ctex), quanjiao" if taiwan else "XeLaTeX + ctex", fill="black")
        for x in (a.width - 1, a.width + gap):
            draw.line([(x, 28), (x, sheet.height)], fill="#999999")
        sheet.save(HERE / ("compare-taiwan.png" if taiwan else "compare.png"), optimize=True)


if __name__ == "__main__":
    main()
