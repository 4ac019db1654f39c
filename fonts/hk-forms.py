"""Makes NotoSerifHK-*-Forms.ttf: Noto Serif HK cut down to the characters whose Hong Kong
form differs from the Taiwan form of Noto Serif TC (or that Noto Serif TC lacks).
wenji sets a zh-HK book in this face first and Noto Serif TC for everything else, so it
ships the Hong Kong forms without a second 10 MB copy of the glyphs the two share.

    python3 fonts/hk-forms.py NotoSerifHK_400Regular.ttf NotoSerifTC-Regular.ttf NotoSerifHK-Regular-Forms.ttf

Needs fontTools (PyPI `fonttools`)."""
import sys
from fontTools.ttLib import TTFont
from fontTools import subset


def outline(font, name):
    glyf = font["glyf"]
    g = glyf[name]
    if g.isComposite():
        return ("composite", tuple((c.glyphName, c.x, c.y) for c in g.components))
    if g.numberOfContours == 0:
        return ("empty",)
    coords, ends, _ = g.getCoordinates(glyf)
    return (tuple(coords), tuple(ends), font["hmtx"][name][0])


def main(hk_path, tc_path, out_path):
    hk, tc = TTFont(hk_path), TTFont(tc_path)
    hk_map, tc_map = hk.getBestCmap(), tc.getBestCmap()
    wanted = sorted(c for c, name in hk_map.items() if c not in tc_map or outline(hk, name) != outline(tc, tc_map[c]))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(hk)
    hk.save(out_path)
    print(f"{out_path}: {len(wanted)} characters")


if __name__ == "__main__":
    main(*sys.argv[1:4])
