"""Ed25519 signatures: keys kept owner-only, files and JSON documents signed and checked.

Who wrote a dossier, a certificate or a label, and that not one byte changed since:

- :func:`init_keys` makes a key pair for an organisation: the private key (PEM, PKCS#8,
  encrypted when a passphrase is given) is written owner-only (0600, in a 0700 folder) and
  never printed; the public key (PEM) and a small description (``<name>.json``: the
  organisation, the fingerprint) sit beside it. A key is never replaced.
- :func:`sign_file` writes a detached signature ``FILE.sig``; :func:`sign_json_file` puts the
  signature inside a JSON document (the last member, ``"signature"``), as the dossier's
  ``manifest.json`` and the certificate carry theirs.
- :func:`verify_file`, :func:`verify_json_file` and :func:`verify_folder` say valid or invalid
  and why: which file, which key, which byte range changed.

The signature (format ``footprint-signature/1``) signs a header, not the bytes directly: the
header holds the signed content's size, SHA-256 and the SHA-256 of each of its blocks, so a
changed file is found by its hash and the changed byte range by its blocks, both under the
signature. The signed message is the header's canonical JSON (keys sorted, no spaces, UTF-8)
without ``value``. A JSON document's signed content is the document without its signature,
written as the library writes documents (:func:`document_bytes`); any other spelling of the
same JSON (a space, a reordered key) is itself a change.

A signature proves the content was signed by the key it names. Whose key that is comes from
outside: a public key given with ``key=`` (``--key``), or the certification registry.

References
----------
1. RFC 8032, Edwards-Curve Digital Signature Algorithm (EdDSA), 2017: Ed25519.
2. RFC 8785, JSON Canonicalization Scheme, 2020 (the canonical JSON here is its subset for
   the strings, integers and floats the library writes: sorted keys, no spaces).
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
import os
import re
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

from footprint.errors import FootprintError, InputError
from footprint.fileio import atomic_write, load_json, read_bytes
from footprint.resources import home

#: The format of a signature header (detached ``.sig`` file or a document's ``"signature"`` member).
FORMAT = "footprint-signature/1"
ALGORITHM = "Ed25519"
#: The member of a JSON document that holds its signature (always the last one).
MEMBER = "signature"
#: What a detached signature's file name adds to the signed file's.
SUFFIX = ".sig"
#: Environment variable read for a private key's passphrase when none is given.
PASSPHRASE_VARIABLE = "FOOTPRINT_KEY_PASSPHRASE"
#: The smallest block whose hash a header lists [bytes]; larger files get larger blocks so
#: that a header lists at most :data:`MAX_BLOCKS` of them.
MIN_BLOCK = 256
MAX_BLOCKS = 256
#: Hex digits kept of each block's SHA-256: the blocks only locate a change that the whole
#: file's SHA-256 (kept in full) has already proved.
BLOCK_DIGITS = 16


class SignatureError(FootprintError, ValueError):
    """A key cannot be made or read (corrupt, wrong passphrase, readable by others), or a signature is malformed."""


# -- keys ------------------------------------------------------------------------------------


@dataclass
class PublicKey:
    """An Ed25519 public key with the organisation it was made for."""

    org: str
    raw: bytes  # 32 bytes
    fingerprint: str  # "sha256:<hex of the raw key's SHA-256>"

    def to_dict(self):
        return {"org": self.org, "fingerprint": self.fingerprint, "public_key": base64.b64encode(self.raw).decode("ascii")}


@dataclass
class Signer:
    """A private key loaded for signing, and its public half."""

    public: PublicKey
    _private: object = field(repr=False)  # cryptography's Ed25519PrivateKey

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)


@dataclass
class KeyFiles:
    """The files :func:`init_keys` wrote (the private key's content is never returned)."""

    org: str
    private_key: Path
    public_key: Path
    description: Path
    fingerprint: str


def fingerprint(raw_public_key: bytes) -> str:
    """``sha256:`` and the hex SHA-256 of the 32 raw bytes of an Ed25519 public key."""
    return "sha256:" + hashlib.sha256(raw_public_key).hexdigest()


def short(fingerprint_text: str) -> str:
    """The first 16 hex digits of a fingerprint, for people (``sha256:1a2b...``)."""
    return fingerprint_text[: len("sha256:") + 16]


def key_dir() -> Path:
    """Where keys are kept by default: ``keys/`` in the data directory (FOOTPRINT_HOME)."""
    return home() / "keys"


def slug(org: str) -> str:
    """A file name for an organisation's keys: lower case letters, digits and dashes.

    Raises
    ------
    InputError
        Nothing usable is left of the name.
    """
    text = re.sub(r"[^a-z0-9]+", "-", str(org).strip().lower()).strip("-")
    if not text:
        raise InputError(f"org: got {org!r}; expected a name with letters or digits")
    return text[:64]


def _key_paths(folder, name):
    return folder / f"{name}.key.pem", folder / f"{name}.pub.pem", folder / f"{name}.json"


def init_keys(org: str, *, folder: str | os.PathLike | None = None, passphrase: str | bytes | None = None) -> KeyFiles:
    """Make an Ed25519 key pair for ``org``, the private key owner-only.

    Parameters
    ----------
    org : str
        The organisation the key signs for (its name is kept in ``<name>.json``).
    folder : str or os.PathLike, optional
        Where to write; default :func:`key_dir`. Created 0700 if missing.
    passphrase : str or bytes, optional
        Encrypts the private key (PKCS#8, the best encryption ``cryptography`` offers).

    Returns
    -------
    KeyFiles
        The three paths and the public key's fingerprint.

    Raises
    ------
    InputError
        A key of that name exists (a key is never replaced: signatures made with it would
        lose their key), or the folder cannot be written.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder = Path(folder) if folder is not None else key_dir()
    name = slug(org)
    private_path, public_path, description_path = _key_paths(folder, name)
    for path in (private_path, public_path):
        if path.exists():
            raise InputError(f"{path}: a key of {org!r} exists; a key is never replaced (signatures made with it would "
                             "lose their key): remove or move it yourself, or choose another --org")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the key folder ({exc.strerror or exc})") from None
    key = Ed25519PrivateKey.generate()
    encryption = serialization.NoEncryption()
    if passphrase:
        encryption = serialization.BestAvailableEncryption(_as_bytes(passphrase))
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    public_raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    _write_owner_only(private_path, private_pem)
    atomic_write(public_path, public_pem)
    public = PublicKey(org, public_raw, fingerprint(public_raw))
    description = {"format": "footprint-key/1", "algorithm": ALGORITHM, **public.to_dict(), "encrypted": bool(passphrase),
                   "created_at": _now(), "private_key": private_path.name, "public_key_file": public_path.name}
    atomic_write(description_path, json.dumps(description, ensure_ascii=False, indent=2) + "\n")
    return KeyFiles(org, private_path, public_path, description_path, public.fingerprint)


def _write_owner_only(path, data):
    """Create ``path`` readable and writable by its owner only (O_EXCL: never over a file)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags, 0o600)
    except FileExistsError:
        raise InputError(f"{path}: exists; a key is never replaced") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot write the private key ({exc.strerror or exc})") from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(descriptor, 0o600)  # whatever the umask
        os.write(descriptor, data)
        os.fsync(descriptor)
    except BaseException:
        os.close(descriptor)
        path.unlink(missing_ok=True)
        raise
    os.close(descriptor)


def _as_bytes(passphrase):
    return passphrase.encode("utf-8") if isinstance(passphrase, str) else bytes(passphrase)


def _find_key(key, suffix):
    """A key file given by path, or by organisation name in :func:`key_dir`."""
    path = Path(key)
    if path.is_file():
        return path
    candidate = key_dir() / f"{slug(key)}{suffix}" if str(key).strip() else None
    if candidate is not None and candidate.is_file() and os.sep not in str(key):
        return candidate
    raise InputError(f"{key}: no such key file (nor a key of that organisation in {key_dir()}); expected a "
                     f"{'private' if suffix == '.key.pem' else 'public'} key file written by 'footprint keys init'")


def _org_of(path):
    """The organisation named in the key's description beside it, else the file's name."""
    stem = path.name.split(".")[0]
    description = path.with_name(f"{stem}.json")
    if description.is_file():
        try:
            return str(json.loads(description.read_text(encoding="utf-8")).get("org") or stem)
        except (OSError, ValueError):
            return stem
    return stem


def load_signer(key: str | os.PathLike, *, passphrase: str | bytes | None = None) -> Signer:
    """Load a private key for signing.

    Parameters
    ----------
    key : str or os.PathLike
        The private key file, or the organisation whose key is in :func:`key_dir`.
    passphrase : str or bytes, optional
        The key's passphrase; default the environment variable ``FOOTPRINT_KEY_PASSPHRASE``.

    Raises
    ------
    SignatureError
        The file is readable by others than its owner, is not an Ed25519 private key (corrupt),
        needs a passphrase that was not given, or the passphrase is wrong.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = _find_key(key, ".key.pem")
    if os.name == "posix":
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SignatureError(f"{path}: the private key is readable by others (mode {stat.S_IMODE(mode):04o}); "
                                 f"expected owner-only (chmod 600 {path})")
    data = read_bytes(path, what="a private key file", limit=64 * 1024)
    if passphrase is None and os.environ.get(PASSPHRASE_VARIABLE):
        passphrase = os.environ[PASSPHRASE_VARIABLE]
    try:
        private = serialization.load_pem_private_key(data, password=_as_bytes(passphrase) if passphrase else None)
    except TypeError as exc:
        if "not encrypted" in str(exc):
            raise SignatureError(f"{path}: the key has no passphrase, but one was given; expected none") from None
        raise SignatureError(f"{path}: the key is protected by a passphrase; give it (--passphrase-file, or the "
                             f"environment variable {PASSPHRASE_VARIABLE})") from None
    except ValueError as exc:
        # an encrypted key read with a wrong passphrase fails in decryption, or (when the wrong key happens
        # to give valid padding, about 1 time in 256) in parsing the garbage: both are the passphrase's
        encrypted = b"ENCRYPTED" in data
        if passphrase and (encrypted or "decrypt" in str(exc).lower() or "password" in str(exc).lower()):
            raise SignatureError(f"{path}: wrong passphrase (or a corrupt key); nothing was signed") from None
        raise SignatureError(f"{path}: not a readable PEM private key (corrupt?); expected an Ed25519 key written "
                             "by 'footprint keys init'") from None
    except Exception as exc:  # cryptography raises its own for some damaged files
        raise SignatureError(f"{path}: not a readable private key ({type(exc).__name__}); expected an Ed25519 key written "
                             "by 'footprint keys init'") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise SignatureError(f"{path}: a {type(private).__name__.replace('_', '')} key; expected an Ed25519 private key")
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return Signer(PublicKey(_org_of(path), raw, fingerprint(raw)), private)


def load_public_key(key: str | os.PathLike) -> PublicKey:
    """A public key from its PEM file (or its organisation's, in :func:`key_dir`), or from a key description JSON.

    Raises
    ------
    SignatureError
        Not an Ed25519 public key.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    path = _find_key(key, ".pub.pem")
    data = read_bytes(path, what="a public key file", limit=64 * 1024)
    if path.suffix == ".json":
        description = load_json(data, path, what="a key description")
        try:
            return public_key_from(description.get("public_key"), org=description.get("org") or path.stem)
        except (AttributeError, SignatureError):
            raise SignatureError(f"{path}: no valid public_key; expected a key description written by 'footprint keys init'") from None
    try:
        public = serialization.load_pem_public_key(data)
    except Exception:
        raise SignatureError(f"{path}: not a readable PEM public key (corrupt?); expected an Ed25519 public key") from None
    if not isinstance(public, Ed25519PublicKey):
        raise SignatureError(f"{path}: expected an Ed25519 public key")
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PublicKey(_org_of(path), raw, fingerprint(raw))


def list_keys(folder: str | os.PathLike | None = None) -> list[dict]:
    """The public keys in a key folder (default :func:`key_dir`): org, fingerprint, file, whether the private key is there."""
    folder = Path(folder) if folder is not None else key_dir()
    found = []
    for path in sorted(folder.glob("*.pub.pem")) if folder.is_dir() else []:
        try:
            public = load_public_key(path)
        except (SignatureError, InputError):
            continue
        private = path.with_name(path.name.replace(".pub.pem", ".key.pem"))
        found.append({"org": public.org, "fingerprint": public.fingerprint, "public_key": str(path),
                      "private_key": str(private) if private.is_file() else None})
    return found


def public_key_from(text: str, *, org: str = "") -> PublicKey:
    """A public key from its base64 raw bytes (as a signature header and the registry keep it).

    Raises
    ------
    SignatureError
        Not 32 bytes of base64.
    """
    raw = _strict_b64(text)
    if raw is None or len(raw) != 32:
        raise SignatureError(f"public key {str(text)[:24]!r}: expected 32 bytes of base64 (an Ed25519 public key)")
    return PublicKey(org, raw, fingerprint(raw))


# -- signing -------------------------------------------------------------------------------


def canonical_json(value) -> bytes:
    """Keys sorted, no spaces, UTF-8: the bytes a header's signature covers."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def document_bytes(document: dict) -> bytes:
    """A JSON document as the library writes it: two-space indent, UTF-8, one final newline."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def block_size_for(size: int) -> int:
    """The block size [bytes] for a content of ``size`` bytes: at least :data:`MIN_BLOCK`, at most :data:`MAX_BLOCKS` blocks."""
    block = MIN_BLOCK
    while size > block * MAX_BLOCKS:
        block *= 2
    return block


def describe_content(data: bytes, name: str) -> dict:
    """What a header says of a content: name, size [bytes], SHA-256, and the SHA-256 of each block."""
    block = block_size_for(len(data))
    blocks = [hashlib.sha256(data[start:start + block]).hexdigest()[:BLOCK_DIGITS] for start in range(0, len(data), block)]
    return {"name": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), "block_size": block, "blocks": blocks}


def sign_bytes(data: bytes, signer: Signer, *, name: str, attachments: dict | None = None) -> dict:
    """The signature header of ``data``: its description, the signer's key, the time, the Ed25519 value.

    ``attachments`` (name -> bytes) adds the description of other files under the same
    signature (a dossier's manifest signs its files' blocks this way).
    """
    header = {
        "format": FORMAT,
        "algorithm": ALGORITHM,
        "signer": signer.public.to_dict(),
        "signed_at": _now(),
        "content": describe_content(data, name),
    }
    if attachments:
        header["attachments"] = {key: describe_content(value, key) for key, value in sorted(attachments.items())}
    header["value"] = base64.b64encode(signer.sign(canonical_json(header))).decode("ascii")
    return header


def sign_file(path: str | os.PathLike, key: str | os.PathLike | Signer, *, passphrase=None, output=None) -> Path:
    """Write the detached signature of a file, ``FILE.sig`` (or ``output``).

    Returns
    -------
    Path
        The signature file.

    Raises
    ------
    InputError
        The file cannot be read. :class:`SignatureError`: the key cannot be loaded.
    """
    path = Path(path)
    signer = key if isinstance(key, Signer) else load_signer(key, passphrase=passphrase)
    data = read_bytes(path, what="a file to sign", limit=1024 * 1024 * 1024)
    header = sign_bytes(data, signer, name=path.name)
    target = Path(output) if output else path.with_name(path.name + SUFFIX)
    atomic_write(target, document_bytes(header))
    return target


def sign_json_document(document: dict, signer: Signer, *, name: str = "document", attachments: dict | None = None) -> dict:
    """``document`` with its signature as its last member (a signature it had is replaced)."""
    unsigned = {key: value for key, value in document.items() if key != MEMBER}
    header = sign_bytes(document_bytes(unsigned), signer, name=name, attachments=attachments)
    return {**unsigned, MEMBER: header}


def sign_json_file(path: str | os.PathLike, key: str | os.PathLike | Signer, *, passphrase=None,
                   attachments: dict | None = None) -> dict:
    """Sign a JSON document in place: its signature becomes its last member; the file is rewritten atomically.

    Returns
    -------
    dict
        The signature header.
    """
    path = Path(path)
    signer = key if isinstance(key, Signer) else load_signer(key, passphrase=passphrase)
    document = load_json(read_bytes(path, what="a JSON document"), path, what="a JSON document")
    if not isinstance(document, dict):
        raise InputError(f"{path}: a JSON {type(document).__name__}; expected a JSON object to sign")
    signed = sign_json_document(document, signer, name=path.name, attachments=attachments)
    atomic_write(path, document_bytes(signed))
    return signed[MEMBER]


def sign_folder(folder: str | os.PathLike, key: str | os.PathLike | Signer, *, passphrase=None,
                manifest: str = "manifest.json") -> dict:
    """Sign a folder's manifest (a JSON object whose ``files`` maps each file to its SHA-256).

    The signature covers the manifest and, as attachments, the blocks of every file it lists,
    so that :func:`verify_folder` can say which byte range of which file changed.

    Raises
    ------
    InputError
        No manifest, a manifest without ``files``, or a listed file that differs from its hash.
    """
    folder = Path(folder)
    path = folder / manifest
    signer = key if isinstance(key, Signer) else load_signer(key, passphrase=passphrase)
    listed = load_json(read_bytes(path, what="a manifest"), path, what="a manifest")
    if not isinstance(listed, dict) or not isinstance(listed.get("files"), dict):
        raise InputError(f"{path}: no 'files' mapping; expected a manifest listing its folder's files with their sha256")
    attachments = {}
    for name, digest in sorted(listed["files"].items()):
        data = read_bytes(folder / name, what=f"a file listed in {manifest}", limit=1024 * 1024 * 1024)
        if hashlib.sha256(data).hexdigest() != digest:
            raise InputError(f"{folder / name}: differs from its sha256 in {manifest}; nothing was signed")
        attachments[name] = data
    return sign_json_file(path, signer, attachments=attachments)


# -- verifying -----------------------------------------------------------------------------


@dataclass
class SignatureCheck:
    """What a verification found: ``valid`` or not, and each reason (file, key, byte ranges)."""

    target: str
    valid: bool
    signed: bool = True
    signer: dict = field(default_factory=dict)  # org, fingerprint
    signed_at: str | None = None
    key_matches: bool | None = None  # None: no key given to compare with
    reasons: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # {file, ranges: [[first, last], ...], detail}
    files_checked: int = 0

    @property
    def verdict(self):
        return "valid" if self.valid else ("not signed" if not self.signed else "invalid")

    def to_dict(self):
        return {**asdict(self), "verdict": self.verdict}


def _check_header(header, where):
    """The header's own form; returns the public key it names, or raises SignatureError."""
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise SignatureError(f"{where}: not a signature; expected format {FORMAT!r}")
    if header.get("algorithm") != ALGORITHM:
        raise SignatureError(f"{where}: algorithm {header.get('algorithm')!r}; expected {ALGORITHM!r}")
    signer = header.get("signer") or {}
    public = public_key_from(signer.get("public_key", ""), org=str(signer.get("org") or ""))
    if signer.get("fingerprint") != public.fingerprint:
        raise SignatureError(f"{where}: the signer's fingerprint does not match its public key")
    content = header.get("content")
    if not isinstance(content, dict) or not isinstance(content.get("sha256"), str):
        raise SignatureError(f"{where}: no content description; expected name, bytes, sha256 and blocks")
    return public


def _header_signature_ok(header, public):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    unsigned = {key: value for key, value in header.items() if key != "value"}
    value = _strict_b64(header.get("value", ""))
    if value is None:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public.raw).verify(value, canonical_json(unsigned))
    except (InvalidSignature, ValueError):
        return False
    return True


def _strict_b64(text):
    """Base64 decoded, or None; only the one spelling that encodes back the same (the last
    character's unused bits could otherwise change and decode to the same bytes)."""
    try:
        raw = base64.b64decode(str(text), validate=True)
    except ValueError:
        return None
    return raw if base64.b64encode(raw).decode("ascii") == str(text) else None


def changed_ranges(data: bytes, description: dict) -> list:
    """The byte ranges [first, last] (inclusive) of ``data`` whose blocks differ from ``description``'s."""
    block = int(description.get("block_size") or 0)
    blocks = description.get("blocks") or []
    if block <= 0:
        return [[0, max(len(data), int(description.get("bytes", 0))) - 1]]
    ranges = []
    count = max(len(blocks), -(-len(data) // block))
    for index in range(count):
        start = index * block
        piece = data[start:start + block]
        expected = blocks[index] if index < len(blocks) else None
        if expected is None or not piece or hashlib.sha256(piece).hexdigest()[:BLOCK_DIGITS] != expected:
            end = min(start + block, max(len(data), int(description.get("bytes", 0)))) - 1
            if ranges and ranges[-1][1] == start - 1:
                ranges[-1][1] = end
            else:
                ranges.append([start, end])
    return ranges


def _compare(data, description, name, check):
    """Compare content with its signed description; record what changed in ``check``."""
    if hashlib.sha256(data).hexdigest() == description.get("sha256") and len(data) == description.get("bytes"):
        return True
    ranges = changed_ranges(data, description)
    sizes = "" if len(data) == description.get("bytes") else f"; size {description.get('bytes')} -> {len(data)} bytes"
    where = ", ".join(f"bytes {first}-{last}" for first, last in ranges) or "somewhere"
    check.changed.append({"file": name, "ranges": ranges, "detail": f"{where}{sizes}"})
    check.reasons.append(f"{name}: changed since it was signed ({where}{sizes})")
    return False


def _start(target, header, where, key):
    """A check with the header's signer; the header's form and signature verified."""
    check = SignatureCheck(str(target), valid=False)
    try:
        public = _check_header(header, where)
    except SignatureError as exc:
        check.reasons.append(str(exc))
        return check, None
    check.signer = {"org": public.org, "fingerprint": public.fingerprint}
    check.signed_at = header.get("signed_at")
    if key is not None:
        expected = key if isinstance(key, PublicKey) else load_public_key(key)
        check.key_matches = expected.fingerprint == public.fingerprint
        if not check.key_matches:
            check.reasons.append(f"{where}: signed by key {short(public.fingerprint)} ({public.org}), not by the key given "
                                 f"{short(expected.fingerprint)} ({expected.org})")
            return check, None
    if not _header_signature_ok(header, public):
        check.reasons.append(f"{where}: the signature does not match its header (the header was changed, or another key "
                             f"signed it); key {short(public.fingerprint)} ({public.org})")
        return check, None
    return check, public


def verify_bytes(data: bytes, header: dict, *, name: str, key=None) -> SignatureCheck:
    """Check ``data`` against a signature header (and, with ``key``, that this key signed it)."""
    check, public = _start(name, header, name, key)
    if public is None:
        return check
    check.files_checked = 1
    check.valid = _compare(data, header["content"], name, check)
    if check.valid:
        check.reasons.append(f"{name}: signed by key {short(public.fingerprint)} ({public.org}) on {check.signed_at}; "
                             f"unchanged ({len(data)} bytes)")
    return check


def verify_file(path: str | os.PathLike, *, signature: str | os.PathLike | None = None, key=None) -> SignatureCheck:
    """Check a file against its detached signature (``FILE.sig`` by default).

    Raises
    ------
    InputError
        The file or its signature cannot be read.
    """
    path = Path(path)
    signature = Path(signature) if signature else path.with_name(path.name + SUFFIX)
    if not signature.is_file():
        check = SignatureCheck(str(path), valid=False, signed=False)
        check.reasons.append(f"{path.name}: no signature ({signature.name} not found)")
        return check
    header = load_json(read_bytes(signature, what="a signature file"), signature, what="a signature file")
    data = read_bytes(path, what="a signed file", limit=1024 * 1024 * 1024)
    return verify_bytes(data, header, name=path.name, key=key)


def split_signed_document(raw: bytes, where: str):
    """A signed JSON document's bytes -> (the document without its signature, the header, problems of form).

    Problems of form: the bytes are not as the library writes the document (a space, an
    escape, a key moved), or the signature is not the last member; each names the byte range.
    """
    document = load_json(raw, where, what="a signed JSON document")
    if not isinstance(document, dict) or MEMBER not in document:
        return document, None, []
    problems = []
    if list(document)[-1] != MEMBER:
        problems.append(f"{where}: the signature is not the document's last member")
    expected = document_bytes(document)
    if raw != expected:
        first = next((i for i, (a, b) in enumerate(zip(raw, expected)) if a != b), min(len(raw), len(expected)))
        tail = 0
        while tail < min(len(raw), len(expected)) - first and raw[-1 - tail] == expected[-1 - tail]:
            tail += 1
        problems.append(f"{where}: bytes {first}-{len(raw) - tail - 1} are not as signed (spacing or spelling of the JSON "
                        "changed)")
    header = document.pop(MEMBER)
    return document, header, problems


def verify_json_bytes(raw: bytes, *, name: str, key=None) -> tuple[SignatureCheck, dict | None]:
    """Check a JSON document that carries its signature; returns the check and the document (without signature)."""
    document, header, problems = split_signed_document(raw, name)
    if header is None:
        check = SignatureCheck(name, valid=False, signed=False)
        check.reasons.append(f"{name}: no signature (no '{MEMBER}' member)")
        return check, document
    check, public = _start(name, header, name, key)
    if public is None:
        return check, document
    check.files_checked = 1
    content_ok = _compare(document_bytes(document), header["content"], name, check)
    check.reasons.extend(problems)
    check.valid = content_ok and not problems
    if check.valid:
        check.reasons.append(f"{name}: signed by key {short(public.fingerprint)} ({public.org}) on {check.signed_at}; unchanged")
    return check, document


def verify_json_file(path: str | os.PathLike, *, key=None) -> tuple[SignatureCheck, dict | None]:
    """:func:`verify_json_bytes` of a file."""
    path = Path(path)
    check, document = verify_json_bytes(read_bytes(path, what="a signed JSON document"), name=path.name, key=key)
    check.target = str(path)
    return check, document


def verify_folder(folder: str | os.PathLike, *, key=None, manifest: str = "manifest.json") -> SignatureCheck:
    """Check a folder signed with :func:`sign_folder`: the manifest's signature, then every file under it.

    The files are checked against the descriptions under the signature (not against the
    manifest's own list, which may be the part that changed): a changed file is named with
    the byte ranges that changed, a missing or an added file is named too.
    """
    folder = Path(folder)
    path = folder / manifest
    raw = read_bytes(path, what="a manifest")
    check, _ = verify_json_bytes(raw, name=manifest, key=key)
    check.target = str(folder)
    if not check.files_checked:
        return check  # not signed, another key, or a header that does not verify: nothing under it to trust
    attachments = (load_json(raw, path, what="a manifest").get(MEMBER) or {}).get("attachments") or {}
    for name in sorted(attachments):
        target = folder / name
        if not target.is_file():
            check.reasons.append(f"{name}: signed but missing")
            check.valid = False
            continue
        check.files_checked += 1
        if not _compare(target.read_bytes(), attachments[name], name, check):
            check.valid = False
    for extra in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = extra.relative_to(folder).as_posix()
        if relative != manifest and relative not in attachments:
            check.reasons.append(f"{relative}: not under the signature (added after signing)")
            check.valid = False
    if check.valid:
        check.reasons = [f"{manifest} and the {len(attachments)} files it lists: signed by key "
                         f"{short(check.signer['fingerprint'])} ({check.signer['org']}) on {check.signed_at}; unchanged"]
    return check


def digest_of_signed(document: dict) -> str:
    """The SHA-256 of a signed document's content (what a QR code carries to check it offline)."""
    unsigned = {key: value for key, value in document.items() if key != MEMBER}
    return hashlib.sha256(document_bytes(unsigned)).hexdigest()


def _now():
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
