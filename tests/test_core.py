"""Qt-free core and the operation scripts, without a host."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hvgui.core import catalog, contract
from hvgui.core.hosts import Auth, HostConfig, HostsFileError, load_hosts, normalize_url, save_hosts
from hvgui.core.model import VM, Change, HostFacts, Inventory, ServiceState, StatusValue
from hvgui.core.plan import name_matches, plan_host, select_vms
from hvgui.remote import clixml, scripts

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))

# Every quote PowerShell knows, expansion syntax, wildcards, newlines, accents, CJK.
NASTY = st.lists(
    st.sampled_from([*"'‘’‚‛\"“”„`$()[]*?{};|&<>\n\r\t #@%éÜ中文 ", "$(calc)", "${x}", "'; rm -rf /"])
    | st.text(min_size=1, max_size=3),
    min_size=1, max_size=20,
).map("".join)


def parse_errors(source: str) -> list[str]:
    tree = PARSER.parse(source.encode("utf-8"))
    found: list[str] = []

    def walk(node: tree_sitter.Node) -> None:
        if node.type == "ERROR" or node.is_missing:
            found.append(f"{node.start_point}: {source.encode()[node.start_byte:node.end_byte][:60]!r}")
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return found


@pytest.mark.parametrize("name", ["INVENTORY", "APPLY"])
def test_operation_scripts_are_ascii_headed_and_parse(name: str) -> None:
    script = getattr(scripts, name)
    assert script.isascii()
    assert contract.operation_of(script) == (name.lower(), contract.VERSION)
    assert parse_errors(script) == []
    # The conventions of safety.md, in the script itself.
    assert "$ErrorActionPreference = 'Stop'" in script
    assert "$ProgressPreference = 'SilentlyContinue'" in script
    assert "-VMName" not in script and "-Name '" not in script  # targets by Id and GUID only
    # Module-qualified, so another module's Get-VM (VMware PowerCLI) is never called.
    import re

    assert not re.search(r"(?<![\\\w-])(Get-VM|Get-VMIntegrationService|Enable-VMIntegrationService|"
                         r"Disable-VMIntegrationService)\b", script)


def test_bootstrap_parses_and_command_line_is_short_and_constant() -> None:
    assert parse_errors(contract.BOOTSTRAP) == []
    line = contract.command_line()
    assert len(line) < 8191
    assert "-NoProfile" in line and "-NonInteractive" in line
    assert contract.decode_powershell(line.rsplit(" ", 1)[1]) == contract.BOOTSTRAP


@settings(max_examples=150, deadline=None)
@given(names=st.lists(NASTY, min_size=1, max_size=5), flip=st.booleans())
@example(names=["n '"], flip=False)  # in the constant script: not a leak
def test_request_data_only_travels_inside_base64(names: list[str], flip: bool) -> None:
    # Ids and GUIDs come from hosts: a hostile host could send anything, and it is the only
    # data a request carries.
    changes = [Change(vm_id=n, service_guid=n[::-1] or "x", expected=flip, target=not flip, vm_name=n)
               for n in names]
    stdin = contract.stdin_for(scripts.APPLY, contract.apply_request(changes))
    script, payload = contract.split_stdin(stdin)
    assert script.strip() == scripts.APPLY.strip()  # the code is the same whatever the data
    assert stdin.isascii()
    assert payload.replace("+", "").replace("/", "").replace("=", "").isalnum()
    assert parse_errors(script) == []
    assert contract.changes_from_request(contract.decode_payload(payload)) == [
        Change(c.vm_id.lower(), catalog.normalize_guid(c.service_guid), c.expected, c.target) for c in changes]
    # Outside the base64 payload, stdin is the constant script and its framing: a name may only
    # appear there if the constant text happens to contain it ("n '" is in common.ps1's code).
    framing = stdin.replace(payload, "")
    for n in names:
        if len(n.strip()) > 2 and n not in scripts.APPLY:
            assert n not in framing and n not in contract.command_line()


@settings(max_examples=100, deadline=None)
@given(name=NASTY)
def test_result_json_round_trips_any_name(name: str) -> None:
    vm = VM(id="7cca7664-91d0-40a9-9769-7809f256f603", name=name, state="Running", services=(
        ServiceState(catalog.HEARTBEAT, "Heartbeat", True, StatusValue(2, "Ok", "OK"), StatusValue(2, "Ok", "OK")),))
    inv = Inventory(HostFacts(name="HV01"), (vm,))
    line = contract.encode_result(contract.inventory_result(inv))
    assert line.isascii()
    assert contract.parse_inventory(contract.decode_result("noise\r\n" + line + "\r\n")) == inv


def _gzip_line(data: bytes) -> str:
    return contract.RESULT_GZIP_PREFIX + base64.b64encode(gzip.compress(data)).decode("ascii")


def test_a_gzip_result_is_read_and_a_bad_one_is_refused_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    result = contract.inventory_result(Inventory(HostFacts(name="HV01"), ()))
    data = json.dumps(result).encode("utf-8")
    assert contract.decode_result("noise\r\n" + _gzip_line(data) + "\r\n") == result
    cut = contract.RESULT_GZIP_PREFIX + base64.b64encode(gzip.compress(data)[:-8]).decode("ascii")
    with pytest.raises(contract.ContractError, match="cut short"):
        contract.decode_result(cut)
    with pytest.raises(contract.ContractError, match="not base64 gzip"):
        contract.decode_result(contract.RESULT_GZIP_PREFIX + base64.b64encode(data).decode("ascii"))
    with pytest.raises(contract.ContractError, match="not a JSON object"):
        contract.decode_result(_gzip_line(b"[1, 2]"))
    # A few KB of gzip can unpack to gigabytes: a host's answer has a ceiling.
    monkeypatch.setattr(contract, "RESULT_MAX_BYTES", 1000)
    with pytest.raises(contract.ContractError, match="more than"):
        contract.decode_result(_gzip_line(b" " * 1001))
    assert contract.decode_result(_gzip_line(b"{}" + b" " * 998)) == {}


def test_powershell_51_shapes_are_accepted() -> None:
    """5.1 writes a one-element array as a bare object, or as {"value": [...], "Count": n}."""
    svc = {"guid": catalog.VSS.lower(), "name": "VSS", "enabled": True, "primary": None, "secondary": None}
    base = {"id": "A", "name": "x", "state": "Off", "services": svc}
    inv = contract.parse_inventory({"op": "inventory", "v": 1, "host": {"name": "h"},
                                    "vms": {"value": [base], "Count": 1}})
    assert inv.vms[0].id == "a"
    assert inv.vms[0].services[0].guid == catalog.VSS
    with pytest.raises(contract.ContractError):
        contract.parse_inventory({"op": "apply", "v": 1})
    with pytest.raises(contract.ContractError):
        contract.decode_result("no result here")


def test_catalog_lookup_by_any_name() -> None:
    assert catalog.lookup("Guest services").guid == catalog.GUEST_SERVICE_INTERFACE
    assert catalog.lookup("guest service interface").guid == catalog.GUEST_SERVICE_INTERFACE
    assert catalog.lookup("Interface de services d'invité").guid == catalog.GUEST_SERVICE_INTERFACE
    assert catalog.lookup("Takt").guid == catalog.HEARTBEAT
    assert catalog.lookup("{5ced1297-4598-4915-a5fc-ad21bb4d02a4}").guid == catalog.VSS
    assert catalog.lookup("Data Exchange").guid == catalog.KVP
    with pytest.raises(KeyError):
        catalog.lookup("Bogus")
    assert catalog.service_guid_from_id(
        "Microsoft:7CCA7664-91D0-40A9-9769-7809F256F603\\84EAAE65-2F2E-45F5-9BB5-0E857DC8EB47") == catalog.HEARTBEAT
    assert [s.default_enabled for s in catalog.SERVICES].count(False) == 1


def test_clixml_error_text() -> None:
    stderr = ('#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
              '<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T></TN>'
              '</Obj><S S="Error">Get-VM : Hyper-V was unable to find a virtual machine with name "N1"._x000D__x000A_'
              '</S><S S="Error">At line:1 char:1_x000D__x000A_</S></Objs>')
    text = clixml.error_text(stderr)
    assert text.startswith('Get-VM : Hyper-V was unable to find a virtual machine with name "N1".\nAt line:1')
    assert clixml.first_line(text).startswith("Get-VM : Hyper-V")
    assert clixml.error_text("plain text\r\n") == "plain text"


def test_hosts_file_round_trip_and_corruption(tmp_path: Path) -> None:
    path = tmp_path / "hosts.json"
    assert load_hosts(path) == []
    hosts = [HostConfig(url=normalize_url("hv01"), username="CORP\\admin", name="HV01"),
             HostConfig(url="http://lab:5985/wsman", auth=Auth.BASIC, username="u", allow_basic_http=True)]
    save_hosts(path, hosts)
    assert load_hosts(path) == hosts
    assert hosts[0].url == "http://hv01:5985/wsman"  # what Enable-PSRemoting creates
    good = path.read_text(encoding="utf-8")
    path.write_text(good[:-20], encoding="utf-8")
    with pytest.raises(HostsFileError, match="not valid JSON"):
        load_hosts(path)
    assert path.read_text(encoding="utf-8") == good[:-20]  # left untouched for the user to mend
    doc = json.loads(good)
    doc["hosts"][0]["password"] = "x"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(HostsFileError, match="passwords do not belong"):
        load_hosts(path)


def test_credentials_in_a_url_are_refused_without_repeating_them(tmp_path: Path) -> None:
    bad = HostConfig(url="https://admin:S3cret@hv01:5986/wsman", username="admin")
    problems = bad.validate()
    assert problems and not any("S3cret" in p for p in problems)
    path = tmp_path / "hosts.json"
    path.write_text(json.dumps({"version": 1, "hosts": [{"url": bad.url}]}), encoding="utf-8")
    with pytest.raises(HostsFileError) as info:
        load_hosts(path)
    assert "S3cret" not in str(info.value)


def test_host_config_refuses_basic_over_http_unless_allowed() -> None:
    assert HostConfig(url="http://h:5985/wsman", auth=Auth.BASIC, username="u").validate()
    assert not HostConfig(url="https://h:5986/wsman", auth=Auth.BASIC, username="u").validate()
    assert not HostConfig(url="http://h:5985/wsman", auth=Auth.BASIC, username="u", allow_basic_http=True).validate()


def test_plan_selects_by_pattern_and_id_and_skips_what_is_done() -> None:
    on = ServiceState(catalog.GUEST_SERVICE_INTERFACE, "Guest Service Interface", True)
    off = ServiceState(catalog.GUEST_SERVICE_INTERFACE, "Guest Service Interface", False)
    vms = (VM("a", "web[1]", "Running", services=(off,)), VM("b", "web1", "Running", services=(on,)),
           VM("c", "DB", "Off", services=()))
    inv = Inventory(HostFacts("h"), vms)
    assert [v.id for v in select_vms(inv, ["WEB*"], [])] == ["a", "b"]
    assert [v.id for v in select_vms(inv, ["web[1]"], [])] == ["b"]  # shell pattern, like PowerShell's
    assert [v.id for v in select_vms(inv, [], ["C"])] == ["c"]
    assert name_matches("Comptabilité", ["comptabilité"])
    plan = plan_host(inv, list(vms), {catalog.GUEST_SERVICE_INTERFACE: True})
    assert [(c.vm_id, c.expected, c.target) for c in plan.changes] == [("a", False, True)]
    assert [v.id for v, _ in plan.already] == ["b"]
    assert [s.vm.id for s in plan.skipped] == ["c"]


def test_memory_credentials_forget_a_removed_host() -> None:
    from hvgui.remote.credentials import MemoryCredentials

    creds = MemoryCredentials()
    a = HostConfig(url="https://a:5986/wsman", username="u")
    b = HostConfig(url="https://b:5986/wsman", username="u")
    creds.set(a, "pw-a")
    creds.set(b, "pw-b")
    creds.delete(a)
    assert creds.password(a) is None and creds.password(b) == "pw-b"
    assert "pw-b" not in repr(creds)


def test_keyring_credentials_write_in_order_off_the_callers_thread() -> None:
    import keyring
    from keyring.backend import KeyringBackend
    from keyring.errors import PasswordDeleteError

    from hvgui.remote.credentials import KeyringCredentials

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            if self.store.pop((service, username), None) is None:
                raise PasswordDeleteError(username)

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        host = HostConfig(url="https://hv01:5986/wsman", username="CORP\\admin")
        creds = KeyringCredentials()
        assert creds.secure
        creds.set(host, "first")
        creds.set(host, "second")
        creds.close()  # pending writes finish
        assert list(backend.store.values()) == ["second"]  # in the order asked
        later = KeyringCredentials()
        assert later.password(host) == "second"  # the next session finds it
        later.delete(host)
        assert later.password(host) is None  # the queued delete is not overtaken by the read
        later.close()
        assert backend.store == {}
    finally:
        keyring.set_keyring(previous)
