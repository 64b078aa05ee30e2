"""The PySide6 window (the only Qt layer; nothing below imports it)."""

from hvgui.ui import qtfix

qtfix.apply()
