"""A tiny cmd.exe: what a WinRS command line reaches first on a real host.

Knows ``hostname``, ``echo``, ``whoami``, ``ver``, ``exit N`` and ``powershell[.exe]`` with its
usual switches; enforces cmd.exe's 8,191-character command-line limit.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Final

from hvgui.simulator.powershell import run_encoded_failure, run_script

if TYPE_CHECKING:
    from hvgui.simulator.hyperv import HyperVHost
    from hvgui.simulator.interfaces import CommandContext

MAX_COMMAND_LINE: Final = 8191

#: powershell.exe switches that take a value (full names; any unique prefix is accepted).
_PS_VALUE_SWITCHES: Final = ("executionpolicy", "inputformat", "outputformat", "windowstyle", "configurationname",
                             "file", "version", "psconsolefile", "workingdirectory")
_PS_FLAG_SWITCHES: Final = ("noprofile", "noninteractive", "nologo", "noexit", "sta", "mta")

_CMD_NOT_FOUND: Final = ("'{0}' is not recognized as an internal or external command,\r\n"
                         "operable program or batch file.\r\n")


def split_args(line: str) -> list[str]:
    """cmd/CRT-style splitting: whitespace separates, double quotes group."""
    args: list[str] = []
    cur: list[str] = []
    in_quotes = False
    have = False
    for ch in line:
        if ch == '"':
            in_quotes = not in_quotes
            have = True
        elif ch in " \t" and not in_quotes:
            if have:
                args.append("".join(cur))
                cur, have = [], False
        else:
            cur.append(ch)
            have = True
    if have:
        args.append("".join(cur))
    return args


def run_command_line(host: HyperVHost, ctx: CommandContext) -> int:
    line = ctx.command_line
    if len(line) > MAX_COMMAND_LINE:
        ctx.write_stderr("The command line is too long.\r\n")
        return 1
    args = split_args(line.strip())
    if not args:
        return 0
    exe = args[0].lower()
    if exe.endswith(".exe"):
        exe = exe[:-4]
    rest = line.strip()[len(line.strip().split(None, 1)[0]):].lstrip() if line.strip() else ""
    if exe == "hostname":
        ctx.count_operation("hostname")
        ctx.write_stdout(host.name + "\r\n")
        return 0
    if exe == "echo" or exe.startswith("echo."):
        ctx.write_stdout((rest if rest else "ECHO is on.") + "\r\n")
        return 0
    if exe == "whoami":
        user = ctx.user
        ctx.write_stdout((user if "\\" in user else f"{host.name}\\{user}").lower() + "\r\n")
        return 0
    if exe == "ver":
        ctx.write_stdout(f"\r\nMicrosoft Windows [Version {host.os.version}]\r\n")
        return 0
    if exe == "exit":
        try:
            return int(args[1]) if len(args) > 1 else 0
        except ValueError:
            return 0
    if exe.rsplit("\\", 1)[-1] == "powershell":
        return _powershell(host, ctx, args[1:])
    ctx.write_stderr(_CMD_NOT_FOUND.format(args[0]))
    return 1


def _match_switch(arg: str, names: tuple[str, ...]) -> str | None:
    word = arg.lstrip("-/").lower()
    if not word:
        return None
    hits = [n for n in names if n.startswith(word)]
    return hits[0] if len(hits) == 1 or word in hits else None


def _powershell(host: HyperVHost, ctx: CommandContext, args: list[str]) -> int:
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith(("-", "/")):
            # Everything else is the command (as with -Command).
            return run_script(host, ctx, " ".join(args[i:]))
        low = arg.lstrip("-/").lower()
        if low in ("e", "ec", "enc") or (len(low) >= 2 and "encodedcommand".startswith(low)):
            if i + 1 >= len(args):
                return run_encoded_failure(ctx, "Cannot process the command because -EncodedCommand "
                                                "requires a parameter.")
            try:
                script = base64.b64decode(args[i + 1], validate=True).decode("utf-16-le")
            except (binascii.Error, ValueError, UnicodeDecodeError):
                return run_encoded_failure(ctx, "Cannot process the command because the value specified with "
                                                "-EncodedCommand is not properly encoded. The value must be "
                                                "Base64 encoded.")
            return run_script(host, ctx, script)
        if low in ("c", "command") or (len(low) >= 2 and "command".startswith(low)):
            text = " ".join(args[i + 1:])
            if text == "-":
                raw = ctx.read_stdin(60.0)
                return run_script(host, ctx, (raw or b"").decode("utf-8", "replace"))
            return run_script(host, ctx, text)
        if _match_switch(arg, _PS_VALUE_SWITCHES):
            i += 2
            continue
        if _match_switch(arg, _PS_FLAG_SWITCHES):
            i += 1
            continue
        return run_encoded_failure(ctx, f"The term '{arg}' is not recognized as a valid parameter of "
                                        "powershell.exe.")
    # No command: an interactive prompt would wait forever on a real host; report it instead.
    return run_encoded_failure(ctx, "powershell.exe was started without a command (a real host would wait "
                                    "for interactive input).")
