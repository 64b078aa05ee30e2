"""Make the application icon's PNG and ICO from its SVG (run again after changing the SVG):

    .venv/bin/python installer/make_icons.py

The source is ``hvgui/ui/icons/hvgui.svg`` (in the package: the window uses it). Written:
``resources/hvgui.svg`` (a copy), ``resources/hvgui.png`` (256 px) and ``resources/hvgui.ico``
(16 to 256 px, each a PNG inside the ICO, as Windows Vista and later read it) for the installer
and the executable. Qt's QSvgRenderer draws them, so nothing beyond PySide6 is needed.
``tests/test_icons.py`` fails when they are out of date.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "hvgui" / "ui" / "icons" / "hvgui.svg"
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)


def render_png(svg: bytes, size: int) -> bytes:
    renderer = QSvgRenderer(QByteArray(svg))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def ico(images: list[tuple[int, bytes]]) -> bytes:
    """ICONDIR, one ICONDIRENTRY per image, then the PNG data (sizes of 256 are written as 0)."""
    head = struct.pack("<HHH", 0, 1, len(images))
    offset = len(head) + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in images:
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return head + entries + blobs


def outputs() -> dict[Path, bytes]:
    svg = SOURCE.read_bytes()
    return {
        ROOT / "resources" / "hvgui.svg": svg,
        ROOT / "resources" / "hvgui.png": render_png(svg, 256),
        ROOT / "resources" / "hvgui.ico": ico([(s, render_png(svg, s)) for s in ICO_SIZES]),
    }


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QPainter needs it)
    for path, data in outputs().items():
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
