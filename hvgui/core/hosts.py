"""How to reach a host (no secrets here: passwords live in the OS keyring), and the saved
hosts file that the GUI and ``hvgui-cli`` share.

Defaults follow Windows: a bare host name means ``http://NAME:5985/wsman`` with Negotiate
(Kerberos, falling back to NTLM) and message encryption, as ``Enter-PSSession`` does; HTTPS
(5986) only when asked for, and then never a fallback to HTTP.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import math
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HTTP_PORT = 5985
HTTPS_PORT = 5986


class Auth(StrEnum):
    NEGOTIATE = "negotiate"
    """Kerberos, falling back to NTLM (what Windows uses). Without a user name: the current
    Windows logon (single sign-on)."""
    KERBEROS = "kerberos"
    """Kerberos only (no NTLM fallback); the current logon unless a user name is given."""
    NTLM = "ntlm"
    CREDSSP = "credssp"
    BASIC = "basic"
    LOCAL = "local"
    """powershell.exe on this Windows machine, no WinRM."""


AUTH_TEXT: dict[Auth, str] = {
    Auth.NEGOTIATE: "Negotiate (Kerberos, else NTLM)",
    Auth.KERBEROS: "Kerberos only",
    Auth.NTLM: "NTLM",
    Auth.CREDSSP: "CredSSP",
    Auth.BASIC: "Basic",
    Auth.LOCAL: "this machine",
}

_FINGERPRINT = re.compile(r"^[0-9A-F]{64}$")


def normalize_fingerprint(text: str) -> str:
    """``ab:cd...`` / ``ABCD...`` / ``ab cd ...`` -> ``AB:CD:...`` (SHA-256, as hvgui shows it), or ""
    when it is not a SHA-256 fingerprint."""
    hexdigits = re.sub(r"[\s:]", "", text).upper()
    if not _FINGERPRINT.match(hexdigits):
        return ""
    return ":".join(hexdigits[i:i + 2] for i in range(0, 64, 2))


@dataclass(frozen=True, slots=True)
class HostConfig:
    """One Hyper-V host as the user configured it."""

    url: str
    """``http://hv01.example.com:5985/wsman`` or ``https://...:5986/wsman``."""
    auth: Auth = Auth.NEGOTIATE
    username: str = ""
    """Empty with Negotiate or Kerberos: the current Windows logon (single sign-on)."""
    name: str = ""
    """Display name; the URL's host when empty."""
    ca_file: str = ""
    """PEM bundle or CA certificate to trust for HTTPS, besides the system's trust store
    (validation is never switched off)."""
    cert_pin: str = ""
    """SHA-256 of this host's own certificate, trusted by the admin after comparing it (like
    SSH's known hosts): exactly this certificate is accepted, any other is refused."""
    allow_basic_http: bool = False
    """Basic over plain HTTP sends the password in clear: only when explicitly allowed (lab)."""
    proxy: str = ""
    """Empty: no proxy (environment proxies are ignored on purpose)."""
    timeout_s: float = 120.0
    """Deadline for one command."""
    tags: tuple[str, ...] = field(default=())

    @property
    def display_name(self) -> str:
        """The configured name, else the URL's host (with its port when not WinRM's default)."""
        if self.name:
            return self.name
        parts = urlsplit(self.url)
        try:
            hostname, port = parts.hostname, parts.port
        except ValueError:
            return self.url
        if not hostname:
            return self.url
        default = HTTPS_PORT if parts.scheme.lower() == "https" else HTTP_PORT
        return hostname if port in (None, default) else f"{hostname}:{port}"

    @property
    def key(self) -> str:
        """Stable identity of the host in this session (the URL)."""
        return self.url

    @property
    def is_https(self) -> bool:
        return urlsplit(self.url).scheme.lower() == "https"

    @property
    def hostname(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        """The URL's port, or WinRM's default for its scheme."""
        try:
            port = urlsplit(self.url).port
        except ValueError:
            port = None
        return port or (HTTPS_PORT if self.is_https else HTTP_PORT)

    @property
    def single_sign_on(self) -> bool:
        """Logs on as the current Windows user: no user name, no password."""
        return self.auth in (Auth.NEGOTIATE, Auth.KERBEROS) and not self.username

    @property
    def needs_password(self) -> bool:
        if self.auth is Auth.LOCAL:
            return False
        return not self.single_sign_on

    def validate(self) -> list[str]:
        """Problems a person must fix before we connect; empty when fine."""
        problems: list[str] = []
        if self.auth is Auth.LOCAL:
            return problems
        problems += url_problems(self.url)
        if self.auth is Auth.BASIC and not self.is_https and not self.allow_basic_http:
            problems.append("Basic authentication over plain HTTP sends the password in clear; "
                            "use HTTPS, Negotiate or Kerberos, or allow it explicitly for a lab")
        if self.auth in (Auth.NTLM, Auth.BASIC, Auth.CREDSSP) and not self.username:
            problems.append(f"{self.auth.value} needs a user name (Negotiate can use your Windows logon instead)")
        if not (math.isfinite(self.timeout_s) and self.timeout_s > 0):
            problems.append("the timeout must be a number of seconds greater than 0")
        if self.cert_pin and not normalize_fingerprint(self.cert_pin):
            problems.append("the pinned certificate is not a SHA-256 fingerprint")
        return problems


def url_problems(url: str) -> list[str]:
    """What is wrong with a WinRM URL (never repeating a URL that holds a password)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        if "@" in url:
            return ["the URL must not contain a user name or password"]
        return [f"{url!r} is not a valid URL (check the port)"]
    if parts.username or parts.password:
        return ["the URL must not contain a user name or password; use the user field "
                "(passwords are kept in the system keyring)"]
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return [f"{url!r} is not an http(s) WinRM URL"]
    if port == 0:
        return [f"{url!r}: port 0 is not a port"]
    if any(c.isspace() for c in url):
        return [f"{url!r} contains spaces"]
    return []


def normalize_url(text: str, *, https: bool = False) -> str:
    """``hv01`` -> ``http://hv01:5985/wsman`` (``https=True``: ``https://hv01:5986/wsman``);
    a bare ``hv01:5986`` is HTTPS. Explicit schemes, ports and paths are kept. Never raises:
    what cannot be understood is returned as typed, for :func:`url_problems` to explain."""
    t = text.strip()
    if not t:
        return t
    if "://" not in t:
        try:
            ipaddress.IPv6Address(t)
        except ValueError:
            pass
        else:
            t = f"[{t}]"
        scheme = "https" if https else "http"
        try:
            if urlsplit(f"http://{t}").port == HTTPS_PORT:
                scheme = "https"
        except ValueError:
            pass
        t = f"{scheme}://{t}"
    parts = urlsplit(t)
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    try:
        port = parts.port
    except ValueError:
        return t
    if port is None and netloc:
        netloc = f"{netloc}:{HTTPS_PORT if scheme == 'https' else HTTP_PORT}"
    path = parts.path if parts.path not in ("", "/") else "/wsman"
    return f"{scheme}://{netloc}{path}"


class HostsFileError(ValueError):
    """The hosts file cannot be used; the message says where and why (every problem found)."""


HOSTS_FILE_VERSION = 1
MAX_PROBLEMS_SHOWN = 12

_TEXT_FIELDS = ("url", "auth", "username", "name", "ca_file", "cert_pin", "proxy")
KNOWN_FIELDS = (*_TEXT_FIELDS, "allow_basic_http", "timeout_s", "tags")


def _describe(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, float) or math.isfinite(value) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _host_from_json(d: Any, where: str) -> tuple[HostConfig | None, list[str]]:
    """One host of the file, or the problems that name its fields."""
    if not isinstance(d, dict):
        return None, [f"{where}: expected an object with a \"url\", found {_type_name(d)}"]
    label = d.get("name") if isinstance(d.get("name"), str) and d.get("name") else d.get("url")
    if isinstance(label, str) and label and "@" not in label:
        where = f"{where} ({label[:60]!r})"
    problems: list[str] = []

    def bad(name: str, what: str) -> None:
        problems.append(f"{where}: field {name!r}: {what}")

    for key in d:
        if key not in KNOWN_FIELDS:
            close = difflib.get_close_matches(str(key), KNOWN_FIELDS, n=1)
            problems.append(f"{where}: unknown field {str(key)[:40]!r}"
                            + (f" (did you mean {close[0]!r}?)" if close else "")
                            + f"; known fields: {', '.join(KNOWN_FIELDS)}")
    values: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        if name in d:
            if isinstance(d[name], str):
                values[name] = d[name]
            else:
                bad(name, f"expected text, found {_type_name(d[name])} {_describe(d[name])}")
    if "url" not in d:
        problems.append(f"{where}: field 'url' is missing (e.g. \"http://hv01:5985/wsman\")")
    elif "url" in values:
        if not values["url"].strip():
            bad("url", "is empty")
        elif values.get("auth") != Auth.LOCAL.value:
            problems += [f"{where}: field 'url': {p}" for p in url_problems(values["url"])]
    if "auth" in values:
        try:
            values["auth"] = Auth(values["auth"])
        except ValueError:
            bad("auth", f"{values['auth'][:40]!r} is not one of {', '.join(a.value for a in Auth)}")
    if values.get("cert_pin"):
        pin = normalize_fingerprint(values["cert_pin"])
        if pin:
            values["cert_pin"] = pin
        else:
            bad("cert_pin", "expected a SHA-256 fingerprint (64 hex digits)")
    if "allow_basic_http" in d:
        if isinstance(d["allow_basic_http"], bool):
            values["allow_basic_http"] = d["allow_basic_http"]
        else:
            bad("allow_basic_http", f"expected true or false, found {_type_name(d['allow_basic_http'])} "
                f"{_describe(d['allow_basic_http'])}")
    if "timeout_s" in d:
        t = d["timeout_s"]
        if isinstance(t, bool) or not isinstance(t, int | float):
            bad("timeout_s", f"expected a number of seconds, found {_type_name(t)} {_describe(t)}")
        else:
            try:
                seconds = float(t)
            except OverflowError:
                seconds = math.inf
            if not (math.isfinite(seconds) and seconds > 0):
                bad("timeout_s", f"expected a number of seconds greater than 0, found {_describe(t)}")
            else:
                values["timeout_s"] = seconds
    if "tags" in d:
        tags = d["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            bad("tags", f"expected a list of texts, found {_describe(tags)}")
        else:
            values["tags"] = tuple(tags)
    if problems:
        return None, problems
    host = HostConfig(**values)
    # What the host dialog refuses to save is refused here too (NTLM without a user, Basic over plain
    # HTTP not allowed...): said with the host, not found out on connecting.
    problems = [f"{where}: {p}" for p in host.validate()]
    return (None, problems) if problems else (host, [])


def parse_hosts(text: str, where: str) -> list[HostConfig]:
    """The hosts of a hosts file's text; :class:`HostsFileError` naming every host and field
    that is wrong. Never raises anything else, whatever the text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HostsFileError(f"{where} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from exc
    except (RecursionError, ValueError) as exc:  # nesting too deep; integers too long to read
        raise HostsFileError(f"{where} is not a hosts file: {type(exc).__name__}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("hosts"), list):
        raise HostsFileError(f"{where}: expected {{\"version\": 1, \"hosts\": [...]}}")
    version = data.get("version", HOSTS_FILE_VERSION)
    if isinstance(version, int) and not isinstance(version, bool) and version > HOSTS_FILE_VERSION:
        raise HostsFileError(f"{where}: written by a newer hvgui (hosts file version {version}); this one reads "
                             f"version {HOSTS_FILE_VERSION}")
    if version != HOSTS_FILE_VERSION:
        raise HostsFileError(f"{where}: field 'version': expected {HOSTS_FILE_VERSION}, found {_describe(version)}")
    problems: list[str] = []
    hosts: list[HostConfig] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(data["hosts"]):
        label = f"host #{i + 1}"
        if isinstance(h, dict) and any("password" in str(k).lower() for k in h):
            problems.append(f"{label}: passwords do not belong in the hosts file; remove them (hvgui keeps "
                            "passwords in the system keyring)")
            continue
        host, found = _host_from_json(h, label)
        problems += found
        if host is not None:
            if host.key in seen:
                problems.append(f"{label}: same URL as host #{seen[host.key] + 1} ({host.url})")
            else:
                seen[host.key] = i
                hosts.append(host)
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        raise HostsFileError(f"{where}: " + ("\n" if len(shown) > 1 else "") + "\n".join(shown)
                             + (f"\n... and {more} more problems" if more else ""))
    return hosts


def load_hosts(path: Path) -> list[HostConfig]:
    """Read the hosts file. A missing file is an empty list; a file that cannot be used raises
    :class:`HostsFileError` (naming each host and field at fault) and is left untouched on disk."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise HostsFileError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HostsFileError(f"{path} is not UTF-8 text (byte {exc.start})") from exc
    return parse_hosts(text, str(path))


def host_to_json(h: HostConfig) -> dict[str, Any]:
    d = asdict(h)
    d["auth"] = h.auth.value
    d["tags"] = list(h.tags)
    return d


def save_hosts(path: Path, hosts: list[HostConfig]) -> None:
    """Write atomically (temp file + rename), so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    items = [host_to_json(h) for h in hosts]
    text = json.dumps({"version": HOSTS_FILE_VERSION, "hosts": items}, indent=2, ensure_ascii=False)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def default_hosts_path() -> Path:
    """The hosts file the GUI and ``hvgui-cli`` share."""
    import platformdirs

    return Path(platformdirs.user_config_dir("hvgui", appauthor=False)) / "hosts.json"


__all__ = ["AUTH_TEXT", "Auth", "HostConfig", "HostsFileError", "default_hosts_path", "load_hosts",
           "normalize_fingerprint", "normalize_url", "parse_hosts", "replace", "save_hosts", "url_problems"]
