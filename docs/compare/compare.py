#!/usr/bin/env python3
"""Sets the same essay with wenji and with XeLaTeX + ctex on the same A5 grid and writes
compare.png: wenji's first body page on the left, ctex's on the right.

Needs: cargo, xelatex with ctex (Debian texlive-xetex texlive-lang-chinese), pdftoppm, Pillow.
Run from anywhere: python3 docs/compare/compare.py
"""
import pathlib, re, subprocess, tempfile

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
FONTS = REPO / "fonts"
DPI = 110

# The wenji grid on A5 (src/typeset/page.rs): 10.5 pt type, 16.8 pt pitch, a 28 em measure
# centred, 28 lines, first baseline 72.0 pt from the top.
PREAMBLE = r"""\documentclass[zihao=5,fontset=none]{ctexart}
\usepackage[paperwidth=148mm,paperheight=210mm,textwidth=294pt,textheight=470.4pt,
  top=59.6pt,hmarginratio=1:1,headheight=0pt,headsep=0pt,footskip=30pt]{geometry}
\setCJKmainfont[Path=%(fonts)s/,BoldFont=NotoSerifSC-Bold.ttf]{NotoSerifSC-Regular.ttf}
\setmainfont[Path=%(fonts)s/,BoldFont=NotoSerifSC-Bold.ttf]{NotoSerifSC-Regular.ttf}
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


def to_tex(md):
    body = md.split("\n---\n", 1)[1]
    title = re.search(r"^title:\s*(.+)$", md, re.M).group(1)
    out = [PREAMBLE % {"fonts": FONTS}]
    out.append(r"\vspace*{33.6pt}{\centering\bfseries\zihao{4}%s\par}\vspace{6pt}{\centering 2025 年 9 月 26 日\par}\vspace{33.6pt}" % tex_escape(title))
    for para in filter(None, (p.strip() for p in body.split("\n\n"))):
        if para.startswith("#"):
            out.append(r"\subsection*{%s}" % tex_escape(para.lstrip("# ")))
        else:
            out.append(tex_escape(para) + "\n")
    out.append(r"\end{document}")
    return "\n".join(out)


def png(pdf, page, stem):
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-f", str(page), "-l", str(page), "-singlefile", pdf, stem], check=True)
    return stem + ".png"


def main():
    from PIL import Image, ImageDraw

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["cargo", "run", "--release", "-q", "--", "build", str(HERE), "-o", tmp, "--format", "pdf"], cwd=REPO, check=True)
        wenji_pdf = next(pathlib.Path(tmp).glob("*.pdf"))
        # The body starts after the cover, the title page and the contents: at the essay's dateline.
        first = next(n for n in range(1, 10) if "2025" in subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(wenji_pdf), "-"], capture_output=True, text=True).stdout)
        left = png(str(wenji_pdf), first, f"{tmp}/wenji")
        tex = pathlib.Path(tmp, "ctex.tex")
        tex.write_text(to_tex((HERE / "manuscripts" / "compare.md").read_text()))
        subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tmp, check=True, stdout=subprocess.DEVNULL)
        right = png(f"{tmp}/ctex.pdf", 1, f"{tmp}/ctex")
        a, b = Image.open(left), Image.open(right)
        gap = 24
        sheet = Image.new("RGB", (a.width + b.width + gap, max(a.height, b.height) + 28), "white")
        sheet.paste(a, (0, 28))
        sheet.paste(b, (a.width + gap, 28))
        draw = ImageDraw.Draw(sheet)
        draw.text((8, 8), "wenji", fill="black")
        draw.text((a.width + gap + 8, 8), "XeLaTeX + ctex", fill="black")
        for x in (a.width - 1, a.width + gap):
            draw.line([(x, 28), (x, sheet.height)], fill="#999999")
        sheet.save(HERE / "compare.png", optimize=True)


if __name__ == "__main__":
    main()
