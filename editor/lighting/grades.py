"""Grade operations on float RGB in [0, 1]: the user's parametric adjustments, and the reference looks used to
build training pairs where the production has no graded dailies.

``Adjustments`` (exposure in stops, temperature/tint, contrast, saturation, lift/gamma/gain) are the parameters an
editor types; they are not applied to the shot directly but to the *target look* that the project's model then
reproduces (see ``editor.lighting.relight``), so results stay within what the model learned from the footage.

``Look`` = ASC CDL + a non-linear tone curve (a smooth S-curve with a toe/shoulder) — the family of grades the
training pairs and the benchmark's held-out "graded dailies" are made with. With the shared test footage there
are no real graded dailies, so the pairs are *built for the purpose* by grading the clips with random looks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from editor.errors import EditParameterError
from editor.lighting.cdl import LUMA_709, Cdl


@dataclass(frozen=True)
class Adjustments:
    """Parametric grade adjustments; all-zero/one values are the identity."""

    exposure: float = 0.0  # stops
    temperature: float = 0.0  # −1 (cooler/bluer) … +1 (warmer/amber)
    tint: float = 0.0  # −1 (green) … +1 (magenta)
    contrast: float = 1.0  # around mid grey 0.18 in a log-ish space
    saturation: float = 1.0
    lift: float = 0.0  # −0.2 … 0.2
    gamma: float = 1.0  # 0.5 … 2
    gain: float = 1.0  # 0.5 … 2

    def __post_init__(self) -> None:
        ranges = {
            "exposure": (-4, 4),
            "temperature": (-1, 1),
            "tint": (-1, 1),
            "contrast": (0.25, 4),
            "saturation": (0, 3),
            "lift": (-0.2, 0.2),
            "gamma": (0.5, 2),
            "gain": (0.5, 2),
        }
        for name, (lo, hi) in ranges.items():
            v = getattr(self, name)
            if not isinstance(v, int | float) or not np.isfinite(v) or not lo <= v <= hi:
                raise EditParameterError(f"{name} {v!r} must be a number in [{lo}, {hi}]")

    @property
    def is_identity(self) -> bool:
        return self == Adjustments()

    def as_json(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        x = np.asarray(rgb, dtype=np.float32) * np.float32(2.0**self.exposure)
        wb = np.array([1 + 0.12 * self.temperature, 1 - 0.08 * self.tint, 1 - 0.12 * self.temperature], np.float32)
        x = x * wb
        x = self.gain * (x + self.lift * (1 - x))
        x = np.power(np.clip(x, 0.0, 1.0), np.float32(1.0 / self.gamma))
        if self.contrast != 1.0:
            pivot = np.float32(0.435)  # mid grey 0.18 after a 2.2 display gamma
            x = pivot + (x - pivot) * np.float32(self.contrast)
        luma = (np.clip(x, 0, 1) @ LUMA_709)[..., None]
        x = luma + np.float32(self.saturation) * (x - luma)
        return np.clip(x, 0.0, 1.0)


@dataclass(frozen=True)
class Look:
    """A reference grade: CDL then an S-curve of strength ``curve`` (0 = none) with pivot ``pivot``."""

    cdl: Cdl
    curve: float = 0.0
    pivot: float = 0.5

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        x = self.cdl.apply(rgb)
        if self.curve == 0.0:
            return x
        k = np.float32(1.0 + 4.0 * self.curve)
        p = np.float32(self.pivot)
        lo = 1.0 / (1.0 + np.exp(k * p))
        hi = 1.0 / (1.0 + np.exp(-k * (1 - p)))
        y = (1.0 / (1.0 + np.exp(-k * (x - p))) - lo) / (hi - lo)
        return np.clip(y.astype(np.float32), 0.0, 1.0)

    def as_json(self) -> dict[str, object]:
        return {"cdl": self.cdl.as_json(), "curve": self.curve, "pivot": self.pivot}


def random_look(rng: np.random.Generator, strength: float = 1.0) -> Look:
    """A plausible dailies grade: warm/cool balance, exposure, contrast, saturation and a tone curve."""
    s = strength
    slope = np.exp(rng.normal(0, 0.12 * s, 3) + rng.normal(0, 0.15 * s))
    offset = rng.normal(0, 0.025 * s, 3)
    power = np.exp(rng.normal(0, 0.12 * s, 3) + rng.normal(0, 0.1 * s))
    sat = float(np.exp(rng.normal(0, 0.2 * s)))
    cdl = Cdl(
        tuple(float(v) for v in slope.clip(0.3, 3)),  # type: ignore[arg-type]
        tuple(float(v) for v in offset.clip(-0.2, 0.2)),  # type: ignore[arg-type]
        tuple(float(v) for v in power.clip(0.4, 2.5)),  # type: ignore[arg-type]
        min(sat, 3.0),
    )
    return Look(cdl, float(np.clip(abs(rng.normal(0, 0.5 * s)), 0, 1.5)), float(rng.uniform(0.35, 0.6)))
