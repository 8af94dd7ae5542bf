"""The server: tokens and roles, every forbidden access (403/404, nothing written), PACT endpoints, bad input, verification page.

The API runs in this process through Starlette's test client; the verification page is
opened by a real headless Chromium (Playwright driving Debian's chromium) on a real uvicorn
server on loopback, and its screenshot is kept (FOOTPRINT_SCREENSHOTS, else the test's
folder) for a person to look at.
"""

import base64
import copy
import datetime as dt
import json
import os
import shutil
import socket
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from test_registry import APPLICANT, BODY, issue, material, run_process  # noqa: F401  (material: a fixture)

import footprint.registry as reg
import footprint.shareddb as shared
from footprint.shareddb.tokens import issue_token

OPERATOR, SUPPLIER, RIVAL, OTHER_MAKER = "Platform Operator", "GCL Poly", "Rival Supplier", "Other Module Co."
TODAY = dt.date.today()

#: A supplier's PACT 2.2 ProductFootprint: every field the specification requires (docs/research/pact.md §3).
PACT = {
    "id": "00000000-0000-4000-8000-000000000000", "specVersion": "2.2.0", "version": 0, "created": "2026-01-10T00:00:00Z",
    "status": "Active", "comment": "", "companyName": SUPPLIER, "companyIds": ["urn:pact:gcl.example:company:gcl"],
    "productDescription": "solar-grade polysilicon", "productIds": ["urn:pact:gcl.example:product-id:poly-xj"],
    "productCategoryCpc": "34240", "productNameCompany": "Polysilicon XJ",
    "pcf": {"declaredUnit": "kilogram", "unitaryProductAmount": "1", "pCfExcludingBiogenic": "30.5",
            "fossilGhgEmissions": "30.5", "fossilCarbonContent": "0", "biogenicCarbonContent": "0",
            "characterizationFactors": "AR6", "ipccCharacterizationFactorsSources": ["AR6"],
            "crossSectoralStandardsUsed": ["ISO Standard 14067"], "crossSectoralStandards": ["ISO14067"],
            "boundaryProcessesDescription": "cradle to gate",
            "referencePeriodStart": "2025-01-01T00:00:00Z", "referencePeriodEnd": "2026-01-01T00:00:00Z",
            "exemptedEmissionsPercent": 0, "exemptedEmissionsDescription": "", "packagingEmissionsIncluded": False},
}
#: footprint's own JSON Schema of a PACT 2.3.3 ProductFootprint (tests/test_pact.py).
SCHEMA = json.loads((Path(__file__).parent / "data" / "pact-2.3.3.schema.json").read_text(encoding="utf-8"))
REQUIRED = ("id", "specVersion", "version", "created", "status", "companyName", "companyIds", "productDescription",
            "productIds", "productCategoryCpc", "productNameCompany", "pcf")


def entry(entry_id, *, value="30.5 kg CO2e/kg", payload=True, **changes):
    data = {"id": entry_id, "kind": "supplier_declaration", "title": f"Polysilicon {entry_id}", "value": value,
            "source": "supplier's verified PCF", "valid_from": str(TODAY - dt.timedelta(days=10)),
            "valid_until": str(TODAY + dt.timedelta(days=300))}
    if payload:
        data["payload"] = copy.deepcopy(PACT)
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def world(material, tmp_path_factory, footprint_home):  # noqa: F811
    """A registry with a certificate of APPLICANT issued by BODY, members with tokens, and entries in every state."""
    folder = tmp_path_factory.mktemp("server")
    registry = str(folder / "registry.sqlite")
    app = run_process(registry, material["dossier"], start=-60)
    number = issue(registry, app, material, offset=-40)["certificate"]
    roles = {OPERATOR: "operator", BODY: "certification_body", APPLICANT: "manufacturer", SUPPLIER: "supplier",
             RIVAL: "supplier", OTHER_MAKER: "manufacturer"}
    for org, role in roles.items():
        shared.set_role(org, role, registry=registry)
    tokens = {org: issue_token(org, registry=registry)["token"] for org in roles}
    expired = issue_token(SUPPLIER, registry=registry)["token"]
    revoked_org = "Gone Co."
    shared.set_role(revoked_org, "supplier", registry=registry)
    revoked = issue_token(revoked_org, registry=registry)["token"]
    from footprint.shareddb.tokens import revoke_tokens, token_sha256

    revoke_tokens(revoked_org, registry=registry)
    with sqlite3.connect(registry) as raw:
        raw.execute("UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00+00:00' WHERE token_sha256 = ?",
                    (token_sha256(expired),))
    refs = {}
    for name in ("PUB-1", "PUB-2", "PUB-3"):
        ref = shared.add_entry(entry(name), owner=SUPPLIER, registry=registry)["ref"]
        shared.submit(ref, by=SUPPLIER, registry=registry)
        shared.validate(ref, reviewer=BODY, by="Zhang Min", registry=registry)
        refs[name] = shared.publish(ref, by=SUPPLIER, registry=registry)
    refs["DRAFT"] = shared.add_entry(entry("DRAFT"), owner=SUPPLIER, registry=registry)
    refs["SUBMITTED"] = shared.add_entry(entry("SUBMITTED"), owner=SUPPLIER, registry=registry)
    shared.submit("SUBMITTED@1", by=SUPPLIER, registry=registry)
    refs["SHARED"] = shared.add_entry(entry("SHARED"), owner=SUPPLIER, registry=registry)
    shared.submit("SHARED@1", by=SUPPLIER, registry=registry)
    refs["SHARED"] = shared.validate("SHARED@1", reviewer=BODY, by="Zhang Min", registry=registry)
    shared.share("SHARED", by=SUPPLIER, with_organisation=APPLICANT, registry=registry)
    refs["BODY-OWN"] = shared.add_entry(entry("BODY-OWN"), owner=BODY, registry=registry)
    shared.submit("BODY-OWN@1", by=BODY, registry=registry)
    return {"registry": registry, "certificate": number, "tokens": tokens, "expired": expired, "revoked": revoked,
            "refs": refs, "folder": folder}


@pytest.fixture
def client(world, tmp_path):
    """A test client over a copy of the world (what a test writes is its own)."""
    from fastapi.testclient import TestClient

    from footprint.server import create_app

    registry = str(tmp_path / "registry.sqlite")
    with sqlite3.connect(world["registry"]) as source, sqlite3.connect(registry) as target:
        source.backup(target)
    made = TestClient(create_app(registry), raise_server_exceptions=False)
    made.registry = registry
    return made


def auth(world, org):
    return {"Authorization": f"Bearer {world['tokens'][org]}"}


def snapshot(registry):
    """Every row a write could touch: events, entries with their states, access, tokens, PACT events."""
    with sqlite3.connect(registry) as raw:
        return {table: raw.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()  # noqa: S608 (fixed names)
                for table in ("events", "shared_entries", "shared_access", "pact_events", "certificates")}


def one_line_error(response, status):
    assert response.status_code in (status if isinstance(status, tuple) else (status,)), (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"code", "message"} and "\n" not in body["message"] and body["message"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body["message"]


def test_a_token_is_kept_only_as_its_hash_and_says_who_and_what_role(world, client):
    token = world["tokens"][SUPPLIER]
    with sqlite3.connect(client.registry) as raw:
        stored = [row[0] for row in raw.execute("SELECT token_sha256 FROM api_tokens")]
        dump = "\n".join(raw.iterdump())
    import hashlib

    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert token not in dump and token[3:] not in dump
    listed = client.get("/shared/entries", headers=auth(world, SUPPLIER)).json()["data"]
    assert {row["ref"] for row in listed} == {"PUB-1@1", "PUB-2@1", "PUB-3@1", "DRAFT@1", "SUBMITTED@1", "SHARED@1"}
    assert {row["ref"] for row in client.get("/shared/entries", headers=auth(world, RIVAL)).json()["data"]} == \
        {"PUB-1@1", "PUB-2@1", "PUB-3@1"}
    assert {row["ref"] for row in client.get("/shared/entries", headers=auth(world, APPLICANT)).json()["data"]} == \
        {"PUB-1@1", "PUB-2@1", "PUB-3@1", "SHARED@1"}
    assert {row["ref"] for row in client.get("/shared/entries", headers=auth(world, BODY)).json()["data"]} == \
        {"PUB-1@1", "PUB-2@1", "PUB-3@1", "SUBMITTED@1", "BODY-OWN@1"}
    assert len(client.get("/shared/entries", headers=auth(world, OPERATOR)).json()["data"]) == 7


def _forbidden(world):
    """(who, method, path, body, status): every access the rules forbid."""
    cert = world["certificate"]
    draft_id = world["refs"]["DRAFT"]["pf_id"]
    shared_id = world["refs"]["SHARED"]["pf_id"]
    cases = []
    for path in ("/shared/entries", "/shared/entries/PUB-1@1", "/registry/certificates", f"/registry/certificates/{cert}",
                 "/2/footprints", f"/2/footprints/{shared_id}", "/shared/resolve/PUB-1@1"):
        cases.append((None, "GET", path, None, 401))
    for path, body in (("/shared/entries", entry("NEW")), ("/shared/entries/DRAFT@1/submit", {}), ("/2/events", {})):
        cases.append((None, "POST", path, body, 401))
    for who in (RIVAL, APPLICANT, BODY, OTHER_MAKER):  # another's draft: not told to exist
        cases.append((who, "GET", "/shared/entries/DRAFT@1", None, 404))
        cases.append((who, "POST", "/shared/entries/DRAFT@1/submit", {}, 404))
        cases.append((who, "POST", "/shared/entries/DRAFT@1/withdraw", {"reason": "x"}, 404))
        cases.append((who, "GET", f"/2/footprints/{draft_id}", None, 404))
        cases.append((who, "GET", "/shared/resolve/DRAFT@1", None, 404))
    for who in (RIVAL, OTHER_MAKER):  # validated, shared with the applicant only
        cases.append((who, "GET", "/shared/entries/SHARED@1", None, 404))
        cases.append((who, "GET", f"/2/footprints/{shared_id}", None, 404))
        cases.append((who, "GET", "/shared/resolve/SHARED@1", None, 404))
        cases.append((who, "POST", "/shared/entries/SHARED@1/share", {"with": who}, 404))
    cases += [
        (APPLICANT, "POST", "/shared/entries/SHARED@1/publish", {}, 403),  # sees it, may not publish it
        (APPLICANT, "POST", "/shared/entries/SHARED@1/withdraw", {"reason": "mine now"}, 403),
        (APPLICANT, "POST", "/shared/entries/SHARED@1/share", {"with": RIVAL}, 403),
        (RIVAL, "POST", "/shared/entries/PUB-1@1/withdraw", {"reason": "competitor"}, 403),
        (RIVAL, "POST", "/shared/entries/PUB-1@1/publish", {}, 403),
        (SUPPLIER, "POST", "/shared/entries/SUBMITTED@1/validate", {"by": "Self"}, 403),  # not a reviewer
        (RIVAL, "POST", "/shared/entries/SUBMITTED@1/validate", {"by": "Rival"}, 404),
        (BODY, "POST", "/shared/entries/BODY-OWN@1/validate", {"by": "Zhang Min"}, 409),  # its own entry
        (RIVAL, "POST", "/shared/entries", entry("PUB-1"), 403),  # another's id
    ]
    for who in (SUPPLIER, RIVAL, OTHER_MAKER):  # certification records: holder, body and operator only
        cases.append((who, "GET", f"/registry/certificates/{cert}", None, 404))
    return cases


def test_every_forbidden_access_is_refused_and_writes_nothing(world, client):
    before = snapshot(client.registry)
    cases = _forbidden(world)
    for who, method, path, body, status in cases:
        headers = auth(world, who) if who else {}
        response = client.request(method, path, headers=headers, content=json.dumps(body) if body is not None else None)
        assert response.status_code == status, (who, method, path, response.status_code, response.text)
        one_line_error(response, status)
    assert snapshot(client.registry) == before
    assert len(cases) >= 50
    for who in (SUPPLIER, RIVAL, OTHER_MAKER):
        assert client.get("/registry/certificates", headers=auth(world, who)).json() == {"data": []}


def test_a_public_status_asked_without_a_key_says_nothing_of_one(world, client):
    """GET /registry/status/NUMBER without ?key=: no 'signing key  is NOT a registered key' (no key was given)."""
    cert = world["certificate"]
    answer = client.get(f"/registry/status/{cert}").json()
    assert (answer["status"], answer["key_registered"]) == ("valid", None)
    assert "key" not in answer["summary"] and answer["summary"].startswith(f"registry: certificate {cert} is VALID")
    wrong = client.get(f"/registry/status/{cert}?key=sha256:{'0' * 64}").json()
    assert wrong["key_registered"] is False and "is NOT a registered key of" in wrong["summary"]


def test_certificate_records_for_the_holder_the_body_and_the_operator(world, client):
    cert = world["certificate"]
    for who in (APPLICANT, BODY, OPERATOR):
        record = client.get(f"/registry/certificates/{cert}", headers=auth(world, who)).json()
        assert (record["certificate"], record["holder"], record["body"]) == (cert, APPLICANT, BODY)
        assert [row["certificate"] for row in client.get("/registry/certificates", headers=auth(world, who)).json()["data"]] == [cert]


def test_tokens_expired_revoked_unknown_or_malformed_are_401(world, client):
    assert "expired token" in one_line_error(client.get("/shared/entries", headers={"Authorization": f"Bearer {world['expired']}"}), 401)
    assert client.get("/shared/entries", headers={"Authorization": f"Bearer {world['expired']}"}).json()["code"] == "TokenExpired"
    assert one_line_error(client.get("/shared/entries", headers={"Authorization": f"Bearer {world['revoked']}"}), 401) == "revoked token"
    for header in ("Bearer fp_" + "A" * 43, "Bearer ' OR '1'='1", "Basic abc", "Bearer " + "x" * 5000):
        assert one_line_error(client.get("/shared/entries", headers={"Authorization": header}), 401)


def test_pact_token_list_filter_pages_one_and_events(world, client):
    secret = world["tokens"][RIVAL]
    basic = {"Authorization": "Basic " + base64.b64encode(f"{RIVAL}:{secret}".encode()).decode()}
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = client.post("/auth/token", content="grant_type=client_credentials", headers={**basic, **form}).json()
    assert answer["token_type"] == "bearer" and answer["expires_in"] == 3600
    bearer = {"Authorization": f"Bearer {answer['access_token']}"}
    wrong = {"Authorization": "Basic " + base64.b64encode(f"{SUPPLIER}:{secret}".encode()).decode()}
    assert "not the secret's organisation" in one_line_error(client.post("/auth/token", content="grant_type=client_credentials",
                                                                         headers={**wrong, **form}), 401)
    assert one_line_error(client.post("/auth/token", content="grant_type=password", headers={**basic, **form}), 400)
    assert one_line_error(client.post("/auth/token", content="grant_type=client_credentials", headers=form), 401)

    first = client.get("/2/footprints?limit=2", headers=bearer)
    assert first.status_code == 200
    page = first.json()["data"]
    assert [doc["productNameCompany"] for doc in page] == ["Polysilicon XJ"] * 2
    assert first.headers["link"].endswith('/2/footprints?limit=2&offset=2>; rel="next"')
    second = client.get("/2/footprints?limit=2&offset=2", headers=bearer)
    assert "link" not in second.headers and len(second.json()["data"]) == 1
    ids = [doc["id"] for doc in page + second.json()["data"]]
    expected = {world["refs"][name]["pf_id"] for name in ("PUB-1", "PUB-2", "PUB-3")}
    assert set(ids) == expected and len(ids) == 3  # the shared, draft and submitted ones are not the rival's
    import jsonschema

    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    for doc in page + second.json()["data"]:
        assert [error.message for error in validator.iter_errors(doc)] == []
    for doc in page:
        assert all(key in doc for key in REQUIRED) and doc["status"] == "Active" and doc["version"] == 0
        assert doc["pcf"] == PACT["pcf"] and doc["id"] != PACT["id"]
    one = client.get(f"/2/footprints/{ids[0]}", headers=bearer).json()["data"]
    assert one["id"] == ids[0]
    quoted = "companyName eq 'GCL Poly' and pcf/declaredUnit eq 'kilogram'"
    assert len(client.get("/2/footprints", params={"$filter": quoted}, headers=bearer).json()["data"]) == 3
    assert client.get("/2/footprints", params={"$filter": "companyName eq 'Nobody'"}, headers=bearer).json()["data"] == []
    assert "is not supported" in one_line_error(client.get("/2/footprints", params={"$filter": "1 eq 1"}, headers=bearer), 400)
    assert one_line_error(client.get("/2/footprints?limit=0", headers=bearer), 400)
    assert one_line_error(client.get("/2/footprints?limit=abc", headers=bearer), 400)

    event = {"type": "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1", "specversion": "1.0", "id": "e-1",
             "source": "https://buyer.example/", "data": {"pf": {"productIds": PACT["productIds"]}, "comment": "please"}}
    assert client.post("/2/events", content=json.dumps(event), headers=bearer).status_code == 200
    with sqlite3.connect(client.registry) as raw:
        assert raw.execute("SELECT type, body FROM pact_events").fetchall() == [
            (event["type"], json.dumps(event, sort_keys=True, separators=(",", ":")))]
    assert "event.type" in one_line_error(client.post("/2/events", content=json.dumps({**event, "type": "x"}), headers=bearer), 400)


def test_a_superseded_footprint_is_deprecated_and_names_its_successor(world, client):
    headers = auth(world, SUPPLIER)
    second = entry("PUB-1", value="29 kg CO2e/kg")
    second["payload"]["pcf"]["pCfExcludingBiogenic"] = second["payload"]["pcf"]["fossilGhgEmissions"] = "29"
    assert client.post("/shared/entries", content=json.dumps(second), headers=headers).status_code == 201
    client.post("/shared/entries/PUB-1@2/submit", content="{}", headers=headers)
    client.post("/shared/entries/PUB-1@2/validate", content='{"by": "Zhang Min"}', headers=auth(world, BODY))
    assert client.post("/shared/entries/PUB-1@2/publish", content="{}", headers=headers).json()["state"] == "published"
    old = client.get(f"/2/footprints/{world['refs']['PUB-1']['pf_id']}", headers=auth(world, RIVAL)).json()["data"]
    assert (old["status"], old["statusComment"]) == ("Deprecated", "superseded by PUB-1@2")
    import jsonschema

    assert list(jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
                .iter_errors(old)) == []
    resolved = client.get("/shared/resolve/PUB-1@1", headers=auth(world, RIVAL)).json()
    assert resolved["provenance"]["superseded_by"] == 2


def test_a_certificate_s_footprint_is_shared_by_its_holder_with_the_registry_s_values(world, client):
    registry, number = client.registry, world["certificate"]
    record = reg.show(number, registry=registry)
    for intruder in (RIVAL, BODY):
        with pytest.raises(shared.AccessError, match="only its holder or the operator"):
            shared.add_certified(number, by=intruder, registry=registry)
    made = shared.add_certified(number, by=APPLICANT, registry=registry)
    assert (made["owner"], made["kind"], made["certificate"], made["state"]) == (APPLICANT, "certified_footprint", number, "draft")
    assert made["value"] == record["declared"]["value"] and made["unit"] == record["declared"]["unit"].replace("kg CO2-eq", "kg_CO2_eq")
    assert (made["valid_from"], made["valid_until"]) == (record["issued_on"], record["expires_on"])
    assert shared.submit(made["ref"], by=APPLICANT, registry=registry)["state"] == "submitted"
    reg.suspend(number, by="Chen Jie", reason="surveillance overdue", registry=registry)
    with pytest.raises(shared.ReviewError, match=f"certificate {number} is suspended"):
        shared.add_certified(number, by=APPLICANT, registry=registry)


INJECTIONS = ("'; DROP TABLE shared_entries; --", "<script>alert(1)</script>", "\" OR 1=1 --", "{{7*7}} ${7*7}")


def test_bad_input_is_a_one_line_4xx_and_writes_nothing(world, client):
    headers = auth(world, SUPPLIER)
    before = snapshot(client.registry)
    big = json.dumps(entry("BIG", note="x" * 70_000))
    assert "over 65536 bytes" in one_line_error(client.post("/shared/entries", content=big, headers=headers), 413)
    chunks = (b"x" * 8192 for _ in range(10))  # no Content-Length: counted as it streams
    assert one_line_error(client.post("/shared/entries", content=chunks, headers=headers), 413)
    assert "malformed JSON at line 1 column" in one_line_error(client.post("/shared/entries", content="{\"id\": ", headers=headers), 400)
    assert one_line_error(client.post("/shared/entries", content="[1, 2]", headers=headers), 400) == \
        "got a JSON list; expected a JSON object"
    assert "nested deeper" in one_line_error(client.post("/shared/entries", content="[" * 40 + "]" * 40, headers=headers), 400)
    assert one_line_error(client.post("/shared/entries", content=b"\xff\xfe", headers=headers), 400)
    wrong_unit = client.post("/shared/entries", content=json.dumps(entry("U1", value="30.5 kWh/kg", payload=False)),
                             headers=headers)
    assert "a supplier declaration is in kg CO2-eq/kg" in one_line_error(wrong_unit, 400)
    mismatch = client.post("/shared/entries", content=json.dumps(entry("U2", value="31 kg CO2e/kg")), headers=headers)
    assert "pCfExcludingBiogenic: 30.5 kg CO2-eq per kilogram, but the entry's value is 31" in one_line_error(mismatch, 400)
    for text in INJECTIONS:
        assert one_line_error(client.post("/shared/entries", content=json.dumps(entry(text)), headers=headers), 400)
        # a '/' in it makes another route's path (405); no such entry either way
        assert one_line_error(client.get(f"/shared/entries/{quote(text, safe='')}@1", headers=headers), (404, 405))
        assert one_line_error(client.post("/shared/entries/DRAFT@1/withdraw", content=json.dumps({"reason": 7}),
                                          headers=headers), 400)
    assert snapshot(client.registry) == before
    for text in INJECTIONS:  # in free text they are kept as typed, and hurt nothing
        made = client.post("/shared/entries", content=json.dumps(entry(f"INJ-{INJECTIONS.index(text)}", title=text, source=text)),
                           headers=headers)
        assert made.status_code == 201 and made.json()["title"] == text
    with sqlite3.connect(client.registry) as raw:
        assert raw.execute("SELECT count(*) FROM shared_entries").fetchone()[0] == len(before["shared_entries"]) + len(INJECTIONS)


def test_an_unforeseen_error_is_500_without_a_trace(world, client, monkeypatch):
    import footprint.shareddb.entries as entries

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail /etc/passwd")

    monkeypatch.setattr(entries, "list_entries", broken)
    monkeypatch.setattr(shared, "list_entries", broken)
    answer = client.get("/shared/entries", headers=auth(world, SUPPLIER))
    assert one_line_error(answer, 500) == "internal error" and "passwd" not in answer.text


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_server(client):
    """uvicorn serving the test's registry on loopback, in a thread; stopped at the end."""
    import uvicorn

    from footprint.server import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(client.registry), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("no chromium: make test installs Debian's chromium (scripts/install-system-deps.sh)")
    return path


def test_the_verification_page_in_a_real_browser(world, client, live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    from footprint.registry import store
    from footprint.registry.db import transaction
    from footprint.signing import digest_of_signed

    number = world["certificate"]
    with transaction(client.registry, write=False) as session:
        signed = json.loads(store.stored(session, store.certificate(session, number).document_sha256))
    record = reg.show(number, registry=client.registry)
    shots = os.environ.get("FOOTPRINT_SCREENSHOTS") or str(tmp_path)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 900, "height": 900})
        response = page.goto(f"{live_server}/verify/{number}?sha256={digest_of_signed(signed)}")
        assert response.status == 200
        text = page.inner_text("body")
        page.screenshot(path=os.path.join(shots, "verify-valid.png"), full_page=True)
        assert page.inner_text("#status") == "有效 VALID"
        assert page.inner_text("#holder td") == APPLICANT and page.inner_text("#body td") == BODY
        assert page.inner_text("#value td") == f"{record['declared']['text']} {record['declared']['unit']}"
        assert page.inner_text("#issued td") == record["issued_on"] and page.inner_text("#expires td") == record["expires_on"]
        assert record["product"]["name"] in page.inner_text("#product td")
        assert "证书验证" in text and "Certificate verification" in text and "与所颁发证书一致" in text
        for private in (record["application"], signed["dossier_sha256"], signed["result_sha256"], "Zhang Min", "Chen Jie"):
            assert private not in page.content()
        page.goto(f"{live_server}/verify/{number}?sha256={'0' * 64}&lang=en")
        assert "NOT that of the certificate issued" in page.inner_text("#digest") and "证书" not in page.inner_text("body")
        reg.suspend(number, by="Chen Jie", reason="surveillance overdue", registry=client.registry)
        page.goto(f"{live_server}/verify/{number}?lang=zh")
        assert page.inner_text("#status") == "暂停"
        missing = page.goto(f"{live_server}/verify/CN-CFP-1999-999999%3Cscript%3E")
        assert missing.status == 404 and "未找到 NOT FOUND" in page.inner_text("#status")
        assert "<script>" not in page.content().split("<body>")[1].split("</h1>")[1].replace("&lt;script&gt;", "")
        page.screenshot(path=os.path.join(shots, "verify-missing.png"), full_page=True)
        browser.close()


def test_a_move_the_review_rules_forbid_is_409_conflict_and_writes_nothing(world, client):
    """A failed check at submit answered 409 with the code BadRequest; docs/server.md: 409 is `Conflict`."""
    headers = auth(world, SUPPLIER)
    slip = {"id": "AL-SLIP", "kind": "material_factor", "title": "Frame aluminium, a unit slip", "value": "2000 kg CO2e/kg",
            "dataset": "aluminium_primary_CN", "source": "smelter's EPD", "valid_from": str(TODAY - dt.timedelta(days=10)),
            "valid_until": str(TODAY + dt.timedelta(days=300))}
    assert client.post("/shared/entries", content=json.dumps(slip), headers=headers).status_code == 201
    before = snapshot(client.registry)
    refused = client.post("/shared/entries/AL-SLIP@1/submit", content="{}", headers=headers)
    assert "AL-SLIP@1: not submitted: value" in one_line_error(refused, 409)
    assert refused.json()["code"] == "Conflict"
    own = client.post("/shared/entries/BODY-OWN@1/validate", content=json.dumps({"by": "Zhang Min"}), headers=auth(world, BODY))
    assert "may not review it" in one_line_error(own, 409) and own.json()["code"] == "Conflict"
    assert snapshot(client.registry) == before
    assert client.get("/shared/entries/AL-SLIP@1", headers=headers).json()["state"] == "draft"
