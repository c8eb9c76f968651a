"""Which bank mouths may be drawn for a shot: where the bank holds a take clearly less like the shot than another
(another recording session), that take is left out and only the better-fitting half of the rest's mouths is kept.

Issue 18, Obama: the rebuilt mouth scored at the median of holding one bank mouth, and 0.94 dB under the
static-mouth peer on one take. Scored against every frame of that take (a one-off probe: every 2nd bank mouth placed
on every 3rd frame), a bank mouth's placed error was mostly the mouth's own, not the frame's: its mean over the odd
frames ranked the mouths as its mean over the even ones did, and it explained their ranking on a single frame at
Spearman 0.75, where the audio distance did at 0.14 and head pose (roll, yaw, pitch from the eyes and nose) at 0.09.
Obama's bank takes were recorded in other sessions, and the mouths that fitted the shot were mostly one take's.
But cutting every pool to its better-fitting half lost 0.4–0.8 dB on CREMA-D and GRID, whose takes share the
shot's session: there it removed shapes the line needed. Measured on the skin around the lips alone, the cut lost
as much on CREMA-D and gained less on Obama (+0.22 and +0.48 dB on two takes, against +1.01 and +0.56). Leaving out
the worse take alone gained 0.16–0.34 dB on Obama's first take. So the fit first asks whether the bank holds
another session, take by take, and only then cuts mouths:

1. **The shot's mouths.** At most ``FIT_FRAMES`` of the shot's frames, evenly spaced over the frames given
   (``dub``: the edit's range, whose mouths speak the old line with the same face, pose and light; a rebuild
   experiment passes frames outside the ones it scores), at half the bank's crop size.
2. **A mouth's fit.** Each pool mouth is resized to them and colour-matched to each as the blend does
   (``blend.colour_match``, the skin's plane); its error is the mean squared difference over the mouth ellipse.
   Its fit is the PSNR of the mean error over the ``NEAREST`` share of the shot's frames it is closest to — how it
   compares with the shot's mouth at the moments it most resembles, so an open mouth is not held against a shot
   that opens its mouth at all.
3. **The takes.** The best take is the one whose mouths' median fit is highest. Another take is left out when a
   mouth of it fits better than a mouth of the best take in fewer than ``MIN_SHARE`` of all pairs (the common-
   language effect size; 0.5 = alike): most of its mouths fit worse, not a few. A pool of one take is never cut
   (nothing says it is another session), so it is not scored either.
4. **The mouths.** Only where a take was left out, the kept takes' mouths are cut to the ``KEEP`` share that fits
   best (at least ``MIN_KEPT``): a bank from other sessions is drawn from where it looks most like the shot. Where no
   take was left out the pool stays whole, and the line's sound alone chooses among its shapes.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from editor.dialogue.blend import INNER, inner_mask, lab, shared_skin, skin_field, skin_pixels

FIT_FRAMES = 32  # at most this many of the shot's frames are compared (evenly spaced)
NEAREST = 0.25  # a mouth's fit: over this share of the shot's frames it is closest to
MIN_SHARE = 0.25  # a take is left out when its mouths beat the best take's in fewer than this share of pairs
KEEP = 0.5  # where a take was left out, this share of the kept takes' mouths is kept, the fittest first
MIN_KEPT = 24  # but never fewer mouths than this (or all of them when there are fewer)


@dataclass(frozen=True)
class MouthFit:
    """The pool cut to the takes and mouths that fit the shot (steps 3–4), and the evidence, for the signed
    result."""

    allowed: np.ndarray  # (N,) bool over the whole bank: the mouths selection may choose from
    fit_db: np.ndarray  # (N,) each pool mouth's fit (step 2, dB); nan outside the pool
    shares: dict[int, float]  # per pool take: the share of pairs its mouths beat the best take's in (best: 0.5)
    frames: int  # the shot's frames compared

    @property
    def kept(self) -> int:
        return int(self.allowed.sum())

    def as_metrics(self) -> dict[str, float]:
        """The shot's frames compared; the pool's takes and those kept; the mouths kept; the lowest share of a
        take against the best (0.5 when there is one take); the kept and left-out mouths' median fit (dB)."""
        out = {
            "selection_fit_frames": float(self.frames),
            "selection_fit_takes": float(len(self.shares)),
            "selection_fit_takes_kept": float(sum(v >= MIN_SHARE for v in self.shares.values())),
            "selection_fit_kept": float(self.kept),
            "selection_fit_lowest_share": round(min(self.shares.values(), default=0.5), 4),
        }
        scored = np.isfinite(self.fit_db)  # a one-take pool is not scored (step 3)
        for name, mask in (("kept", scored & self.allowed), ("dropped", scored & ~self.allowed)):
            if mask.any():
                out[f"selection_fit_{name}_db"] = round(float(np.median(self.fit_db[mask])), 3)
        return out


def fit_size(crops: np.ndarray) -> tuple[int, int]:
    """Half the bank's crop size (at least 64×40): the size mouths are compared with the shot at."""
    h, w = crops.shape[1:3]
    return max(64, w // 2), max(40, h // 2)


def _shrink(crops: np.ndarray, size: tuple[int, int]) -> list[np.ndarray]:
    return [c if c.shape[1::-1] == size else cv2.resize(c, size, interpolation=cv2.INTER_AREA) for c in crops]


def mouth_fits(bank: np.ndarray, index: np.ndarray, shot: np.ndarray) -> tuple[np.ndarray, int]:
    """Steps 1–2: the fit (dB) of each bank mouth ``index`` to ``shot`` (``(T, h', w', 3)`` uint8 crops of the
    shot's mouth box, any size), and the number of the shot's frames compared.

    Each pair is ``blend.colour_match(mouth, target)`` to the bit, but each crop's Lab and own skin pixels are
    worked out once, not for every pair (a 720p bank of 259 mouths against 25 frames: 7.3 s, against 19.2 s)."""
    size = fit_size(bank)
    ell = inner_mask(size[0], size[1], 0.3, INNER) > 0.01
    step = max(1, -(-len(shot) // FIT_FRAMES))
    targets = [(t_lab, skin_pixels(t_lab), t.astype(np.float32)) for t in _shrink(shot[::step], size)
               for t_lab in [lab(t)]]  # fmt: skip
    nearest = max(1, round(NEAREST * len(targets)))
    fits = np.empty(len(index))
    for i, mouth in enumerate(_shrink(bank[index], size)):
        m_lab = lab(mouth)
        m_skin = skin_pixels(m_lab)
        errs = []
        for t_lab, t_skin, t_rgb in targets:
            matched = m_lab + skin_field(m_lab, t_lab, shared_skin(m_skin, t_skin))
            rgb = cv2.cvtColor(np.clip(matched, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)
            errs.append(float(((rgb - t_rgb) ** 2).mean(-1)[ell].mean()))
        fits[i] = 10.0 * np.log10(255.0**2 / max(float(np.mean(np.sort(errs)[:nearest])), 1e-6))
    return fits, len(targets)


def beat_share(a: np.ndarray, b: np.ndarray) -> float:
    """The share of pairs (one of ``a``, one of ``b``) in which ``a``'s value is higher (ties count half)."""
    diff = a[:, None] - b[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def mouth_fit(bank: np.ndarray, pool: np.ndarray, take_ids: np.ndarray, shot: np.ndarray) -> MouthFit:
    """Cut ``pool`` to the bank takes and mouths that fit ``shot`` (steps 1–4).

    Args:
        bank: ``(N, h, w, 3)`` uint8 bank crops.
        pool: ``(N,)`` bool, the mouths selection could choose from (a rebuild's excluded take left out).
        take_ids: ``(N,)`` each mouth's take.
        shot: ``(T, h', w', 3)`` uint8 crops of the shot's mouth box (any size; resized).
    """
    index = np.nonzero(pool)[0]
    takes = np.unique(take_ids[index])
    if len(takes) < 2:  # step 3: nothing to leave out, so nothing is scored
        return MouthFit(pool.copy(), np.full(len(bank), np.nan), {int(t): 0.5 for t in takes}, 0)
    fits, frames = mouth_fits(bank, index, shot)
    fit_db = np.full(len(bank), np.nan)
    fit_db[index] = fits
    of = {int(t): fit_db[pool & (take_ids == t)] for t in takes}
    best = max(of, key=lambda t: float(np.median(of[t])), default=None)
    shares = {t: 0.5 if t == best else beat_share(v, of[best]) for t, v in of.items()}
    allowed = pool & np.isin(take_ids, [t for t, v in shares.items() if v >= MIN_SHARE])
    if allowed.sum() < pool.sum():  # step 4: another session in the bank
        kept = np.nonzero(allowed)[0]
        n = min(len(kept), max(MIN_KEPT, int(np.ceil(KEEP * len(kept)))))
        allowed = np.zeros(len(bank), bool)
        allowed[kept[np.argsort(-fit_db[kept], kind="stable")[:n]]] = True
    return MouthFit(allowed, fit_db, shares, frames)
