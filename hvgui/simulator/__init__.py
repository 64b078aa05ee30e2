"""A simulated Hyper-V host behind a real WinRM endpoint (Qt-free).

- ``server`` / ``wsman`` / ``auth`` / ``tls``: the wire (WS-Management shell over HTTP(S), Basic,
  NTLM and SPNEGO with message encryption), one endpoint per simulated host.
- ``hyperv``: the host's state (VMs, integration services) and its semantics.
- ``cmdexe`` / ``powershell`` / ``interpreter`` / ``cmdlets`` / ``psvalues`` / ``formatting`` /
  ``clixml``: the commands it receives: cmd.exe, PowerShell scripts parsed with
  tree-sitter-powershell and executed with Windows PowerShell 5.1 semantics (hvgui's own bootstrap
  and operation scripts included: no Python stand-in), the cmdlets and .NET members they use, their
  output and errors. The supported subset is listed in ``hvgui/remote/scripts/README.md``.
- ``fleet``: the fleet file (TOML) and the built-in demo fleet.
- ``sshguest``: a real SSH server (asyncssh) per Linux guest, answering from the simulated state.
- ``interfaces`` / ``faults``: what the wire and the behaviour agree on.

Known differences from Windows (teach the simulator when a real host shows otherwise):

- PowerShell: the subset in ``hvgui/remote/scripts/README.md`` (anything else is an error naming the
  construct); a pipeline runs stage by stage, not object by object; hashtables enumerate in insertion
  order; ``ConvertTo-Json`` never writes 5.1's ``{"value": [...], "Count": n}`` array form;
  ``-Command -`` runs stdin as one script (Windows reads it line by line); version-dependent
  behaviour is limited to ``::new()``/``class`` (5.0), ``[ordered]``, the JSON cmdlets and
  ``Get-CimInstance`` (3.0). PowerShell's own messages are French or German only for "not
  recognized" and "method on a null-valued expression"; the rest are English on every host.
- Hyper-V: ``Stop-VM`` always turns the VM off; only Running VMs have a live status; no
  ``Get-Service`` on the host and ``Invoke-Command`` only as PowerShell Direct (``-VMId``/``-VMName``);
  the guest OS comes only from the KVP intrinsic items.
- Guests (``sshguest``, PowerShell Direct): a PowerShell Direct script block's output is not
  serialized and deserialized (hvgui's returns one JSON string, so nothing depends on it); Hyper-V
  starting again a guest service stopped in the guest after ``guest_restart_s`` (default 120 s) is
  an assumption (Microsoft says "eventually"); a guest service started while its host component is
  disabled stays stopped at once (Windows: it starts, then stops); the error identifiers of
  PowerShell Direct failures are guesses (their messages are PowerShell's resources); the guest's
  ``IntegrationServicesVersion`` is the VM's ``is_version``; Linux guests run every daemon under a
  systemd unit and serve only the commands hvgui and the seed use. The
  French status texts, some German ones, the English "no such service" wording and the
  ``Set-VMDvdDrive`` error text are unconfirmed.
- Logins: Administrators, Remote Management Users and Hyper-V Administrators are the only groups;
  UAC remote restrictions are not simulated; Basic over plain HTTP is accepted (a real host needs
  AllowUnencrypted); CBT is not checked; Kerberos and CredSSP are not simulated.
- Wire: the fault for a Receive without CommandId (87, ``w:InvalidParameter``) and the 415 for a
  non-SOAP content type are unconfirmed; the header only counts a script's operation in
  ``/_sim/stats``.
- Table and list formatting approximate Windows PowerShell 5.1 (120 columns).
- tree-sitter-powershell 0.26.4 reports false errors on comma lists of bare words (worked around:
  re-parsed quoted) and on a one-line ``switch`` with ``default`` (a ParserError), and reads
  ``foreach ($i in 1..3)`` as a command named ``1..3`` (worked around).
"""
