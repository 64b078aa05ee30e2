"""Unexpected exceptions are logged and shown in a dialog, never a silent death
(qutebrowser's crashsignal, virt-manager's error dialog with details)."""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from types import TracebackType
from typing import Any

from PySide6.QtCore import Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from hvgui.ui.i18n import tr

log = logging.getLogger("hvgui.crash")
_open_boxes: list[QMessageBox] = []


def show_error(title: str, text: str, details: str = "") -> QMessageBox | None:
    """Non-modal (``show()``): a nested event loop inside an async slot would break qasync."""
    if QApplication.instance() is None:
        return None
    box = QMessageBox(QMessageBox.Icon.Critical, title, text)
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _open_boxes.append(box)
    box.finished.connect(lambda _r: _open_boxes.remove(box) if box in _open_boxes else None)
    box.show()
    return box


def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    details = "".join(traceback.format_exception(kind, exc, tb))
    log.error("unexpected error:\n%s", details)
    show_error(tr("Unexpected error"),
               tr("Something went wrong inside hvgui: {error}\n\nThe window keeps running; the details below are "
                  "also in the log.").format(error=f"{kind.__name__}: {exc}"), details)


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    exc = context.get("exception")
    if isinstance(exc, BaseException):
        excepthook(type(exc), exc, exc.__traceback__)
    else:
        log.error("event loop error: %s", context.get("message"))


def _qt_message(mode: QtMsgType, _context: Any, message: str) -> None:
    level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING}.get(mode, logging.ERROR)
    logging.getLogger("qt").log(level, "%s", message)


def install(loop: asyncio.AbstractEventLoop | None = None) -> None:
    sys.excepthook = excepthook
    qInstallMessageHandler(_qt_message)
    if loop is not None:
        loop.set_exception_handler(loop_exception_handler)
