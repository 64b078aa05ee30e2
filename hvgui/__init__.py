"""hvgui: see and change Hyper-V integration services on many VMs and hosts at once.

Layers, lowest first; a layer never imports one above it:

- ``hvgui.core``: what a host, a VM, an integration service and a change are, and the
  operation contract shared by the scripts, the client and the simulator (Qt-free).
- ``hvgui.remote``: how we ask a host: WinRM transport, PowerShell scripts, the async
  engine and ``hvgui-cli`` (Qt-free).
- ``hvgui.simulator``: a simulated Hyper-V host behind a real WinRM endpoint (Qt-free).
- ``hvgui.ui``: the PySide6 window.
"""

__version__ = "0.1.0"
