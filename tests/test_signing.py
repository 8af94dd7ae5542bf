"""Signatures: keys owner-only, files and documents signed, a one-byte change anywhere found and located."""

import json
import os
import shutil
import stat

import pytest

from footprint.errors import InputError
from footprint.signing import (
    SignatureError,
    init_keys,
    load_public_key,
    load_signer,
    sign_file,
    sign_json_file,
    verify_bytes,
    verify_file,
    verify_folder,
    verify_json_bytes,
    verify_json_file,
)

from conftest import PERC, invoke


@pytest.fixture
def keys(tmp_path, monkeypatch):
    """A data directory of this test with one plain key and one behind a passphrase."""
    monkeypatch.setenv("FOOTPRINT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FOOTPRINT_KEY_PASSPHRASE", raising=False)
    plain = init_keys("Example Certification Co.")
    locked = init_keys("Locked Org", passphrase="correct horse")
    return plain, locked


@pytest.fixture(scope="module")
def signed_dossier(footprint_home, tmp_path_factory):
    """A dossier written with report --sign, and the key's folder."""
    base = tmp_path_factory.mktemp("signed")
    previous = os.environ.get("FOOTPRINT_HOME")
    from footprint.report import write_report

    files = init_keys("Example PV Co.", folder=base / "keys")
    write_report(PERC, scheme="kr-carbon", out_dir=base / "dossier", pdf=False, sign_with=files.private_key)
    assert os.environ.get("FOOTPRINT_HOME") == previous
    return base / "dossier", files


def test_the_private_key_is_owner_only_and_never_replaced(keys, tmp_path):
    plain, _ = keys
    assert stat.S_IMODE(plain.private_key.stat().st_mode) == 0o600
    assert stat.S_IMODE(plain.private_key.parent.stat().st_mode) == 0o700
    assert b"PRIVATE KEY" in plain.private_key.read_bytes() and b"ENCRYPTED" not in plain.private_key.read_bytes()
    description = json.loads(plain.description.read_text(encoding="utf-8"))
    assert description["org"] == "Example Certification Co." and description["fingerprint"] == plain.fingerprint
    before = plain.private_key.read_bytes()
    with pytest.raises(InputError, match="a key is never replaced"):
        init_keys("Example Certification Co.")
    assert plain.private_key.read_bytes() == before


def test_keys_init_prints_the_fingerprint_never_the_private_key(tmp_path):
    home = tmp_path / "home"
    done = invoke("keys", "init", "--org", "Example CB", "--format", "json", home=home)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["fingerprint"].startswith("sha256:") and "PRIVATE" not in done.stdout + done.stderr
    again = invoke("keys", "init", "--org", "Example CB", home=home)
    assert again.returncode == 1 and len(again.stderr.strip().splitlines()) == 1 and "never replaced" in again.stderr


def test_an_encrypted_key_needs_its_passphrase(keys, monkeypatch):
    _, locked = keys
    assert b"ENCRYPTED" in locked.private_key.read_bytes()
    with pytest.raises(SignatureError, match="protected by a passphrase"):
        load_signer("Locked Org")
    with pytest.raises(SignatureError, match="wrong passphrase"):
        load_signer("Locked Org", passphrase="wrong")
    assert load_signer("Locked Org", passphrase="correct horse").public.fingerprint == locked.fingerprint
    monkeypatch.setenv("FOOTPRINT_KEY_PASSPHRASE", "correct horse")
    assert load_signer(locked.private_key).public.org == "Locked Org"


def test_a_key_readable_by_others_or_corrupt_is_refused(keys, tmp_path):
    plain, _ = keys
    os.chmod(plain.private_key, 0o644)
    with pytest.raises(SignatureError, match="readable by others"):
        load_signer(plain.private_key)
    os.chmod(plain.private_key, 0o600)
    corrupt = tmp_path / "corrupt.key.pem"
    data = bytearray(plain.private_key.read_bytes())
    data[40] ^= 0x20
    corrupt.write_bytes(bytes(data))
    os.chmod(corrupt, 0o600)
    with pytest.raises(SignatureError, match="corrupt"):
        load_signer(corrupt)


def test_every_changed_byte_of_a_signed_file_is_found_and_located(keys, tmp_path):
    plain, _ = keys
    target = tmp_path / "data.bin"
    target.write_bytes(bytes(range(256)) * 12)
    signature = sign_file(target, plain.private_key)
    assert verify_file(target).valid
    original = target.read_bytes()
    header = json.loads(signature.read_bytes())
    for position in range(0, len(original), 7):  # in memory: the same check as verify_file, without the disk
        changed = bytearray(original)
        changed[position] ^= 0x01
        check = verify_bytes(bytes(changed), header, name=target.name)
        assert not check.valid
        [change] = check.changed
        assert any(first <= position <= last for first, last in change["ranges"]), (position, change)
    target.write_bytes(original + b"x")
    assert "size 3072 -> 3073 bytes" in " ".join(verify_file(target).reasons)
    target.write_bytes(original)
    assert verify_file(target, key=plain.public_key).valid
    # and the signature file itself: any byte of it changed, the check fails
    raw = signature.read_bytes()
    for position in range(len(raw)):
        changed = bytearray(raw)
        changed[position] = (changed[position] + 1) % 256
        try:
            assert not verify_bytes(original, json.loads(bytes(changed)), name=target.name).valid, position
        except ValueError:
            pass  # no longer JSON (verify_file refuses it with its one-line error)


def test_a_signed_json_document_detects_any_one_byte_change(keys, tmp_path):
    plain, _ = keys
    document = tmp_path / "label.json"
    document.write_text(json.dumps({"format": "test/1", "value": 435.33, "name": "光伏组件"}, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
    sign_json_file(document, plain.private_key)
    check, content = verify_json_file(document)
    assert check.valid and content["name"] == "光伏组件"
    raw = document.read_bytes()
    for position in range(len(raw)):
        for delta in (1, 0x20):
            changed = bytearray(raw)
            changed[position] = (changed[position] + delta) % 256
            try:
                assert not verify_json_bytes(bytes(changed), name=document.name)[0].valid, (position, raw[position:position + 1])
            except InputError:
                pass  # no longer JSON: refused with its one-line error


def test_another_key_is_named(keys, tmp_path):
    plain, locked = keys
    target = tmp_path / "x.txt"
    target.write_text("x", encoding="utf-8")
    sign_file(target, plain.private_key)
    check = verify_file(target, key=load_public_key(locked.public_key))
    assert not check.valid and "not by the key given" in check.reasons[0] and "Locked Org" in check.reasons[0]


def test_a_signed_dossier_verifies_and_any_changed_file_is_named_with_its_bytes(signed_dossier, tmp_path):
    dossier, files = signed_dossier
    manifest = json.loads((dossier / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest)[-1] == "signature" and manifest["signature"]["signer"]["fingerprint"] == files.fingerprint
    assert set(manifest["signature"]["attachments"]) == set(manifest["files"])
    assert verify_folder(dossier, key=files.public_key).valid
    for name in sorted(manifest["files"]) + ["manifest.json"]:
        copy = tmp_path / name.replace("/", "_")
        shutil.copytree(dossier, copy)
        path = copy / name
        data = bytearray(path.read_bytes())
        # the manifest: a byte of its content (one inside its signature is the next test's)
        position = 60 if name == "manifest.json" else len(data) // 3
        data[position] ^= 0x04
        path.write_bytes(bytes(data))
        try:
            check = verify_folder(copy)
        except InputError:
            continue  # the manifest no longer JSON: refused in one line
        assert not check.valid, name
        [change] = [c for c in check.changed if c["file"] == name]
        assert any(first <= position <= last for first, last in change["ranges"]), (name, position, change)
    copy = tmp_path / "signature"
    shutil.copytree(dossier, copy)
    raw = (copy / "manifest.json").read_bytes()
    position = raw.index(b'"signed_at"') + 20
    (copy / "manifest.json").write_bytes(raw[:position] + bytes([raw[position] ^ 0x01]) + raw[position + 1:])
    check = verify_folder(copy)
    assert not check.valid and "the signature does not match its header" in check.reasons[0]
    copy = tmp_path / "added"
    shutil.copytree(dossier, copy)
    (copy / "note.txt").write_text("added", encoding="utf-8")
    (copy / "inputs" / "perc-glass-backsheet-jiangsu.yaml").unlink()
    reasons = " ".join(verify_folder(copy).reasons)
    assert "note.txt: not under the signature" in reasons and "perc-glass-backsheet-jiangsu.yaml: signed but missing" in reasons


def test_footprint_verify_says_valid_or_invalid_and_why(signed_dossier, tmp_path, footprint_home):
    dossier, files = signed_dossier
    done = invoke("verify", dossier, "--format", "json", home=footprint_home)
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["verdict"] == "identical" and shown["valid"] and shown["signature"]["verdict"] == "valid"
    copy = tmp_path / "copy"
    shutil.copytree(dossier, copy)
    label = next(copy.glob("*-label.json"))
    label.write_bytes(label.read_bytes().replace(b'"kr-carbon"', b'"kr-carbon "', 1))
    done = invoke("verify", copy, "--no-recompute", home=footprint_home)
    assert done.returncode == 1
    assert f"{label.name}: changed since it was signed (bytes" in done.stdout and files.fingerprint in done.stdout


def test_report_with_a_wrong_passphrase_writes_nothing(footprint_home, tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("FOOTPRINT_HOME", str(home))
    key = init_keys("Locked", passphrase="right").private_key
    monkeypatch.setenv("FOOTPRINT_HOME", str(footprint_home))
    monkeypatch.setenv("FOOTPRINT_KEY_PASSPHRASE", "wrong")
    out = tmp_path / "dossier"
    done = invoke("report", PERC, "--scheme", "kr-carbon", "-o", out, "--no-pdf", "--sign", key, home=footprint_home)
    assert done.returncode == 1 and done.stderr.strip().count("\n") == 0 and "wrong passphrase" in done.stderr
    assert not out.exists() and not list(tmp_path.glob(".dossier*"))


def test_a_wrong_passphrase_that_decrypts_to_garbage_is_still_a_wrong_passphrase(keys, monkeypatch):
    # about 1 wrong passphrase in 256 decrypts with valid padding, and the key then fails to parse
    # ("Could not deserialize key data"): it was reported as a corrupt key, and the suite failed now and then
    from cryptography.hazmat.primitives import serialization

    def garbage(data, password=None, **kwargs):
        raise ValueError("Could not deserialize key data. The data may be in an incorrect format")

    monkeypatch.setattr(serialization, "load_pem_private_key", garbage)
    with pytest.raises(SignatureError, match="wrong passphrase"):
        load_signer("Locked Org", passphrase="wrong")
