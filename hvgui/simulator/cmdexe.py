"""What a WinRS command line reaches first on a real host: ``cmd.exe /c <command line>``.

- The line is limited to 8,191 characters; ``%VAR%`` is expanded once, from the shell's
  environment (the ``Environment`` of the WinRS Create) and the host's own variables, before the
  line runs (so ``set X=1 & echo %X%`` prints the old value, as cmd.exe does); an undefined
  variable stays as typed.
- Commands chain with ``&``, ``&&`` and ``||`` (outside double quotes); the exit code is the last
  command's.
- Built-ins: ``echo`` (``echo.``), ``set`` (list, show, assign), ``ver``, ``exit [/b] N``, ``cmd
  [/c|/k|/s|/q|/d] ...``; programs: ``hostname``, ``whoami``, ``ipconfig``, ``powershell[.exe]`` with
  its usual switches (``-EncodedCommand``, ``-Command``, ``-Command -`` and ``-`` reading the script
  from stdin). Anything else is "not recognized", exit code 9009.
- With ``WINRS_SKIP_CMD_SHELL`` the line is started without cmd.exe: no built-ins, no expansion.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from hvgui.simulator.powershell import run_encoded_failure, run_script

if TYPE_CHECKING:
    from hvgui.simulator.hyperv import HyperVHost
    from hvgui.simulator.interfaces import CommandContext

MAX_COMMAND_LINE: Final = 8191
NOT_RECOGNIZED_EXIT: Final = 9009
STDIN_SCRIPT_TIMEOUT_S: Final = 120.0

#: powershell.exe switches that take a value (full names; any unique prefix is accepted).
_PS_VALUE_SWITCHES: Final = ("executionpolicy", "inputformat", "outputformat", "windowstyle", "configurationname",
                             "file", "version", "psconsolefile", "workingdirectory")
_PS_FLAG_SWITCHES: Final = ("noprofile", "noninteractive", "nologo", "noexit", "sta", "mta")

_CMD_NOT_FOUND: Final = ("'{0}' is not recognized as an internal or external command,\r\n"
                         "operable program or batch file.\r\n")
_PROGRAMS: Final = ("hostname", "whoami", "ipconfig", "powershell", "cmd")


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


def expand(line: str, env: dict[str, str]) -> str:
    """cmd.exe's ``%VAR%`` expansion (case-insensitive names; unknown ones left as typed)."""
    upper = {k.upper(): v for k, v in env.items()}

    def one(m: re.Match[str]) -> str:
        return upper.get(m.group(1).upper(), m.group(0))

    return re.sub(r"%([^%\r\n]+)%", one, line)


def split_chain(line: str) -> list[tuple[str, str]]:
    """``a & b && c || d`` -> ``[("", "a"), ("&", "b"), ("&&", "c"), ("||", "d")]`` (not inside quotes)."""
    out: list[tuple[str, str]] = []
    sep = ""
    cur: list[str] = []
    in_quotes = False
    i = 0
    while i < len(line):
        ch = line[i]
        if ch == '"':
            in_quotes = not in_quotes
        if not in_quotes and ch in "&|" and (ch == "&" or line[i:i + 2] == "||"):
            out.append((sep, "".join(cur).strip()))
            if line[i:i + 2] in ("&&", "||"):
                sep = line[i:i + 2]
                i += 2
            else:
                sep = "&"
                i += 1
            cur = []
            continue
        cur.append(ch)
        i += 1
    out.append((sep, "".join(cur).strip()))
    return [(s, c) for s, c in out if c]


@dataclass
class _Cmd:
    """One cmd.exe process: its environment (``set`` changes it for what follows)."""

    host: HyperVHost
    ctx: CommandContext
    env: dict[str, str]


def run_command_line(host: HyperVHost, ctx: CommandContext) -> int:
    line = ctx.command_line
    if len(line) > MAX_COMMAND_LINE:
        ctx.write_stderr("The command line is too long.\r\n")
        return 1
    env = host.environment(ctx)
    if getattr(ctx, "skip_cmd_shell", False):
        return _program(_Cmd(host, ctx, env), line.strip(), builtins=False)
    return _cmd(_Cmd(host, ctx, env), line)


def _cmd(proc: _Cmd, line: str) -> int:
    code = 0
    for sep, part in split_chain(expand(line, proc.env)):
        if (sep == "&&" and code != 0) or (sep == "||" and code == 0):
            continue
        code = _program(proc, part, builtins=True)
    return code


def _program(proc: _Cmd, part: str, *, builtins: bool) -> int:
    ctx, host = proc.ctx, proc.host
    args = split_args(part)
    if not args:
        return 0
    first = args[0]
    exe = first.lower().rsplit("\\", 1)[-1]
    exe = exe[:-4] if exe.endswith(".exe") else exe
    rest = part[len(part.split(None, 1)[0]):] if part.split(None, 1) else ""
    if builtins:
        if exe == "echo" or exe.startswith("echo.") or exe.startswith("echo,"):
            text = rest[1:] if rest.startswith(" ") else rest
            if exe != "echo":
                text = first[5:] + rest
            elif not text.strip():
                text = "ECHO is on."
            ctx.write_stdout(text + "\r\n")
            return 0
        if exe == "set":
            return _set(proc, rest.strip())
        if exe == "ver":
            ctx.write_stdout(f"\r\nMicrosoft Windows [Version {host.os.version}]\r\n")
            return 0
        if exe == "exit":
            values = [a for a in args[1:] if a.lower() != "/b"]
            try:
                return int(values[0]) if values else 0
            except ValueError:
                return 0
    elif exe not in _PROGRAMS:
        ctx.write_stderr("The system cannot find the file specified.\r\n")
        return 2
    if exe == "cmd":
        i = 1
        while i < len(args) and args[i].startswith("/") and args[i].lower() in ("/c", "/k", "/s", "/q", "/d",
                                                                                 "/a", "/u"):
            i += 1
        rest_line = part.split(None, i)[i] if len(part.split(None, i)) > i else ""
        return _cmd(_Cmd(host, ctx, dict(proc.env)), rest_line)
    if exe == "hostname":
        ctx.count_operation("hostname")
        ctx.write_stdout(host.name + "\r\n")
        return 0
    if exe == "whoami":
        user = ctx.user
        ctx.write_stdout((user if "\\" in user else f"{host.name}\\{user}").lower() + "\r\n")
        return 0
    if exe == "ipconfig":
        ctx.write_stdout(_ipconfig(getattr(ctx, "local_address", "127.0.0.1")))
        return 0
    if exe == "powershell":
        return _powershell(proc, args[1:])
    ctx.write_stderr(_CMD_NOT_FOUND.format(first))
    return NOT_RECOGNIZED_EXIT


def _set(proc: _Cmd, rest: str) -> int:
    ctx = proc.ctx
    if not rest:
        for k in sorted(proc.env, key=str.upper):
            ctx.write_stdout(f"{k}={proc.env[k]}\r\n")
        return 0
    if "=" in rest:
        name, _, value = rest.partition("=")
        name = name.strip().strip('"')
        existing = next((k for k in proc.env if k.upper() == name.upper()), name)
        if value:
            proc.env[existing] = value
        else:
            proc.env.pop(existing, None)
        return 0
    hits = [k for k in sorted(proc.env, key=str.upper) if k.upper().startswith(rest.upper())]
    if not hits:
        ctx.write_stderr(f"Environment variable {rest} not defined\r\n")
        return 1
    for k in hits:
        ctx.write_stdout(f"{k}={proc.env[k]}\r\n")
    return 0


def _ipconfig(address: str) -> str:
    return ("\r\nWindows IP Configuration\r\n\r\n\r\nEthernet adapter Ethernet:\r\n\r\n"
            "   Connection-specific DNS Suffix  . : \r\n"
            "   Link-local IPv6 Address . . . . . : fe80::5efe:7f00:1%4\r\n"
            f"   IPv4 Address. . . . . . . . . . . : {address}\r\n"
            "   Subnet Mask . . . . . . . . . . . : 255.0.0.0\r\n"
            "   Default Gateway . . . . . . . . . : \r\n")


def _match_switch(arg: str, names: tuple[str, ...]) -> str | None:
    word = arg.lstrip("-/").lower()
    if not word:
        return None
    hits = [n for n in names if n.startswith(word)]
    return hits[0] if len(hits) == 1 or word in hits else None


def _stdin_script(proc: _Cmd) -> int:
    """``powershell -`` / ``-Command -``: the script is read from stdin."""
    raw = proc.ctx.read_stdin(STDIN_SCRIPT_TIMEOUT_S)
    if raw is None:
        return run_encoded_failure(proc.ctx, "The pipeline has been stopped.")
    return run_script(proc.host, proc.ctx, raw.decode("utf-8", "replace").lstrip("\ufeff"), env=proc.env,
                      stdin_consumed=True)


def _powershell(proc: _Cmd, args: list[str]) -> int:
    host, ctx = proc.host, proc.ctx
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-":
            return _stdin_script(proc)
        if not arg.startswith(("-", "/")):
            # Everything else is the command (as with -Command).
            return run_script(host, ctx, " ".join(args[i:]), env=proc.env)
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
            return run_script(host, ctx, script, env=proc.env)
        if low in ("c", "command") or (len(low) >= 2 and "command".startswith(low)):
            text = " ".join(args[i + 1:])
            if text.strip() == "-":
                return _stdin_script(proc)
            return run_script(host, ctx, text, env=proc.env)
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
