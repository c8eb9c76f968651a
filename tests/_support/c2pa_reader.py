"""An independent reader of C2PA manifest stores, for tests: JUMBF (ISO/IEC 19566-5) and CBOR (RFC 8949) parsed
here from the bytes, with no c2pa-rs code involved.

It does not validate signatures (that is the SDK's job, checked elsewhere); it reads what the claim actually says —
which assertions are ``created_assertions`` and which ``gathered_assertions`` (claim v2), every assertion's content,
the ingredients, and the signer certificate carried in the COSE signature — so tests can check the structure the
specification asks for without trusting the library that wrote it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any


def _head(data: bytes, i: int) -> tuple[int, int, int]:
    """(major type, argument, next offset) of the CBOR data item at ``i``."""
    b = data[i]
    major, info = b >> 5, b & 0x1F
    i += 1
    if info < 24:
        return major, info, i
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        if info == 31:
            return major, -1, i  # indefinite length
        raise ValueError(f"bad CBOR additional info {info} at {i - 1}")
    return major, int.from_bytes(data[i : i + size], "big"), i + size


def cbor_decode(data: bytes, i: int = 0) -> tuple[Any, int]:
    """Decode one CBOR item at ``i``; returns (value, next offset). Tags are returned as ``("tag", n, value)``."""
    first = data[i]
    major, arg, i = _head(data, i)
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major in (2, 3):
        if arg == -1:
            parts = []
            while data[i] != 0xFF:
                part, i = cbor_decode(data, i)
                parts.append(part)
            joined = b"".join(parts) if major == 2 else "".join(parts)
            return joined, i + 1
        raw = data[i : i + arg]
        return (raw if major == 2 else raw.decode("utf-8")), i + arg
    if major == 4:
        out = []
        if arg == -1:
            while data[i] != 0xFF:
                v, i = cbor_decode(data, i)
                out.append(v)
            return out, i + 1
        for _ in range(arg):
            v, i = cbor_decode(data, i)
            out.append(v)
        return out, i
    if major == 5:
        m: dict[Any, Any] = {}
        count = arg
        while count != 0:
            if count == -1 and data[i] == 0xFF:
                return m, i + 1
            k, i = cbor_decode(data, i)
            v, i = cbor_decode(data, i)
            m[k if not isinstance(k, list) else tuple(k)] = v
            if count > 0:
                count -= 1
        return m, i
    if major == 6:
        v, i = cbor_decode(data, i)
        return ("tag", arg, v), i
    info = first & 0x1F
    if info == 20:
        return False, i
    if info == 21:
        return True, i
    if info in (22, 23):
        return None, i
    if info == 25:
        return _half(arg), i
    if info == 26:
        return struct.unpack(">f", arg.to_bytes(4, "big"))[0], i
    if info == 27:
        return struct.unpack(">d", arg.to_bytes(8, "big"))[0], i
    return arg, i


def _half(bits: int) -> float:
    return struct.unpack(">e", bits.to_bytes(2, "big"))[0]


@dataclass
class Box:
    """A JUMBF superbox: its description label and its content boxes (type, payload) or child superboxes."""

    label: str
    children: list[Box] = field(default_factory=list)
    contents: list[tuple[str, bytes]] = field(default_factory=list)

    def child(self, label: str) -> Box | None:
        return next((c for c in self.children if c.label == label), None)


def _boxes(data: bytes, start: int, end: int) -> list[tuple[str, bytes]]:
    out = []
    i = start
    while i + 8 <= end:
        size = int.from_bytes(data[i : i + 4], "big")
        kind = data[i + 4 : i + 8].decode("latin-1")
        header = 8
        if size == 1:
            size = int.from_bytes(data[i + 8 : i + 16], "big")
            header = 16
        elif size == 0:
            size = end - i
        out.append((kind, data[i + header : i + size]))
        i += size
    return out


def parse_jumbf(data: bytes) -> Box:
    """The top superbox (``jumb``) of a manifest store."""
    boxes = _boxes(data, 0, len(data))
    if not boxes or boxes[0][0] != "jumb":
        raise ValueError("not a JUMBF superbox")
    return _superbox(boxes[0][1])


def _superbox(payload: bytes) -> Box:
    parts = _boxes(payload, 0, len(payload))
    kind, desc = parts[0]
    if kind != "jumd":
        raise ValueError("a JUMBF superbox starts with its description box")
    toggles = desc[16]
    label = ""
    if toggles & 0x02:
        end = desc.index(b"\x00", 17)
        label = desc[17:end].decode("utf-8")
    box = Box(label)
    for kind, body in parts[1:]:
        if kind == "jumb":
            box.children.append(_superbox(body))
        else:
            box.contents.append((kind, body))
    return box


@dataclass
class IndependentManifest:
    """One manifest of a store, as this reader sees it."""

    label: str
    claim_label: str
    claim: dict[str, Any]
    assertions: dict[str, Any]
    signature: Any
    claim_bytes: bytes = b""

    def _urls(self, key: str) -> list[str]:
        return [str(ref["url"]).rsplit("/", 1)[-1] for ref in self.claim.get(key, [])]

    @property
    def created(self) -> list[str]:
        return self._urls("created_assertions")

    @property
    def gathered(self) -> list[str]:
        return self._urls("gathered_assertions")

    def signer_certificate_der(self) -> bytes:
        """The leaf certificate from the COSE_Sign1 signature's x5chain (label 33), protected or unprotected."""
        sign1 = self.signature[2] if isinstance(self.signature, tuple) else self.signature
        protected, _ = cbor_decode(sign1[0]) if sign1[0] else ({}, 0)
        chain = protected.get(33) or sign1[1].get(33) or sign1[1].get("x5chain")
        return chain[0] if isinstance(chain, list) else chain

    def unprotected_header(self) -> dict[Any, Any]:
        sign1 = self.signature[2] if isinstance(self.signature, tuple) else self.signature
        return dict(sign1[1])


def _content(box: Box) -> Any:
    for kind, body in box.contents:
        if kind == "cbor":
            return cbor_decode(body)[0]
        if kind == "json":
            import json

            return json.loads(body)
    return None


def read_store(data: bytes) -> list[IndependentManifest]:
    """Every manifest in a C2PA manifest store (the active one last)."""
    top = parse_jumbf(data)
    if top.label != "c2pa":
        raise ValueError(f"top box is {top.label!r}, not a C2PA manifest store")
    out = []
    for m in top.children:
        claim_box = m.child("c2pa.claim.v2") or m.child("c2pa.claim")
        sig_box = m.child("c2pa.signature")
        store = m.child("c2pa.assertions")
        if claim_box is None or sig_box is None or store is None:
            raise ValueError(f"manifest {m.label} lacks a claim, signature or assertion store")
        assertions = {a.label: _content(a) for a in store.children}
        raw = next((body for kind, body in claim_box.contents if kind == "cbor"), b"")
        out.append(
            IndependentManifest(m.label, claim_box.label, _content(claim_box), assertions, _content(sig_box), raw)
        )
    return out


def walk_strings(node: Any, path: str = "") -> list[tuple[str, str]]:
    """Every (path, string) in a decoded structure, keys included."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(k, str):
                found.append((f"{path}/<key>", k))
            found += walk_strings(v, f"{path}/{k}")
    elif isinstance(node, list | tuple):
        for i, v in enumerate(node):
            found += walk_strings(v, f"{path}[{i}]")
    elif isinstance(node, str):
        found.append((path, node))
    return found
