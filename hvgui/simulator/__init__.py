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
- ``interfaces`` / ``faults``: what the wire and the behaviour agree on.

Known differences from Windows (teach the simulator when a real host shows otherwise):

- The interpreter implements a subset of the language (``hvgui/remote/scripts/README.md``);
  anything else is an error naming the construct. A pipeline runs stage by stage (each command
  gets all its input at once), not object by object. Hashtables enumerate in insertion order (a
  real one uses hash order). ``ConvertTo-Json`` never writes 5.1's ``{"value": [...], "Count": n}``
  form of arrays that were wrapped in a PSObject. The only PowerShell host messages in French or
  German are the Hyper-V ones; PowerShell's own messages (parser, conversions, "not recognized")
  are in English on every host.
- A script's header line is read only to count the operation in ``/_sim/stats`` (one count per
  command, not one per cmdlet it calls).
- ``Stop-VM`` always turns the VM off; only Running VMs have a live status (Paused/Saved have none);
  there is no ``Get-Service`` / ``Invoke-Command``. The guest OS comes from the KVP intrinsic items
  of ``Msvm_KvpExchangeComponent``, which exist only for running VMs whose Data Exchange works.
- Windows PowerShell versions: 3.0 on 2012, 4.0 on 2012 R2, 5.1 later (a fleet file may say
  otherwise); version-dependent behaviour is limited to ``::new()``/``class`` (5.0),
  ``[ordered]``, ``ConvertTo-/ConvertFrom-Json`` and ``Get-CimInstance`` (3.0).
- Logins: Administrators, Remote Management Users and Hyper-V Administrators are the only groups;
  UAC remote restrictions (LocalAccountTokenFilterPolicy) are not simulated.
- Table and list formatting approximate Windows PowerShell 5.1 (120-column width assumed).
- French texts, some German ones and the English "no such service" wording are unconfirmed.
- tree-sitter-powershell 0.26.4 reports false errors on comma lists of bare words and on a
  one-line ``switch`` with ``default``; the first is worked around (re-parsed quoted), the
  second is reported as a ParserError (see the test listing the grammar's known gaps). It also
  reads ``foreach ($i in 1..3)`` as a command named ``1..3`` (worked around).
- Basic over plain HTTP is always accepted (a real host needs AllowUnencrypted); CBT is not
  checked; Kerberos and CredSSP are not simulated; fault 2150859174 (too many concurrent
  operations) is not simulated.
- ``faults.vm_errors``: ``Get-VMIntegrationService`` and the write cmdlets fail for that VM with
  the message (a non-terminating VirtualizationException).
"""
