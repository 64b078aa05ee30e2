"""Qt-free remote layer: how hvgui asks a Hyper-V host (WinRM transport, constant scripts,
errors a person can act on, the async engine) and ``hvgui-cli``."""
