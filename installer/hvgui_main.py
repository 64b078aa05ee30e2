"""Entry point of the frozen build (PyInstaller runs this file as ``__main__``)."""

from hvgui.ui.app import main

if __name__ == "__main__":
    raise SystemExit(main())
