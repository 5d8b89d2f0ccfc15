"""Draw the home-screen icons the web app manifest lists: `python -m ops.make_icons`.

The same mark as the page's inline favicon (templates/base.html): a white 7 on the accent indigo.
"any" icons are a rounded square; "maskable" icons fill the whole square and keep the 7 inside the
central 80 % circle that every launcher mask leaves visible. Drawn at 4x and scaled down, so the
edges are smooth. Writes static/recognizer/icons/; the PNGs are committed beside this script.
"""
import argparse
from pathlib import Path

from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "static" / "recognizer" / "icons"
ACCENT = (67, 56, 202)  # --accent in static/recognizer/style.css (light scheme)
WHITE = (255, 255, 255)
SUPERSAMPLE = 4
# name -> (size in px, maskable)
ICONS = {
    "icon-192.png": (192, False),
    "icon-512.png": (512, False),
    "icon-maskable-192.png": (192, True),
    "icon-maskable-512.png": (512, True),
    "apple-touch-icon.png": (180, True),  # iOS rounds the corners itself and wants no transparency
}
# The favicon's 7, in its 32-unit box: from (10, 9) to (22, 9) to (14, 24), 3.5 units thick.
SEVEN = [(10, 9), (22, 9), (14, 24)]
STROKE = 3.5


def draw_icon(size: int, maskable: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, big, big), fill=ACCENT)
        scale, offset = big * 0.62 / 32, big * 0.19  # the 7 within the 80 % safe circle
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 7 / 32, fill=ACCENT)
        scale, offset = big / 32, 0.0
    points = [(offset + x * scale, offset + y * scale) for x, y in SEVEN]
    width = round(STROKE * scale)
    draw.line(points, fill=WHITE, width=width, joint="curve")
    radius = width / 2
    for x, y in (points[0], points[-1]):  # round caps, as the favicon's stroke-linecap
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=WHITE)
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    return image.convert("RGB") if maskable else image


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"directory to write (default {OUT_DIR})")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (size, maskable) in ICONS.items():
        draw_icon(size, maskable).save(args.out / name, optimize=True)
        print(args.out / name)


if __name__ == "__main__":
    main()
