"""The command line through a footprint server (``--registry http://127.0.0.1:PORT`` with a token) gives what it gives on the database.

A real uvicorn server on loopback, in a thread, serves a copy of test_server's world (a
certificate, members with tokens, entries in every state); the same commands run with
``--registry FILE`` (the database itself) and with ``--registry URL`` (through the server,
as the operator, who sees everything) and their outputs are compared byte for byte. Then
what a member may not do: the server's 401/403/404 reason in one line, exit 1, nothing
written, the token never printed; a server that is down or silent; token files.
"""

import datetime as dt
import ipaddress
import json
import os
import socket
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import test_registry
import test_server
from test_registry import APPLICANT, BODY
from test_server import OPERATOR, RIVAL, SUPPLIER, snapshot

import footprint.shareddb as shared
from footprint.errors import OptionError
from footprint.shareddb import client

from calc_helpers import DATA, product_data, write_product
from conftest import invoke

#: test_server's world (a certificate, members with tokens, entries in every state) and what it is made of.
world, material = test_server.world, test_registry.material

TODAY = dt.date.today()
POLY_PACT = json.loads((DATA / "pact-polysilicon.json").read_text(encoding="utf-8"))


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(registry):
    import uvicorn

    from footprint.server import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(registry), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture
def live(world, tmp_path):
    """uvicorn on loopback over this test's copy of the world: (its URL, the database it serves)."""
    registry = str(tmp_path / "registry.sqlite")
    with sqlite3.connect(world["registry"]) as source, sqlite3.connect(registry) as target:
        source.backup(target)
    server, thread, url = _serve(registry)
    yield url, registry
    server.should_exit = True
    thread.join(10)


def as_member(monkeypatch, world, org):
    """FOOTPRINT_TOKEN of ``org`` for the commands that follow; the token, to check it is never printed."""
    token = world["tokens"][org]
    monkeypatch.setenv("FOOTPRINT_TOKEN", token)
    monkeypatch.delenv("FOOTPRINT_TOKEN_FILE", raising=False)
    monkeypatch.delenv("FOOTPRINT_REGISTRY", raising=False)
    return token


def refused(completed, token=None):
    """The one line of a refused command (exit 1, nothing on stdout, no traceback, never the token)."""
    assert completed.returncode == 1, (completed.args, completed.stdout, completed.stderr)
    [line] = completed.stderr.splitlines()
    assert line.startswith("error: ") and "Traceback" not in completed.stderr
    if token:
        assert token not in completed.stderr and token not in completed.stdout
    return line


READS = [
    ("shared", "list"),
    ("shared", "list", "--state", "published"),
    ("shared", "list", "--kind", "supplier_declaration", "--state", "submitted"),
    ("shared", "show", "PUB-1@1"),
    ("shared", "show", "SHARED"),
    ("shared", "show", "DRAFT@1"),
    ("shared", "resolve", "registry:PUB-2@1", "--as-of", str(TODAY)),
    ("cert", "list"),
    ("cert", "list", "--applications"),
    ("cert", "list", "--state", "valid"),
    ("cert", "log", "--verify"),
]


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_reading_through_the_server_prints_what_the_database_gives(world, live, footprint_home, monkeypatch, fmt):
    url, registry = live
    token = as_member(monkeypatch, world, OPERATOR)
    number = world["certificate"]
    application = shared_application(registry, number)
    commands = [*READS, ("cert", "show", number), ("cert", "show", application), ("cert", "log", number)]
    for command in commands:
        local = invoke(*command, "--registry", registry, "--format", fmt, home=footprint_home)
        remote = invoke(*command, "--registry", url, "--format", fmt, home=footprint_home)
        assert local.returncode == 0, (command, local.stderr)
        assert (remote.returncode, remote.stderr) == (0, ""), (command, remote.stderr)
        assert remote.stdout == local.stdout, command
        assert local.stdout.strip() and token not in remote.stdout
    # not an empty world: the lists hold what the fixture made
    listed = json.loads(invoke("shared", "list", "--registry", url, "--format", "json", home=footprint_home).stdout)
    assert len(listed) == 7
    logged = json.loads(invoke("cert", "log", "--verify", "--registry", url, "--format", "json", home=footprint_home).stdout)
    assert logged["check"]["ok"] and logged["check"]["events"] == len(logged["events"]) > 10


def shared_application(registry, number):
    with sqlite3.connect(registry) as raw:
        [(app,)] = raw.execute("SELECT a.number FROM applications a JOIN certificates c ON c.application_id = a.id "
                               "WHERE c.number = ?", (number,)).fetchall()
    return app


def test_a_member_sees_through_the_server_what_the_library_lets_it_see(world, live, footprint_home, monkeypatch):
    url, registry = live
    for org in (SUPPLIER, RIVAL, APPLICANT, BODY):
        as_member(monkeypatch, world, org)
        remote = invoke("shared", "list", "--registry", url, "--format", "json", home=footprint_home)
        assert remote.returncode == 0, remote.stderr
        assert json.loads(remote.stdout) == shared.list_entries(viewer=org, registry=registry)
    as_member(monkeypatch, world, APPLICANT)  # the holder: its certificate, and that certificate's events only
    number = world["certificate"]
    rows = json.loads(invoke("cert", "list", "--registry", url, "--format", "json", home=footprint_home).stdout)
    assert [row["certificate"] for row in rows] == [number]
    events = json.loads(invoke("cert", "log", number, "--registry", url, "--format", "json", home=footprint_home).stdout)
    assert events["events"] and {event["subject"] for event in events["events"]} == {f"certificate:{number}"}
    as_member(monkeypatch, world, RIVAL)
    assert json.loads(invoke("cert", "list", "--registry", url, "--format", "json", home=footprint_home).stdout) == []


def entry_file(tmp_path, entry_id):
    data = {"id": entry_id, "kind": "supplier_declaration", "title": "Poly 9N, modified Siemens", "value": "30.5 kg CO2-eq/kg",
            "source": "supplier's PACT declaration, verified by Example Verifier GmbH",
            "valid_from": str(TODAY - dt.timedelta(days=10)), "valid_until": str(TODAY + dt.timedelta(days=30)),
            "payload": POLY_PACT}
    path = tmp_path / f"{entry_id}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def untimed(text):
    """A calc JSON result without the second it was computed at, wherever it is written (everything else must be equal)."""
    result = json.loads(text)
    found = []

    def drop(value):
        if isinstance(value, dict):
            if "computed_at" in value:
                found.append(value.pop("computed_at"))
            for child in value.values():
                drop(child)
        elif isinstance(value, list):
            for child in value:
                drop(child)

    drop(result)
    assert found
    return result


def test_the_review_and_a_calculation_through_the_server(world, live, footprint_home, monkeypatch, tmp_path):
    url, registry = live
    ref = "POLY-NET@1"
    steps = [
        (SUPPLIER, ("shared", "add", entry_file(tmp_path, "POLY-NET"), "--owner", SUPPLIER), "draft"),
        (SUPPLIER, ("shared", "submit", ref, "--by", SUPPLIER), "submitted"),
        (BODY, ("shared", "validate", ref, "--reviewer", BODY, "--by", "Zhang Min"), "validated"),
        (SUPPLIER, ("shared", "publish", ref, "--by", SUPPLIER), "published"),
    ]
    for org, command, state in steps:
        as_member(monkeypatch, world, org)
        done = invoke(*command, "--registry", url, "--format", "json", home=footprint_home)
        assert done.returncode == 0, (command, done.stderr)
        answer = json.loads(done.stdout)
        assert answer["state"] == state
        assert answer == shared.show_entry(ref, registry=registry)  # what the server answered is what the database holds
    stored = shared.show_entry(ref, registry=registry)
    assert (stored["owner"], stored["reviewer"], stored["reviewed_by"], stored["state"]) == (SUPPLIER, BODY, "Zhang Min",
                                                                                           "published")
    # the table output of a move is the local one
    as_member(monkeypatch, world, SUPPLIER)
    table = invoke("shared", "show", ref, "--registry", url, home=footprint_home)
    assert table.stdout == invoke("shared", "show", ref, "--registry", registry, home=footprint_home).stdout

    # a product naming the entry: through the server as a member, and on the database, the same result to the last digit
    product = write_product(tmp_path, product_data(**{"stages.polysilicon.supplier": f"registry:{ref}"}), "entry.yaml")
    as_member(monkeypatch, world, RIVAL)  # published: every member may use it
    remote = invoke("calc", product, "--registry", url, "--format", "json", home=footprint_home)
    local = invoke("calc", product, "--registry", registry, "--format", "json", home=footprint_home)
    assert remote.returncode == 0 and local.returncode == 0, (remote.stderr, local.stderr)
    assert untimed(remote.stdout) == untimed(local.stdout)
    result = json.loads(remote.stdout)
    [used] = result["provenance"]["shared_entries"]
    assert (used["id"], used["version"], used["sha256"]) == ("POLY-NET", 1, stored["sha256"])
    # the same through FOOTPRINT_REGISTRY (the main group's resolver), no --registry
    monkeypatch.setenv("FOOTPRINT_REGISTRY", url)
    assert untimed(invoke("calc", product, "--format", "json", home=footprint_home).stdout) == untimed(local.stdout)
    # withdrawn on the server: the calculation is refused with the server's reason, in one line
    monkeypatch.delenv("FOOTPRINT_REGISTRY")
    as_member(monkeypatch, world, SUPPLIER)
    assert invoke("shared", "withdraw", ref, "--by", SUPPLIER, "--reason", "new furnace line", "--registry", url,
                  home=footprint_home).returncode == 0
    line = [text for text in invoke("calc", product, "--registry", url, home=footprint_home).stderr.splitlines()
            if not text.startswith("warning: ")]
    assert len(line) == 1 and line[0].endswith("withdrawn (new furnace line); expected a validated entry"), line
    # and for the member who used it while it was published: the same reason, not "not in the shared database"
    as_member(monkeypatch, world, RIVAL)
    line = [text for text in invoke("calc", product, "--registry", url, home=footprint_home).stderr.splitlines()
            if not text.startswith("warning: ")]
    assert len(line) == 1 and line[0].endswith("withdrawn (new furnace line); expected a validated entry"), line


def test_a_member_s_impact_through_the_server_is_the_database_s(world, live, footprint_home, monkeypatch, tmp_path):
    """A supplier supersedes POLY-NET@1 with @2 (33.0 in place of 30.5 kg CO2-eq/kg): the module maker runs
    'shared impact POLY-NET@1 --product FILE' through the server and gets the database's answer, to the last digit."""
    import copy

    url, registry = live
    for version, value in ((1, "30.5"), (2, "33.0")):
        data = json.loads(entry_file(tmp_path, "POLY-NET").read_text(encoding="utf-8"))
        data["payload"] = copy.deepcopy(POLY_PACT)
        data["payload"]["pcf"]["pCfExcludingBiogenic"] = value
        data["value"] = f"{value} kg CO2-eq/kg"
        ref = shared.add_entry(data, owner=SUPPLIER, registry=registry)["ref"]
        assert ref == f"POLY-NET@{version}"
        shared.submit(ref, by=SUPPLIER, registry=registry)
        shared.validate(ref, reviewer=BODY, by="Zhang Min", registry=registry)
        shared.publish(ref, by=SUPPLIER, registry=registry)
    product = write_product(tmp_path, product_data(**{"stages.polysilicon.supplier": "registry:POLY-NET@1"}), "mine.yaml")
    local = invoke("shared", "impact", "POLY-NET@1", "--product", product, "--per", "kWp", "--registry", registry,
                   "--format", "json", home=footprint_home)
    assert local.returncode == 0, local.stderr
    as_member(monkeypatch, world, RIVAL)
    remote = invoke("shared", "impact", "POLY-NET@1", "--product", product, "--per", "kWp", "--registry", url,
                    "--format", "json", home=footprint_home)
    assert remote.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout
    [row] = json.loads(remote.stdout)["rows"]
    assert (row["file"], row["new"] > row["old"]) == (str(product), True)
    table = invoke("shared", "impact", "POLY-NET@1", "--product", product, "--per", "kWp", "--registry", url,
                   home=footprint_home)
    assert table.stdout.splitlines()[0] == "POLY-NET@1 -> POLY-NET@2"


def test_what_a_member_may_not_do_is_the_servers_reason_in_one_line(world, live, footprint_home, monkeypatch, tmp_path):
    url, registry = live
    number = world["certificate"]
    before = snapshot(registry)
    token = as_member(monkeypatch, world, RIVAL)
    cases = [  # (command, status, the server's reason)
        (("shared", "show", "DRAFT@1"), 404, "entry 'DRAFT@1': not in the shared database"),
        (("shared", "resolve", "registry:SHARED@1"), 404, "not in the shared database"),
        (("shared", "submit", "DRAFT@1", "--by", RIVAL), 404, "not in the shared database"),
        (("shared", "publish", "PUB-1@1", "--by", RIVAL), 403, "AccessDenied"),
        (("shared", "withdraw", "PUB-1@1", "--by", RIVAL, "--reason", "competitor"), 403, "AccessDenied"),
        (("shared", "submit", "DRAFT@1", "--by", SUPPLIER), 403, f"the token speaks for {RIVAL}, not for {SUPPLIER}"),
        (("shared", "add", entry_file(tmp_path, "PUB-1"), "--owner", RIVAL), 403, "owned by another organisation"),
        (("cert", "show", number), 404, "no certificate or application of that number"),
        (("cert", "log"), 403, "the whole log is the operator's"),
        (("cert", "log", number), 404, "no certificate or application of that number"),
    ]
    for command, status, reason in cases:
        line = refused(invoke(*command, "--registry", url, home=footprint_home), token)
        assert f": {status} " in line and reason in line, (command, line)
        assert line.startswith(f"error: {url}/"), line
    line = refused(invoke("shared", "show", "DRAFT@1", "--registry", url, home=footprint_home))
    assert line == f"error: {url}/shared/entries/DRAFT@1: 404 NoSuchFootprint: entry 'DRAFT@1': not in the shared database"
    assert snapshot(registry) == before
    as_member(monkeypatch, world, APPLICANT)
    line = refused(invoke("cert", "log", number, "--verify", "--registry", url, home=footprint_home))
    assert ": 403 AccessDenied: the chain's check covers every organisation's records" in line


def test_bad_tokens_and_missing_tokens(world, live, footprint_home, monkeypatch, tmp_path):
    url, registry = live
    monkeypatch.delenv("FOOTPRINT_REGISTRY", raising=False)
    monkeypatch.setenv("FOOTPRINT_TOKEN", world["expired"])
    line = refused(invoke("shared", "list", "--registry", url, home=footprint_home), world["expired"])
    assert ": 401 TokenExpired: expired token" in line
    monkeypatch.setenv("FOOTPRINT_TOKEN", world["revoked"])
    assert refused(invoke("shared", "list", "--registry", url, home=footprint_home)).endswith(": 401 AccessDenied: revoked token")
    wrong = "fp_" + "A" * 43
    line = refused(invoke("shared", "list", "--registry", url, "--token", wrong, home=footprint_home), wrong)
    assert line.endswith("/shared/entries: 401 AccessDenied: unknown token")
    monkeypatch.delenv("FOOTPRINT_TOKEN")
    line = refused(invoke("shared", "list", "--registry", url, home=footprint_home))
    assert line == f"error: {url}: no token; give --token-file FILE (owner-only, chmod 600), FOOTPRINT_TOKEN or FOOTPRINT_TOKEN_FILE"
    # a token file: read when only its owner may read it
    path = tmp_path / "token"
    path.write_text(world["tokens"][OPERATOR] + "\n", encoding="utf-8")
    os.chmod(path, 0o644)
    line = refused(invoke("shared", "list", "--registry", url, "--token-file", path, home=footprint_home), world["tokens"][OPERATOR])
    assert line == f"error: {path}: permissions 0644; expected 0600 (only its owner may read a token: chmod 600 {path})"
    os.chmod(path, 0o600)
    listed = invoke("shared", "list", "--registry", url, "--token-file", path, "--format", "json", home=footprint_home)
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 7
    monkeypatch.setenv("FOOTPRINT_TOKEN_FILE", str(path))
    assert invoke("shared", "show", "PUB-1@1", "--registry", url, home=footprint_home).returncode == 0
    # a token is for a server, not a database
    line = refused(invoke("shared", "list", "--registry", registry, "--token-file", path, home=footprint_home))
    assert line == "error: --token-file: a token is for a footprint server (--registry https://...); this registry is a database"


def test_plain_http_to_another_machine_is_refused_unless_allowed(monkeypatch):
    monkeypatch.delenv("FOOTPRINT_ALLOW_PLAIN_HTTP", raising=False)
    with pytest.raises(OptionError, match=r"registry: http://footprint.example.org: a token is not sent over plain http"):
        client.connect("http://footprint.example.org", token="fp_x", environ={})
    for url in ("http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "https://footprint.example.org"):
        assert client.connect(url, token="fp_x", environ={}).token == "fp_x"
    assert client.connect("http://10.0.0.5:8080", token="fp_x", environ={"FOOTPRINT_ALLOW_PLAIN_HTTP": "1"}).token == "fp_x"
    assert "fp_x" not in repr(client.connect("https://h.example", token="fp_x", environ={}))
    for bad in ("ftp://h", "https://", "https://user:pw@h", "https://h?x=1", "https://h:port"):
        with pytest.raises(OptionError, match="registry: got"):
            client.connect(bad, environ={})


def test_a_server_down_or_silent_is_one_line(footprint_home, monkeypatch):
    monkeypatch.setenv("FOOTPRINT_TOKEN", "fp_secret")
    port = _free_port()  # nothing listens there
    line = refused(invoke("shared", "list", "--registry", f"http://127.0.0.1:{port}", home=footprint_home), "fp_secret")
    assert line == (f"error: http://127.0.0.1:{port}/shared/entries: cannot reach the server: connection refused "
                    "(is footprint serve running there?)")
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        server = client.connect(f"http://127.0.0.1:{silent.getsockname()[1]}", token="fp_secret", environ={}, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(client.RemoteError, match=r"/shared/entries: (no answer within 0.5 s|cannot reach the server: timed out)$"):
            client.list_entries(registry=server)
        assert time.monotonic() - started < 5


def test_what_stays_on_the_database_says_so_in_one_line(footprint_home, monkeypatch, tmp_path):
    url = "https://footprint.example.org"
    for command in (("shared", "monitor"), ("shared", "token", "X"), ("shared", "role", "X", "supplier"),
                    ("cert", "apply", tmp_path, "--applicant", "A", "--body", "B"),
                    ("cert", "suspend", "N", "--by", "P", "--reason", "r"), ("cert", "export", "N", "-o", tmp_path),
                    ("registry", "upgrade"), ("serve",)):
        line = refused(invoke(*command, "--registry", url, home=footprint_home))
        name = " ".join(command[:2]) if command[0] != "serve" else "serve"
        assert line == (f"error: --registry: {url} is a footprint server; 'footprint {name}' works on the registry's "
                        "database only (postgresql://... or a SQLite file; docs/server.md)"), line
    monkeypatch.setenv("FOOTPRINT_REGISTRY", url)
    assert "$FOOTPRINT_REGISTRY (https://footprint.example.org) is a footprint server" in refused(
        invoke("shared", "monitor", home=footprint_home))
    assert "a server records its own today; --on is for a local registry" in refused(
        invoke("shared", "submit", "A@1", "--by", "X", "--on", str(TODAY), "--token", "fp_x", home=footprint_home))


def test_a_certificate_is_verified_against_the_server(world, live, footprint_home, monkeypatch, tmp_path):
    url, registry = live
    monkeypatch.delenv("FOOTPRINT_TOKEN", raising=False)  # the status is public: no token needed
    monkeypatch.delenv("FOOTPRINT_REGISTRY", raising=False)
    number = world["certificate"]
    exported = invoke("cert", "export", number, "-o", tmp_path / "out", "--files", "json", "--registry", registry,
                      home=footprint_home)
    assert exported.returncode == 0, exported.stderr
    document = tmp_path / "out" / f"{number}.json"
    assert document.is_file(), exported.stdout
    for fmt in ("table", "json"):
        local = invoke("verify", document, "--registry", registry, "--format", fmt, home=footprint_home)
        remote = invoke("verify", document, "--registry", url, "--format", fmt, home=footprint_home)
        assert local.returncode == remote.returncode == 0, (local.stderr, remote.stderr)
        assert remote.stdout == local.stdout
    assert f"registry: certificate {number} is VALID" in remote.stdout
    # suspended on the database: the server's answer says so, and verify fails
    import footprint.registry as reg

    reg.suspend(number, by="Chen Jie", reason="open major finding", registry=registry)
    remote = invoke("verify", document, "--registry", url, home=footprint_home)
    assert remote.returncode == 1 and f"registry: certificate {number} is SUSPENDED" in remote.stdout
    assert remote.stdout == invoke("verify", document, "--registry", registry, home=footprint_home).stdout


def test_reject_share_and_a_certified_footprint_through_the_server(world, live, footprint_home, monkeypatch):
    url, registry = live
    number = world["certificate"]
    as_member(monkeypatch, world, BODY)
    done = invoke("shared", "reject", "SUBMITTED@1", "--reviewer", BODY, "--by", "Zhang Min", "--reason", "no meter readings",
                  "--registry", url, "--format", "json", home=footprint_home)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == shared.show_entry("SUBMITTED@1", registry=registry)
    assert (json.loads(done.stdout)["state"], json.loads(done.stdout)["reason"]) == ("rejected", "no meter readings")
    # shared with the rival: the rival now sees the validated version, as the library says
    as_member(monkeypatch, world, SUPPLIER)
    done = invoke("shared", "share", "SHARED", "--by", SUPPLIER, "--with", RIVAL, "--registry", url, "--format", "json",
                  home=footprint_home)
    assert json.loads(done.stdout) == {"id": "SHARED", "shared_with": RIVAL}
    as_member(monkeypatch, world, RIVAL)
    seen = invoke("shared", "show", "SHARED@1", "--registry", url, "--format", "json", home=footprint_home)
    assert seen.returncode == 0 and json.loads(seen.stdout) == shared.show_entry("SHARED@1", viewer=RIVAL, registry=registry)
    # a certificate's footprint: by its holder; not by anyone else (the server's 403), nothing written
    before = snapshot(registry)
    line = refused(invoke("shared", "add-certified", number, "--by", RIVAL, "--registry", url, home=footprint_home))
    assert f"/shared/certified/{number}: 403 AccessDenied: certificate {number}: only its holder or the operator" in line
    assert snapshot(registry) == before
    as_member(monkeypatch, world, APPLICANT)
    done = invoke("shared", "add-certified", number, "--by", APPLICANT, "--registry", url, "--format", "json", home=footprint_home)
    assert done.returncode == 0, done.stderr
    added = json.loads(done.stdout)
    assert added == shared.show_entry(added["ref"], registry=registry)
    assert (added["owner"], added["certificate"], added["state"]) == (APPLICANT, number, "draft")


def test_a_write_for_another_organisation_than_the_tokens_writes_nothing(world, live, footprint_home, monkeypatch, tmp_path):
    url, registry = live
    before = snapshot(registry)
    token = as_member(monkeypatch, world, RIVAL)
    for command in (("shared", "add", entry_file(tmp_path, "NEW-ONE"), "--owner", SUPPLIER),
                    ("shared", "validate", "SUBMITTED@1", "--reviewer", BODY, "--by", "Zhang Min"),
                    ("shared", "publish", "PUB-1@1", "--by", OPERATOR)):
        line = refused(invoke(*command, "--registry", url, home=footprint_home), token)
        claimed = BODY if command[1] == "validate" else command[-1]
        assert line.endswith(f": 403 AccessDenied: the token speaks for {RIVAL}, not for {claimed}; use that organisation's token")
    assert snapshot(registry) == before


class _NotFootprint(BaseHTTPRequestHandler):
    """An HTTP server that is not footprint's: /moved redirects elsewhere, anything else is an HTML page."""

    seen = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        if self.path.startswith("/moved/"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.end_headers()
            return
        body = b"<html>hello</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_server_that_is_not_footprints_or_that_redirects(footprint_home, monkeypatch):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _NotFootprint)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        monkeypatch.setenv("FOOTPRINT_TOKEN", "fp_secret")
        monkeypatch.delenv("FOOTPRINT_REGISTRY", raising=False)
        line = refused(invoke("shared", "list", "--registry", url, home=footprint_home), "fp_secret")
        assert line == f"error: {url}/shared/entries: the answer is not JSON; expected a footprint server at {url}"
        line = refused(invoke("shared", "list", "--registry", url + "/moved", home=footprint_home), "fp_secret")
        assert line == (f"error: {url}/moved/shared/entries: 302 redirected to http://127.0.0.1:9/elsewhere (not followed; "
                        "give that address)")
        assert _NotFootprint.seen == [("/shared/entries", "Bearer fp_secret"), ("/moved/shared/entries", "Bearer fp_secret")]
    finally:
        httpd.shutdown()
        thread.join(10)


def _self_signed(folder):
    """A key and a self-signed certificate for 127.0.0.1 (PEM files), as a private certificate authority would give."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_file, cert_file = folder / "server.key", folder / "server.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def test_https_with_a_certificate_the_machine_trusts_and_one_it_does_not(world, footprint_home, monkeypatch, tmp_path):
    import uvicorn

    from footprint.server import create_app

    registry = str(tmp_path / "registry.sqlite")
    with sqlite3.connect(world["registry"]) as source, sqlite3.connect(registry) as target:
        source.backup(target)
    key_file, cert_file = _self_signed(tmp_path)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(registry), host="127.0.0.1", port=port, log_level="warning",
                                           ssl_keyfile=str(key_file), ssl_certfile=str(cert_file)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        url = f"https://127.0.0.1:{port}"
        token = as_member(monkeypatch, world, OPERATOR)
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        line = refused(invoke("shared", "list", "--registry", url, home=footprint_home), token)
        assert line.startswith(f"error: {url}/shared/entries: cannot reach the server: TLS certificate not trusted ("), line
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # OpenSSL's own variable: a private authority's certificate
        remote = invoke("shared", "list", "--registry", url, "--format", "json", home=footprint_home)
        assert remote.returncode == 0, remote.stderr
        assert remote.stdout == invoke("shared", "list", "--registry", registry, "--format", "json", home=footprint_home).stdout
    finally:
        server.should_exit = True
        thread.join(10)


def test_where_the_token_comes_from(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for path, token in ((first, "fp_from_file"), (second, "fp_from_env_file")):
        path.write_text(f"  {token}\n", encoding="utf-8")
        os.chmod(path, 0o600)
    environ = {"FOOTPRINT_TOKEN": "fp_from_env", "FOOTPRINT_TOKEN_FILE": str(second)}
    url = "https://footprint.example.org/"
    assert client.connect(url, token="fp_given", token_file=first, environ=environ).token == "fp_given"
    assert client.connect(url, token_file=first, environ=environ).token == "fp_from_file"
    assert client.connect(url, environ=environ).token == "fp_from_env"
    assert client.connect(url, environ={"FOOTPRINT_TOKEN_FILE": str(second)}).token == "fp_from_env_file"
    assert client.connect(url, environ={}).token is None and client.connect(url, environ={}).url == url.rstrip("/")
    two = tmp_path / "two"
    two.write_text("fp_a fp_b\n", encoding="utf-8")
    os.chmod(two, 0o600)
    with pytest.raises(client.InputError, match=f"^{two}: expected one token on one line$"):
        client.connect(url, token_file=two, environ={})
    with pytest.raises(client.InputError, match=r"cannot read the token file \(No such file or directory\)"):
        client.connect(url, token_file=tmp_path / "none", environ={})
    with pytest.raises(OptionError, match="^token: expected one API token"):
        client.connect(url, token="fp a", environ={})
