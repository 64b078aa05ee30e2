"""How to reach a host (no secrets here: passwords live in the OS keyring), and the saved
hosts file that the GUI and ``hvgui-cli`` share."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class Auth(StrEnum):
    NTLM = "ntlm"
    KERBEROS = "kerberos"
    CREDSSP = "credssp"
    BASIC = "basic"
    LOCAL = "local"
    """powershell.exe on this Windows machine, no WinRM."""


@dataclass(frozen=True, slots=True)
class HostConfig:
    """One Hyper-V host as the user configured it."""

    url: str
    """``https://hv01.example.com:5986/wsman`` or ``http://...:5985/wsman``."""
    auth: Auth = Auth.NTLM
    username: str = ""
    name: str = ""
    """Display name; the URL's host when empty."""
    ca_file: str = ""
    """PEM bundle or certificate to trust for HTTPS (validation is never switched off)."""
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
        if not parts.hostname:
            return self.url
        default = 5986 if parts.scheme.lower() == "https" else 5985
        return parts.hostname if parts.port in (None, default) else f"{parts.hostname}:{parts.port}"

    @property
    def key(self) -> str:
        """Stable identity of the host in this session (the URL)."""
        return self.url

    @property
    def is_https(self) -> bool:
        return urlsplit(self.url).scheme.lower() == "https"

    def validate(self) -> list[str]:
        """Problems a person must fix before we connect; empty when fine."""
        problems: list[str] = []
        if self.auth is not Auth.LOCAL:
            parts = urlsplit(self.url)
            if parts.username or parts.password:
                # Never repeat the URL here: it may hold a password.
                problems.append("the URL must not contain a user name or password; use the user field "
                                "(passwords are kept in the system keyring)")
            elif parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                problems.append(f"{self.url!r} is not an http(s) WinRM URL")
            if self.auth is Auth.BASIC and not self.is_https and not self.allow_basic_http:
                problems.append("Basic authentication over plain HTTP sends the password in clear; "
                                "use HTTPS, NTLM or Kerberos, or allow it explicitly for a lab")
            if self.auth in (Auth.NTLM, Auth.BASIC, Auth.CREDSSP) and not self.username:
                problems.append(f"{self.auth.value} needs a user name")
        return problems


def normalize_url(text: str) -> str:
    """``hv01`` -> ``https://hv01:5986/wsman``; keeps explicit schemes, ports and paths."""
    t = text.strip()
    if "://" not in t:
        t = "https://" + t
    parts = urlsplit(t)
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if parts.port is None:
        netloc = f"{netloc}:{5986 if scheme == 'https' else 5985}"
    path = parts.path if parts.path not in ("", "/") else "/wsman"
    return f"{scheme}://{netloc}{path}"


class HostsFileError(ValueError):
    """The hosts file cannot be used; the message says where and why."""


HOSTS_FILE_VERSION = 1


def _host_from_json(d: dict[str, Any], where: str) -> HostConfig:
    if not isinstance(d, dict) or "url" not in d:
        raise HostsFileError(f"{where}: each host needs a \"url\"")
    try:
        return HostConfig(
            url=str(d["url"]),
            auth=Auth(str(d.get("auth", "ntlm"))),
            username=str(d.get("username", "")),
            name=str(d.get("name", "")),
            ca_file=str(d.get("ca_file", "")),
            allow_basic_http=bool(d.get("allow_basic_http", False)),
            proxy=str(d.get("proxy", "")),
            timeout_s=float(d.get("timeout_s", 120.0)),
            tags=tuple(str(t) for t in d.get("tags", ())),
        )
    except ValueError as exc:
        raise HostsFileError(f"{where}: {exc}") from exc


def load_hosts(path: Path) -> list[HostConfig]:
    """Read the hosts file. A missing file is an empty list; a corrupt one raises
    :class:`HostsFileError` and is left untouched on disk."""
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise HostsFileError(f"cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise HostsFileError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("hosts"), list):
        raise HostsFileError(f"{path}: expected {{\"version\": 1, \"hosts\": [...]}}")
    for i, h in enumerate(data["hosts"]):
        if isinstance(h, dict) and any("password" in str(k).lower() for k in h):
            raise HostsFileError(f"{path}: host #{i + 1}: passwords do not belong in the hosts file; remove "
                                 "them (hvgui keeps passwords in the system keyring)")
    hosts = [_host_from_json(h, f"{path}: host #{i + 1}") for i, h in enumerate(data["hosts"])]
    for i, h in enumerate(hosts):
        parts = urlsplit(h.url)
        if parts.username or parts.password:
            raise HostsFileError(f"{path}: host #{i + 1}: the URL holds a user name or password; remove it "
                                 "(use \"username\"; passwords are kept in the system keyring)")
    return hosts


def save_hosts(path: Path, hosts: list[HostConfig]) -> None:
    """Write atomically (temp file + rename), so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    items = []
    for h in hosts:
        d = asdict(h)
        d["auth"] = h.auth.value
        d["tags"] = list(h.tags)
        items.append(d)
    text = json.dumps({"version": HOSTS_FILE_VERSION, "hosts": items}, indent=2, ensure_ascii=False)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["Auth", "HostConfig", "HostsFileError", "load_hosts", "normalize_url", "replace", "save_hosts"]


def default_hosts_path() -> Path:
    """The hosts file the GUI and ``hvgui-cli`` share."""
    import platformdirs

    return Path(platformdirs.user_config_dir("hvgui", appauthor=False)) / "hosts.json"
