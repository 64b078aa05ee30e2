"""The main window, one module per part (like qutebrowser's ``mainwindow/``):

- ``window.py``: composes the panes, owns the actions and menus, wires the parts together;
- ``hosts_pane.py``: left, the filter box and the hosts tree (choosing what the grid shows);
- ``grid_pane.py``: middle, the integration services grid and the banner above it;
- ``details_pane.py``: the current VM in plain words, and *Copy report*;
- ``activity_pane.py``: bottom, every remote operation and its script;
- ``status_bar.py``: hosts connected / failed, pending changes, last refresh;
- ``host_actions.py``: adding, editing, removing hosts and fixing a failing one.
"""

from hvgui.ui.main_window.window import MainWindow

__all__ = ["MainWindow"]
