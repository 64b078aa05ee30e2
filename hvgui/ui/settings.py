"""The window's settings: a small JSON file next to the hosts file (no secrets in it)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

AUTO_REFRESH_CHOICES = (0, 30, 60, 300, 900)
"""Seconds; 0 is off."""


@dataclass
class Settings:
    auto_refresh_s: int = 60
    read_only: bool = False
    """Helpdesk mode: nothing can be ticked or applied."""
    window_geometry: str = ""
    """Where the window was and how big (``QWidget.saveGeometry``, base64)."""
    layout: dict[str, str] = field(default_factory=dict)
    """The panes' splitters as the user left them (``QSplitter.saveState``, base64), by name."""
    activity_collapsed: bool | None = None
    """None: collapsed on short screens, open otherwise."""

    @staticmethod
    def default_path() -> Path:
        import platformdirs

        return Path(platformdirs.user_config_dir("hvgui", appauthor=False)) / "gui-settings.json"

    @classmethod
    def load(cls, path: Path | None) -> Settings:
        """Defaults when there is no file or it cannot be used (a broken settings file must
        never keep the window from opening)."""
        if path is None or not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            s = cls()
            if isinstance(data.get("auto_refresh_s"), int) and data["auto_refresh_s"] >= 0:
                s.auto_refresh_s = data["auto_refresh_s"]
            if isinstance(data.get("read_only"), bool):
                s.read_only = data["read_only"]
            if isinstance(data.get("window_geometry"), str):
                s.window_geometry = data["window_geometry"]
            layout = data.get("layout")
            if isinstance(layout, dict):
                s.layout = {k: v for k, v in layout.items() if isinstance(k, str) and isinstance(v, str)}
            if isinstance(data.get("activity_collapsed"), bool):
                s.activity_collapsed = data["activity_collapsed"]
            return s
        except (OSError, ValueError, AttributeError) as exc:
            log.warning("ignoring settings file %s: %s", path, exc)
            return cls()

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(asdict(self), f, indent=2)
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("could not save settings to %s: %s", path, exc)
