"""A simulated Hyper-V host behind a real WinRM endpoint (Qt-free).

- ``server`` / ``wsman`` / ``auth`` / ``tls``: the wire (WS-Management shell over HTTP(S), Basic,
  NTLM and SPNEGO with message encryption), one endpoint per simulated host.
- ``hyperv``: the host's state (VMs, integration services) and its semantics.
- ``cmdexe`` / ``powershell`` / ``interpreter`` / ``formatting`` / ``clixml``: the commands it
  receives: cmd.exe, PowerShell scripts parsed with tree-sitter-powershell, the cmdlets an
  admin would type, their output and errors.
- ``fleet``: the fleet file (TOML) and the built-in demo fleet.
- ``interfaces`` / ``faults``: what the wire and the behaviour agree on.

Known differences from Windows (teach the simulator when a real host shows otherwise):

- hvgui's own operation scripts are recognised by their header line and carried out in Python
  following :mod:`hvgui.core.contract`; they are parsed, not interpreted. Their PowerShell logic is
  only proven on a real host.
- The cmdlet interpreter handles pipelines as whole arrays, not object by object; ``Stop-VM``
  always turns the VM off; only Running VMs have a live status (Paused/Saved have none); there is
  no ``Get-Service`` / ``Invoke-Command``.
- Table and list formatting approximate Windows PowerShell 5.1 (120-column width assumed).
- French texts, some German ones and the English "no such service" wording are unconfirmed.
- tree-sitter-powershell 0.26.4 reports false errors on comma lists of bare words and on a
  one-line ``switch`` with ``default``; the first is worked around (re-parsed quoted), the
  second is reported as a ParserError (see the test listing the grammar's known gaps).
- Basic over plain HTTP is always accepted (a real host needs AllowUnencrypted); CBT is not
  checked; Kerberos and CredSSP are not simulated; fault 2150859174 (too many concurrent
  operations) is not simulated.
- ``faults.vm_errors``: the inventory lists that VM with the error and no services, an apply
  gives its items that error (as the scripts do when that VM's components cannot be read).
"""
