"""A hosts file written by hand (or by a broken tool) never crashes the loader: whatever its
bytes, ``load_hosts`` returns valid hosts or raises :class:`HostsFileError` whose message names
what is wrong, and the file is left as it was."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hvgui.core.hosts import KNOWN_FIELDS, HostConfig, HostsFileError, load_hosts, parse_hosts

JSON_SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
                | st.text(max_size=30))
JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)

URLS = st.sampled_from([
    "http://hv01:5985/wsman", "https://hv01.example.test:5986/wsman", "hv01", "hv01:5986", "",
    " ", "ftp://hv01/", "http://", "https://hv01:99999/wsman", "http://hv 01:5985/wsman",
    "http://[::1]:5985/wsman", "https://hv01:-1/wsman", "javascript:alert(1)", "\u00e9t\u00e9",
    "http://user:secret@hv01:5985/wsman", "https://hv01:5986/wsman?x=1#y",
]) | st.text(max_size=40)

FIELD_VALUES: dict[str, Any] = {
    "url": URLS,
    "auth": st.sampled_from(["negotiate", "ntlm", "kerberos", "basic", "credssp", "local", "NTLM", ""])
    | JSON_VALUES,
    "username": st.text(max_size=20) | JSON_VALUES,
    "name": st.text(max_size=20) | JSON_VALUES,
    "ca_file": st.text(max_size=20) | JSON_VALUES,
    "cert_pin": st.sampled_from(["ab" * 32, "AB:" * 31 + "AB", "zz", ""]) | JSON_VALUES,
    "proxy": st.text(max_size=20) | JSON_VALUES,
    "allow_basic_http": JSON_VALUES,
    "timeout_s": st.sampled_from([30, 0, -1, 1e308, 10**400, True]) | JSON_VALUES,
    "tags": st.lists(st.text(max_size=5), max_size=3) | JSON_VALUES,
}


@st.composite
def host_objects(draw: st.DrawFn) -> Any:
    """Mostly host-shaped objects: a random subset of the known fields (url sometimes missing),
    each with a plausible or a wrongly typed value, sometimes an unknown or a password field."""
    fields = draw(st.lists(st.sampled_from(KNOWN_FIELDS), unique=True, max_size=len(KNOWN_FIELDS)))
    obj: dict[str, Any] = {f: draw(FIELD_VALUES[f]) for f in fields}
    extra = draw(st.sampled_from([None, "password", "Url", "timeout", "x"]))
    if extra is not None:
        obj[extra] = draw(JSON_VALUES)
    return obj if draw(st.integers(0, 9)) else draw(JSON_VALUES)


HOSTS_FILES = st.fixed_dictionaries(
    {"version": st.sampled_from([1, 1, 1, 2, 0, "1", None, True, 1.0]),
     "hosts": st.lists(host_objects(), max_size=4) | JSON_VALUES})


def _check(text: str) -> None:
    try:
        hosts = parse_hosts(text, "hosts.json")
    except HostsFileError as exc:
        message = str(exc)
        assert message.startswith("hosts.json"), message
        assert len(message) < 4000, "the message stays readable"
        return
    assert all(isinstance(h, HostConfig) and h.validate() == [] for h in hosts)
    assert len({h.key for h in hosts}) == len(hosts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=HOSTS_FILES)
@example(doc={"version": 1, "hosts": [{"url": 5985}]})
@example(doc={"version": 1, "hosts": [{"url": "hv01", "timeout_s": "thirty"}]})
@example(doc={"version": 1, "hosts": [{"name": "no url"}]})
@example(doc={"version": 1, "hosts": [{"url": "hv01", "tags": "lab"}]})
@example(doc={"version": 1, "hosts": [{"url": "hv01", "password": "s3cret"}]})
@example(doc={"version": 1, "hosts": [{"url": "http://hv01:5985/wsman", "auth": "ntlm", "username": ""}]})
def test_structured_hosts_files_never_raise_out_of_the_loader(doc: dict[str, Any]) -> None:
    _check(json.dumps(doc, allow_nan=True))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200) | JSON_VALUES.map(json.dumps))
@example(text="[" * 100_000)
@example(text='{"version": 1, "hosts": [{"url": "hv01", "timeout_s": ' + "9" * 5000 + "}]}")
def test_any_text_never_raises_out_of_the_loader(text: str) -> None:
    _check(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=100))
@example(raw=b"\xff\xfe{}")
def test_any_bytes_on_disk_are_reported_and_kept(raw: bytes, tmp_path: Path) -> None:
    path = tmp_path / "hosts.json"
    path.write_bytes(raw)
    try:
        load_hosts(path)
    except HostsFileError as exc:
        assert str(path) in str(exc)
    assert path.read_bytes() == raw


def test_a_wrong_type_names_the_host_and_the_field() -> None:
    text = json.dumps({"version": 1, "hosts": [{"url": "http://hv01:5985/wsman"},
                                              {"url": "hv02", "name": "HV02", "timeout_s": "thirty"}]})
    try:
        parse_hosts(text, "hosts.json")
    except HostsFileError as exc:
        assert "host #2" in str(exc) and "'timeout_s'" in str(exc) and '"thirty"' in str(exc)
    else:
        raise AssertionError("a text timeout was accepted")


def test_a_password_in_the_file_is_refused_without_repeating_it() -> None:
    text = json.dumps({"version": 1, "hosts": [{"url": "hv01", "password": "Tr0ub4dor&3"}]})
    try:
        parse_hosts(text, "hosts.json")
    except HostsFileError as exc:
        assert "passwords do not belong" in str(exc) and "Tr0ub4dor" not in str(exc)
    else:
        raise AssertionError("a password in the hosts file was accepted")
