"""Icons: the application's (SVG, PNG, ICO), and the status, VM state and host icons in light
and dark themes, all read with importlib.resources from the package."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QImageReader

from hvgui.ui import look
from hvgui.ui.meaning import Meaning
from hvgui.ui.state import HostStatus

ROOT = Path(__file__).resolve().parents[1]
STATES = ("Running", "Off", "Saved", "Paused", "Starting", "Stopping", "Saving", "RunningCritical", "OffCritical")


def test_application_icon_files_are_made_from_the_packaged_svg(qapp: Any) -> None:
    packaged = resources.files("hvgui.ui").joinpath("icons", "hvgui.svg").read_bytes()
    assert (ROOT / "resources" / "hvgui.svg").read_bytes() == packaged  # installer/make_icons.py copies it
    png = QImage(str(ROOT / "resources" / "hvgui.png"))
    assert png.size() == QSize(256, 256)
    reader = QImageReader(str(ROOT / "resources" / "hvgui.ico"))
    sizes = []
    for _ in range(reader.imageCount()):
        sizes.append(reader.read().width())
        reader.jumpToNextImage()
    assert {16, 32, 48, 256} <= set(sizes)
    icon = look.app_icon()
    assert {s.width() for s in icon.availableSizes()} >= {16, 32, 256}


def opaque_colours(image: QImage) -> set[str]:
    return {QColor(image.pixel(x, y)).name() for x in range(image.width()) for y in range(image.height())
            if QColor.fromRgba(image.pixel(x, y)).alpha() == 255}


def names() -> list[str]:
    return ([look._MEANING_ICONS[m] for m in look._MEANING_ICONS] + sorted({look.vm_state_icon_name(s) for s in STATES})
            + ["host-connected", "host-failed", "host-connecting"])


@pytest.mark.parametrize("name", names())
def test_state_icons_render_in_both_themes_with_the_themes_colours(qapp: Any, name: str) -> None:
    light = look.themed_icon(name, False).pixmap(32, 32).toImage()
    dark = look.themed_icon(name, True).pixmap(32, 32).toImage()
    assert not light.isNull() and not dark.isNull()
    lc, dc = opaque_colours(light), opaque_colours(dark)
    assert lc and dc and lc != dc
    # The main colour of each theme is there: a light-theme fill on white, a dark one on black.
    light_fills = {c for c in look.DARK_SWAP if c in look.svg_text(name)} - {"#ffffff"}
    for fill in light_fills & {look.GREEN, look.RED, look.ORANGE, look.AMBER, look.BLUE, look.GREY}:
        assert look.contrast(fill, "#ffffff") >= 3, fill
        assert look.contrast(look.DARK_SWAP[fill], "#202020") >= 3, look.DARK_SWAP[fill]


def test_every_state_has_its_own_shape(qapp: Any) -> None:
    assert len({look.vm_state_icon_name(s) for s in STATES}) == 6
    assert look.meaning_icon(Meaning.OFF) is None and look.meaning_icon(Meaning.WORKING) is not None
    for status in HostStatus:
        assert not look.host_icon(status).isNull()
