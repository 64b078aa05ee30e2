"""What the simulated host's ``powershell.exe`` does with a script.

Every script (from ``-EncodedCommand``, ``-Command`` or stdin) is parsed (:mod:`psparse`); a syntax
error gives a ParserError as CLIXML on stderr and exit code 1, as Windows PowerShell 5.1 does.
Every script runs in :mod:`hvgui.simulator.interpreter` (Windows PowerShell 5.1 semantics) with
the commands of :mod:`hvgui.simulator.cmdlets`, hvgui's own bootstrap and operation scripts
included: the bootstrap reads the operation script and its payload from stdin (``$input``),
compiles it with ``[ScriptBlock]::Create`` and runs it against the simulated Hyper-V host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from hvgui.simulator import clixml
from hvgui.simulator.interpreter import Interpreter
from hvgui.simulator.psparse import Parsed, ParseError, parse, parser_error_record, quote_bare_lists

if TYPE_CHECKING:
    from hvgui.simulator.hyperv import HyperVHost
    from hvgui.simulator.interfaces import CommandContext

__all__ = ["ParseError", "Parsed", "parse", "quote_bare_lists", "run_script"]

STDIN_TIMEOUT_S: Final = 120.0


# ---------------------------------------------------------------- entry points

def run_encoded_failure(ctx: CommandContext, message: str) -> int:
    """powershell.exe refusing its own command line (plain text, not CLIXML)."""
    ctx.write_stderr(message + "\r\n")
    return 1


def write_errors(ctx: CommandContext, records: list[clixml.ErrorRecord]) -> None:
    if records:
        ctx.write_stderr(clixml.render(records))


def run_script(host: HyperVHost, ctx: CommandContext, script: str, *, env: dict[str, str] | None = None,
               stdin_consumed: bool = False) -> int:
    """What ``powershell.exe`` does with one script: parse it (a syntax error is a ParserError and
    exit code 1), then run it in the interpreter. ``$input`` reads the command's stdin (a pipe:
    hvgui's bootstrap reads its operation script and payload from it)."""
    host.count("powershell_starts")
    if host.costs.powershell_start_s > 0 and ctx.cancelled.wait(host.costs.powershell_start_s):
        write_errors(ctx, [clixml.ErrorRecord("The pipeline has been stopped.",
                                              "OperationStopped: (:) [], PipelineStoppedException",
                                              "PipelineStoppedException")])
        return 1
    parsed = parse(script)
    if isinstance(parsed, ParseError):
        write_errors(ctx, [parser_error_record(script, parsed)])
        return 1
    interp = Interpreter(host, ctx, parsed, env=env,
                         stdin=(lambda: b"") if stdin_consumed else (lambda: ctx.read_stdin(STDIN_TIMEOUT_S)))
    try:
        return interp.run()
    finally:
        if interp.read_something:
            # "Another admin" (faults.external_changes) acts right after a command that read the host.
            host.read_served()
