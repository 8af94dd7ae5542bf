"""A footprint server from Python: the shared database's and the registry's reading functions over HTTP, with a token.

The functions have the names and arguments of :mod:`footprint.shareddb` and
:mod:`footprint.registry.records`, with ``registry=`` a :class:`Server`; they answer what
the local functions answer (the same dicts, through JSON). ``footprint ... --registry
https://host`` calls them (docs/server.md, "Using the CLI against a server")::

    from footprint.shareddb import client
    server = client.connect("https://footprint.example.org", token_file="~/.footprint-token")
    client.list_entries(state="published", registry=server)
    data, provenance = client.resolve_entry("registry:POLY-XJ-2026@3", as_of=day, registry=server)

The caller's organisation is the token's: a function that names an organisation (``by=``,
``owner=``, ``reviewer=``) sends it as ``?as=``, and the server refuses it (403) unless it is
the token's, so a wrong token never acts for the wrong organisation. Dates of records are
the server's today (``on=`` is refused). The standard library's HTTP client; every failure
is one :class:`RemoteError` line (connection refused, time out, TLS, the server's own
``{"code", "message"}``), never the token.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import http.client
import ipaddress
import json
import os
import socket
import ssl
import stat
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlencode, urlsplit

from footprint.errors import InputError, OptionError, one_line
from footprint.errors import show as shown
from footprint.signing import canonical_json

#: Environment variables of the command line: the token itself, or a file holding it (owner-only permissions).
TOKEN_ENV, TOKEN_FILE_ENV = "FOOTPRINT_TOKEN", "FOOTPRINT_TOKEN_FILE"
#: Set to 1 to send a token over plain http to a host other than this machine (a trusted private network).
PLAIN_HTTP_ENV = "FOOTPRINT_ALLOW_PLAIN_HTTP"
#: Seconds to wait for the server to connect and answer.
TIMEOUT = 30.0
#: Largest answer read [bytes].
MAX_ANSWER = 64 * 1024 * 1024


class RemoteError(InputError):
    """The server could not be reached, or it refused the request (its reason, one line)."""


def is_server(registry) -> bool:
    """Whether ``registry`` names a footprint server (``http://`` or ``https://``) rather than a database."""
    return isinstance(registry, Server) or str(registry or "").strip().lower().startswith(("http://", "https://"))


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Server:
    """A footprint server's base URL and the token the requests carry (never shown: not in ``repr``)."""

    url: str
    token: str | None = field(default=None, repr=False)
    timeout: float = TIMEOUT

    def __str__(self):
        return self.url

    def request(self, method: str, path: str, *, query: dict | None = None, body=None, token: bool = True):
        """The JSON answer of ``method path``; a refusal or a failure is a :class:`RemoteError` of one line.

        Parameters
        ----------
        query : dict, optional
            Query parameters (None values left out).
        body : optional
            Sent as JSON.
        token : bool
            Send the token (needed for every route but the public ones).
        """
        if token and not self.token:
            raise RemoteError(f"{self.url}: no token; give --token-file FILE (owner-only, chmod 600), {TOKEN_ENV} or "
                              f"{TOKEN_FILE_ENV}")
        params = {key: value for key, value in (query or {}).items() if value is not None}
        address = self.url + path + (f"?{urlencode(params)}" if params else "")
        headers = {"Accept": "application/json", "User-Agent": "footprint"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, default=_json_date).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if token and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        call = urllib.request.Request(address, data=data, headers=headers, method=method)
        where = f"{self.url}{unquote(path)}"
        try:
            with _opener(loopback=_loopback(urlsplit(self.url).hostname or "")).open(call, timeout=self.timeout) as answer:
                raw = answer.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as exc:
            raise RemoteError(f"{where}: {exc.code} {_reason(exc)}") from None
        except urllib.error.URLError as exc:
            raise RemoteError(f"{where}: cannot reach the server: {_why(exc.reason)}") from None
        except (TimeoutError, socket.timeout):
            raise RemoteError(f"{where}: no answer within {self.timeout:g} s") from None
        except (ConnectionError, OSError, http.client.HTTPException) as exc:  # reset or cut mid-answer, a closed socket
            raise RemoteError(f"{where}: the connection failed: {_why(exc)}") from None
        if len(raw) > MAX_ANSWER:
            raise RemoteError(f"{where}: the answer is over {MAX_ANSWER} bytes; expected a footprint server's JSON")
        if not raw:
            return None
        try:
            return json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise RemoteError(f"{where}: the answer is not JSON; expected a footprint server at {self.url}") from None


def _opener(*, loopback: bool):
    """urllib's opener: redirects not followed (a token is not carried on to another address), and for this machine
    no proxy of the environment (a plain-http token would go through it)."""
    handlers = [_NoRedirect, urllib.request.HTTPSHandler(context=ssl.create_default_context())]
    if loopback:
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is refused (its status is the error): the token is not sent on to another address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ARG002
        return None


def _json_date(value):
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _why(reason) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is footprint serve running there?)"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({reason.strerror})"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({reason.verify_message})"
    text = getattr(reason, "strerror", None) or str(reason)
    return one_line(" ".join(str(text).split()))[:300]


def _reason(error: urllib.error.HTTPError) -> str:
    """The server's one-line reason of a refusal: its ``{"code", "message"}``, else the HTTP reason."""
    try:
        answer = json.loads(error.read(64 * 1024))
    except (ValueError, OSError):
        answer = None
    if isinstance(answer, dict) and isinstance(answer.get("message"), str):
        text = f"{answer.get('code') or error.reason}: {answer['message']}"
    elif error.code in (301, 302, 303, 307, 308):
        text = f"redirected to {error.headers.get('Location', '?')} (not followed; give that address)"
    else:
        text = str(error.reason or "refused")
    return one_line(" ".join(text.split()))[:500]


def read_token_file(path: str | os.PathLike) -> str:
    """The token in a file that only its owner may read (mode 0600 or stricter).

    Raises
    ------
    InputError
        No such file, one that others may read, or an empty one.
    """
    path = Path(path).expanduser()
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the token file ({exc.strerror if isinstance(exc, OSError) else 'not UTF-8'})"
                         "; expected a file holding a footprint API token") from None
    if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        raise InputError(f"{path}: permissions {stat.S_IMODE(mode):04o}; expected 0600 (only its owner may read a token: "
                         f"chmod 600 {path})")
    token = text.strip()
    if not token or len(token.split()) != 1:
        raise InputError(f"{path}: expected one token on one line")
    return token


def connect(url: str, *, token: str | None = None, token_file: str | os.PathLike | None = None,
            environ=None, timeout: float = TIMEOUT) -> Server:
    """A :class:`Server` at ``url`` with the token given, else ``token_file``, else FOOTPRINT_TOKEN, else FOOTPRINT_TOKEN_FILE.

    A token is sent over ``https``, or over plain ``http`` to this machine (loopback) only,
    unless FOOTPRINT_ALLOW_PLAIN_HTTP=1 says the network is trusted.

    Raises
    ------
    OptionError
        Not an http(s) URL with a host, or a token over plain http to another machine.
    InputError
        A token file that others may read.
    """
    environ = os.environ if environ is None else environ
    text = str(url).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or parts.username or parts.password:
        raise OptionError("registry", f"got {shown(text)}; expected a server's address such as https://host[:port]")
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise OptionError("registry", f"got {shown(text)}; the port is not a number from 1 to 65535") from None
    if token is None and token_file is not None:
        token = read_token_file(token_file)
    if token is None and environ.get(TOKEN_ENV, "").strip():
        token = environ[TOKEN_ENV].strip()
    if token is None and environ.get(TOKEN_FILE_ENV, "").strip():
        token = read_token_file(environ[TOKEN_FILE_ENV].strip())
    if token is not None:
        token = token.strip()
        if not token or len(token.split()) != 1 or not token.isprintable():
            raise OptionError("token", "expected one API token (fp_...), without spaces")
        if parts.scheme.lower() == "http" and not _loopback(parts.hostname) and environ.get(PLAIN_HTTP_ENV) != "1":
            raise OptionError("registry", f"{text}: a token is not sent over plain http to another machine; use https, "
                                          f"or set {PLAIN_HTTP_ENV}=1 on a trusted network")
    return Server(text, token, timeout)


def _no_date(on):
    if on is not None:
        raise OptionError("on", "a server records its own today; --on is for a local registry")


def _path(*parts) -> str:
    return "/" + "/".join(quote(str(part).strip(), safe="@") for part in parts)


def _data(answer):
    return answer["data"] if isinstance(answer, dict) and "data" in answer else answer


# -- the shared database -------------------------------------------------------------------------


def add_entry(data: dict, *, owner: str, on=None, registry: Server) -> dict:
    """Add a draft owned by the token's organisation (``owner`` must be it)."""
    _no_date(on)
    if not isinstance(data, dict):
        raise InputError(f"got {type(data).__name__}; expected a mapping of the entry's fields")
    return registry.request("POST", "/shared/entries", query={"as": owner}, body=data)


def add_certified(number: str, *, by: str, on=None, registry: Server) -> dict:
    """Add a draft of a valid certificate's footprint (the token's organisation is its holder or the operator)."""
    _no_date(on)
    return registry.request("POST", _path("shared", "certified", number), query={"as": by}, body={})


def _move(ref, action, *, organisation, body=None, registry):
    return registry.request("POST", _path("shared", "entries", ref, action), query={"as": organisation}, body=body or {})


def submit(ref: str, *, by: str, on=None, registry: Server) -> dict:
    """The owner submits a draft (the server runs its checks)."""
    _no_date(on)
    return _move(ref, "submit", organisation=by, registry=registry)


def validate(ref: str, *, reviewer: str, by: str, on=None, registry: Server) -> dict:
    """A reviewer's organisation (the token's) accepts a submitted version; ``by`` is the person."""
    _no_date(on)
    return _move(ref, "validate", organisation=reviewer, body={"by": by}, registry=registry)


def reject(ref: str, *, reviewer: str, by: str, reason: str, on=None, registry: Server) -> dict:
    """A reviewer's organisation (the token's) rejects a submitted version, with the reasons."""
    _no_date(on)
    return _move(ref, "reject", organisation=reviewer, body={"by": by, "reason": reason}, registry=registry)


def publish(ref: str, *, by: str, on=None, registry: Server) -> dict:
    """The owner (or the operator) publishes a validated version."""
    _no_date(on)
    return _move(ref, "publish", organisation=by, registry=registry)


def withdraw(ref: str, *, by: str, reason: str, on=None, registry: Server) -> dict:
    """The owner (or the operator) withdraws a version, with the reason."""
    _no_date(on)
    return _move(ref, "withdraw", organisation=by, body={"reason": reason}, registry=registry)


def share(entry_id: str, *, by: str, with_organisation: str, on=None, registry: Server) -> dict:
    """The owner shares an entry (all its versions) with another organisation."""
    _no_date(on)
    return _move(entry_id, "share", organisation=by, body={"with": with_organisation}, registry=registry)


def show_entry(ref: str, *, registry: Server) -> dict:
    """A version (``ID@N``) or the latest (``ID``) the token's organisation may see."""
    return registry.request("GET", _path("shared", "entries", ref))


def list_entries(*, state: str | None = None, kind: str | None = None, registry: Server) -> list:
    """The versions the token's organisation may see, newest first."""
    return _data(registry.request("GET", "/shared/entries", query={"state": state, "kind": kind}))


def resolve_entry(ref: str, *, as_of: _dt.date, registry: Server) -> tuple[dict, dict]:
    """What :func:`footprint.shareddb.resolve_entry` answers, from the server, as the token's organisation.

    The content is checked against the sha256 the server gives (the canonical JSON the
    database hashed when the version was added), and its value read with pint as locally.

    Raises
    ------
    RemoteError
        Refused by the server (with its reason), or content that does not match its sha256.
    """
    from footprint.shareddb.checks import quantity_of
    from footprint.shareddb.entries import parse_ref

    entry_id, version = parse_ref(ref, version_required=True)
    answer = registry.request("GET", _path("shared", "resolve", f"{entry_id}@{version}"), query={"as_of": as_of.isoformat()})
    where = f"registry:{entry_id}@{version}"
    try:
        data, provenance = answer["data"], answer["provenance"]
        data["value"], data["kind"], provenance["sha256"]  # noqa: B018
    except (TypeError, KeyError):
        raise RemoteError(f"{registry.url}: {where}: the answer is not an entry and its provenance") from None
    if hashlib.sha256(canonical_json(data)).hexdigest() != provenance["sha256"]:
        raise RemoteError(f"{registry.url}: {where}: the content received does not match its sha256")
    data["quantity"] = quantity_of(data["value"], data["kind"], where=where)
    return data, provenance


def resolver(registry: Server):
    """A calculation's resolver of ``supplier: registry:ENTRY@N`` through the server (see :func:`footprint.shareddb.resolver`).

    It remembers what it answered (per reference and calculation date), as the database's resolver does: one run asks
    the server once per entry.
    """
    answered: dict = {}

    def resolve(ref: str, *, as_of: _dt.date) -> tuple[dict, dict]:
        if (ref, as_of) not in answered:
            answered[ref, as_of] = resolve_entry(ref, as_of=as_of, registry=registry)
        return answered[ref, as_of]

    return resolve


def impact(ref: str, *, to: str | None = None, products=(), per: str = "module", on=None, registry: Server) -> dict:
    """:func:`footprint.shareddb.impact` through the server, for the member's own product files.

    The certificates whose dossiers used the entry are the database's (``footprint shared impact`` there); through a
    server, only the product files given are recomputed, with ``ENTRY@N`` and with its successor (``to``, else the
    version that superseded it, else the newest validated or published one after it that the member may see).
    """
    from footprint.shareddb.entries import ReviewError, parse_ref
    from footprint.shareddb.impact import product_rows

    _no_date(on)
    entry_id, version = parse_ref(ref, version_required=True)
    old = f"{entry_id}@{version}"
    used = show_entry(old, registry=registry)  # visible to the member, else the server's 404
    if to is not None:
        new_id, new_version = parse_ref(to, version_required=True)
        if new_id != entry_id:
            raise OptionError("to", f"got {to!r}; expected a version of {entry_id} (ENTRY@M)")
    elif used.get("superseded_by"):
        new_version = int(used["superseded_by"])
    else:
        newer = [row["version"] for row in list_entries(registry=registry)
                 if row["id"] == entry_id and row["version"] > version and row["state"] in ("validated", "published")]
        if not newer:
            raise ReviewError(f"entry {old}: no validated or published version after it; "
                              "expected a newer version (or give one with --to ENTRY@M)")
        new_version = max(newer)
    new = f"{entry_id}@{new_version}"
    show_entry(new, registry=registry)

    def substituted(asked: str, *, as_of: _dt.date):
        return resolve_entry(new if parse_ref(asked, version_required=True) == (entry_id, version) else asked, as_of=as_of,
                             registry=registry)

    rows = product_rows(list(products), (entry_id, version), new, per=per, current=lambda: resolver(registry),
                        substituted=lambda: substituted)
    return {"from": old, "to": new, "rows": rows}


# -- the registry's records (reading) ---------------------------------------------------------------


def show(number: str, *, registry: Server) -> dict:
    """A certificate or an application the token's organisation may read (its holder or applicant, its body, the operator)."""
    return registry.request("GET", _path("registry", "records", number))


def list_records(*, applications: bool = False, state: str | None = None, scheme: str | None = None,
                 registry: Server) -> list:
    """Certificates (or applications) the token's organisation may read, with their state, newest first."""
    path = "/registry/applications" if applications else "/registry/certificates"
    return _data(registry.request("GET", path, query={"state": state, "scheme": scheme}))


def log(*, subject: str | None = None, verify: bool = False, registry: Server) -> dict:
    """The events of a record the token's organisation may read (all events, and the chain's check, for the operator)."""
    return registry.request("GET", "/registry/log", query={"subject": subject, "verify": "true" if verify else None})


def certificate_status(document: dict, *, signer: dict | None = None, document_sha256: str | None = None,
                       registry: Server) -> dict:
    """A certificate document's standing on the server (public: no token needed), as :func:`footprint.registry.records.certificate_status`."""
    number = str(document.get("number") or "")
    if not number:
        raise OptionError("certificate", "the document has no number")
    query = {"sha256": document_sha256, "key": (signer or {}).get("fingerprint")}
    return registry.request("GET", _path("registry", "status", number), query=query, token=bool(registry.token))
