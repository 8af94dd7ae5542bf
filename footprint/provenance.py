"""Where a result comes from, and what identifies it.

- :func:`combined_sha256`: one hash for a set of input files, from their contents only;
- :class:`ResultProvenance`: what a certification body needs to reproduce a number (one
  shape for a single calculation and for a batch);
- :func:`result_identity` and :func:`result_sha256`: the part of a result that identifies it,
  and its hash (the same inputs, data and method give the same hash anywhere).
"""

import hashlib
import json
from dataclasses import dataclass, field


def combined_sha256(input_files):
    """One sha256 for a set of input files, from their contents only.

    A single file's own sha256; for several, the sha256 of their sorted sha256s, one per line.
    Paths are left out so that the same files give the same hash in any folder or machine.

    Parameters
    ----------
    input_files : dict
        path -> sha256 (hex) of the file's bytes.
    """
    hashes = sorted(set(input_files.values()))
    if len(hashes) == 1:
        return hashes[0]
    return hashlib.sha256("".join(f"{sha}\n" for sha in hashes).encode()).hexdigest()


@dataclass
class ResultProvenance:
    """What a certification body needs to reproduce the number."""

    inputs_sha256: str
    input_files: dict  # path -> sha256
    data_version: str
    data_sha256: str
    method: str
    methods: dict  # indicator -> method
    gwp: str
    library_version: str
    brightway: str
    computed_at: str
    as_of: str  # the date supplier declarations were checked against
    cross_check: str = "not run"  # the bw2calc cross-check of this calculation, if it ran
    #: The shared database entries used (``supplier: registry:ENTRY@N``): stage, ref, id, version, sha256, state, owner.
    shared_entries: list = field(default_factory=list)


#: Keys left out of a result's identity, at any depth: when and where it was computed, not
#: what it is. ``as_of`` is the date supplier declarations were checked on (the numbers do
#: not depend on it); ``file`` / ``input_file`` are paths, which differ between machines and
#: working directories while the files' SHA-256 (kept) do not; ``cross_check`` says whether
#: bw2calc re-checked this run, which does not change the numbers.
VOLATILE_KEYS = ("computed_at", "as_of", "file", "input_file", "cross_check")


def result_identity(result):
    """The part of a result that identifies it: :data:`VOLATILE_KEYS` removed at every depth,
    ``input_files`` (path -> SHA-256) reduced to the sorted SHA-256 values, and the input
    files' paths inside texts (such as a parameter's source "product file (PATH)") replaced
    by ``<sha256:first 12 hex digits>`` of the file."""
    data = _as_dict(result)
    paths = {}
    provenance = data.get("provenance") if isinstance(data.get("provenance"), dict) else {}
    for path, digest in (provenance.get("input_files") or {}).items():
        paths[str(path)] = str(digest)
    if data.get("input_file") and data.get("inputs_sha256"):
        paths.setdefault(str(data["input_file"]), str(data["inputs_sha256"]))
    for entry in data.get("supplier") or []:
        if isinstance(entry, dict) and entry.get("file") and entry.get("sha256"):
            paths.setdefault(str(entry["file"]), str(entry["sha256"]))
    # longest first, so that a path is never replaced inside a longer one
    replacements = [(path, f"<sha256:{digest[:12]}>") for path, digest in sorted(paths.items(), key=lambda kv: -len(kv[0])) if path]
    return _identity(data, replacements)


def _identity(value, replacements):
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            if key in VOLATILE_KEYS:
                continue
            kept[key] = sorted(item.values()) if key == "input_files" and isinstance(item, dict) else _identity(item, replacements)
        return kept
    if isinstance(value, (list, tuple)):
        return [_identity(item, replacements) for item in value]
    if isinstance(value, str):
        for path, placeholder in replacements:
            if path in value:
                value = value.replace(path, placeholder)
    return value


def result_sha256(result):
    """SHA-256 of the canonical JSON of :func:`result_identity` (keys sorted, no spaces, UTF-8).

    The same inputs, data and method give the same hash, whenever and wherever they are computed.
    """
    canonical = json.dumps(result_identity(result), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _as_dict(result):
    return result.to_dict() if hasattr(result, "to_dict") else dict(result)
