"""A simulated Hyper-V host behind a real WinRM endpoint (Qt-free).

- ``wsman`` / ``server`` / ``auth``: the wire (WS-Management shell over HTTP(S), Basic and
  NTLM with message encryption), one endpoint per simulated host.
- ``hyperv``: the host's state (VMs, integration services) and its semantics.
- ``powershell``: the scripts it receives, parsed with tree-sitter-powershell and run.
- ``fleet``: the fleet file (TOML) and the built-in demo fleet.
- ``interfaces`` / ``faults``: what the wire and the behaviour agree on.
"""
