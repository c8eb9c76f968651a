"""ASC CDL: apply, fit, and the colourists' XML interchange (``.cdl`` ColorDecisionList, ``.cc`` ColorCorrection).

Per channel ``out = clamp(in × slope + offset) ^ power``, then saturation with Rec.709 luma weights
(0.2126, 0.7152, 0.0722): ``out = luma + sat × (out − luma)``, clamped to [0, 1].
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from editor.errors import EditParameterError

LUMA_709 = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
_NS = "urn:ASC:CDL:v1.01"


@dataclass(frozen=True)
class Cdl:
    """One ASC colour decision: slope, offset, power per channel (R, G, B) and saturation."""

    slope: tuple[float, float, float] = (1.0, 1.0, 1.0)
    offset: tuple[float, float, float] = (0.0, 0.0, 0.0)
    power: tuple[float, float, float] = (1.0, 1.0, 1.0)
    saturation: float = 1.0

    def __post_init__(self) -> None:
        vals = (*self.slope, *self.offset, *self.power, self.saturation)
        if not all(np.isfinite(v) for v in vals):
            raise EditParameterError("CDL values must be finite numbers")
        if min(self.slope) < 0 or min(self.power) <= 0 or self.saturation < 0:
            raise EditParameterError("CDL slope and saturation must be ≥ 0 and power > 0")

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        x = np.asarray(rgb, dtype=np.float32)
        s = np.asarray(self.slope, dtype=np.float32)
        o = np.asarray(self.offset, dtype=np.float32)
        p = np.asarray(self.power, dtype=np.float32)
        y = np.power(np.clip(x * s + o, 0.0, 1.0), p)
        luma = (y @ LUMA_709)[..., None]
        return np.clip(luma + np.float32(self.saturation) * (y - luma), 0.0, 1.0)

    def as_vector(self) -> np.ndarray:
        return np.array([*self.slope, *self.offset, *self.power, self.saturation], dtype=np.float64)

    @classmethod
    def from_vector(cls, v: np.ndarray) -> Cdl:
        v = [float(round(x, 6)) for x in v]
        return cls(tuple(v[0:3]), tuple(v[3:6]), tuple(v[6:9]), v[9])  # type: ignore[arg-type]

    def as_json(self) -> dict[str, object]:
        return {
            "slope": list(self.slope),
            "offset": list(self.offset),
            "power": list(self.power),
            "sat": self.saturation,
        }

    # --- XML interchange -------------------------------------------------------------------------------------
    def to_cc_element(self, cc_id: str) -> ET.Element:
        cc = ET.Element("ColorCorrection", {"id": cc_id})
        sop = ET.SubElement(cc, "SOPNode")
        ET.SubElement(sop, "Slope").text = " ".join(f"{v:.6f}" for v in self.slope)
        ET.SubElement(sop, "Offset").text = " ".join(f"{v:.6f}" for v in self.offset)
        ET.SubElement(sop, "Power").text = " ".join(f"{v:.6f}" for v in self.power)
        sat = ET.SubElement(cc, "SatNode")
        ET.SubElement(sat, "Saturation").text = f"{self.saturation:.6f}"
        return cc

    def to_cc(self, cc_id: str) -> str:
        """A ``.cc`` document: one ColorCorrection."""
        el = self.to_cc_element(cc_id)
        el.set("xmlns", _NS)
        return _xml(el)

    def to_cdl(self, cc_id: str) -> str:
        """A ``.cdl`` document: a ColorDecisionList holding one ColorDecision."""
        root = ET.Element("ColorDecisionList", {"xmlns": _NS})
        ET.SubElement(root, "ColorDecision").append(self.to_cc_element(cc_id))
        return _xml(root)

    def write(self, path: Path, cc_id: str) -> Path:
        """Write ``.cdl`` or ``.cc`` according to the suffix.

        Raises:
            EditParameterError: the suffix is neither.
        """
        path = Path(path)
        if path.suffix.lower() == ".cdl":
            path.write_text(self.to_cdl(cc_id))
        elif path.suffix.lower() == ".cc":
            path.write_text(self.to_cc(cc_id))
        else:
            raise EditParameterError(f"{path.name}: a CDL is written as .cdl or .cc")
        return path

    @classmethod
    def parse(cls, text: str) -> Cdl:
        """Parse the first ColorCorrection of a ``.cdl``, ``.cc`` or ``.ccc`` document.

        Raises:
            EditParameterError: malformed XML or missing SOP values.
        """
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise EditParameterError(f"CDL XML is malformed: {exc}") from None

        def find(tag: str) -> ET.Element | None:
            for el in root.iter():
                if el.tag.split("}")[-1] == tag:
                    return el
            return None

        try:
            slope, offset, power = (
                tuple(float(v) for v in (find(t).text or "").split())  # type: ignore[union-attr]
                for t in ("Slope", "Offset", "Power")
            )
            sat_el = find("Saturation")
            sat = float(sat_el.text) if sat_el is not None and sat_el.text else 1.0
            if not (len(slope) == len(offset) == len(power) == 3):
                raise ValueError("slope, offset and power need three values each")
        except (AttributeError, ValueError) as exc:
            raise EditParameterError(f"CDL XML lacks valid Slope/Offset/Power: {exc}") from None
        return cls(slope, offset, power, sat)  # type: ignore[arg-type]


def _xml(el: ET.Element) -> str:
    ET.indent(el)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(el, encoding="unicode") + "\n"


_LOWER = np.array([0.0, 0.0, 0.0, -0.5, -0.5, -0.5, 0.2, 0.2, 0.2, 0.0])
_UPPER = np.array([4.0, 4.0, 4.0, 0.5, 0.5, 0.5, 5.0, 5.0, 5.0, 4.0])


def fit_pairs(src: np.ndarray, dst: np.ndarray, *, max_samples: int = 4000, seed: int = 0) -> Cdl:
    """CDL taking ``src`` pixels to the corresponding ``dst`` pixels (both float RGB, same shape): closed-form
    per-channel slope/offset/power and saturation, then a short least-squares refinement of all ten values."""
    s, d = _sample(src, dst, max_samples, seed)
    slope, offset, power = _fit_channels(s.astype(np.float64), np.clip(d, 0, 1).astype(np.float64))
    base = Cdl.from_vector(np.array([*slope, *offset, *power, 1.0])).apply(s)
    luma = (base @ LUMA_709)[:, None]
    chroma = base - luma
    den = float((chroma**2).sum())
    sat = float(np.clip(((d - luma) * chroma).sum() / den, 0.0, 4.0)) if den > 1e-9 else 1.0
    start = np.clip(np.array([*slope, *offset, *power, sat]), _LOWER, _UPPER)

    def residual(v: np.ndarray) -> np.ndarray:
        return (Cdl.from_vector(np.clip(v, _LOWER, _UPPER)).apply(s) - d).ravel()

    res = least_squares(residual, start, bounds=(_LOWER, _UPPER), diff_step=1e-4, max_nfev=40)
    return Cdl.from_vector(res.x)


def _fit_channels(x: np.ndarray, y: np.ndarray) -> tuple[list[float], list[float], list[float]]:
    """Per channel, the power p (from a grid) and closed-form slope/offset with ``(s·x + o)^p ≈ y``."""
    slope, offset, power = [], [], []
    for c in range(3):
        xc, yc = x[:, c], y[:, c]
        t = yc[None, :] ** (1.0 / _POWERS[:, None])  # (P, K): targets of the linear part
        xm, tm = xc.mean(), t.mean(axis=1)
        var = max(float(((xc - xm) ** 2).sum()), 1e-9)
        a = np.clip(((xc - xm)[None, :] * (t - tm[:, None])).sum(axis=1) / var, _LOWER[c], _UPPER[c])
        b = np.clip(tm - a * xm, _LOWER[3 + c], _UPPER[3 + c])
        pred = np.clip(a[:, None] * xc[None, :] + b[:, None], 0.0, 1.0) ** _POWERS[:, None]
        k = int(np.argmin(((pred - yc[None, :]) ** 2).sum(axis=1)))
        slope.append(float(a[k]))
        offset.append(float(b[k]))
        power.append(float(_POWERS[k]))
    return slope, offset, power


_POWERS = np.exp(np.linspace(np.log(0.3), np.log(3.5), 48))


def fit_match(src: np.ndarray, ref: np.ndarray, *, quantiles: int = 33) -> Cdl:
    """CDL making ``src``'s per-channel distribution and saturation match ``ref``'s (no pixel correspondence).

    Per channel, for each candidate power p the slope/offset solving ``(s·q_src + o) ≈ q_ref^(1/p)`` in least
    squares are closed-form; the p with the smallest error in the output domain wins. Saturation then comes from
    the ratio of the chroma spreads. ~1 ms, so it can run per training sample.
    """
    qs = np.linspace(0.02, 0.98, quantiles)
    s = np.asarray(src, dtype=np.float32).reshape(-1, 3)
    r = np.asarray(ref, dtype=np.float32).reshape(-1, 3)
    qsrc = np.quantile(s, qs, axis=0).astype(np.float64)  # (Q, 3)
    qref = np.clip(np.quantile(r, qs, axis=0).astype(np.float64), 0.0, 1.0)
    slope, offset, power = _fit_channels(qsrc, qref)
    base = Cdl.from_vector(np.array([*slope, *offset, *power, 1.0]))
    chroma = _chroma_spread(base.apply(s))
    sat = float(np.clip(_chroma_spread(r) / chroma, 0.0, 4.0)) if chroma > 1e-6 else 1.0
    return Cdl(base.slope, base.offset, base.power, round(sat, 6))


def _chroma_spread(rgb: np.ndarray) -> float:
    luma = rgb @ LUMA_709
    return float(np.sqrt(np.mean((rgb - luma[:, None]) ** 2)))


def _sample(src: np.ndarray, dst: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(src, dtype=np.float32).reshape(-1, 3)
    d = np.asarray(dst, dtype=np.float32).reshape(-1, 3)
    if s.shape != d.shape:
        raise EditParameterError(f"CDL fit needs matching pixel arrays, got {s.shape} and {d.shape}")
    if len(s) > n:
        idx = np.random.default_rng(seed).choice(len(s), n, replace=False)
        s, d = s[idx], d[idx]
    return s, d
