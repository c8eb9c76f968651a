"""The JSON lines of ``bench/watermark.py`` and its summaries: ``emit`` (one line per metric), the per-method
``attack_summary``/``method_summary`` lines, and the cross-method ``side_by_side``, ``side_by_side_summary`` and
``ratio`` lines (ours restricted to each peer's cases vs the peer)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np


def emit(**kw: Any) -> None:
    print(json.dumps(kw), flush=True)


def summarise(m: Any, s: dict[str, Any], only: set[tuple[str, str]] | None = None) -> dict[str, Any]:
    """Per-attack and overall figures, over all cases or over ``only`` (the cases a peer also ran)."""
    cases = {k: v for k, v in s["cases"].items() if only is None or k in only}
    clips = sorted({c for c, _ in cases})
    rows: dict[str, dict[str, Any]] = {}
    for attack in dict.fromkeys(a for _, a in cases):
        res = [v for (_, a), v in cases.items() if a == attack]
        rows[attack] = {
            "exact": f"{sum(r[0] for r in res)}/{len(res)}",
            "exact_rate": float(np.mean([r[0] for r in res])),
            "bit_accuracy": float(np.mean([r[1] for r in res])),
            "wrong_keys": int(sum(r[2] for r in res)),
        }
    emb = [s["embed"][c] for c in clips]
    return {
        "rows": rows,
        "clips": clips,
        "psnr_y": float(np.mean([e[0] for e in emb])),
        "psnr_y_min": float(np.min([e[0] for e in emb])),
        "psnr_bgr": float(np.mean([e[1] for e in emb])),
        "ms_per_frame_native": float(np.mean([e[2] for e in emb])),
        "cpu_ms_per_frame_native": float(np.mean([e[3] for e in emb])),
        "exact_rate_all": float(np.mean([r[0] for r in cases.values()])),
        "bit_accuracy_all": float(np.mean([r[1] for r in cases.values()])),
    }


def emit_summary(name: str, bits: int, r: dict[str, Any]) -> None:
    for attack, row in r["rows"].items():
        emit(metric="attack_summary", method=name, payload_bits=bits, attack=attack, **row)
    emit(metric="method_summary", method=name, payload_bits=bits, clips=len(r["clips"]),
         **{k: round(v, 4) for k, v in r.items() if isinstance(v, float)})  # fmt: skip


def side_by_side(methods: dict[str, Any], stats: dict[str, Any]) -> None:
    """One line per attack with every method's exact-recovery count/rate and bit accuracy (same run), then one
    line per peer with ours restricted to the peer's clips and attacks and the ratios ours/peer."""
    attacks = dict.fromkeys(a for st in stats.values() for _, a in st["cases"])
    for attack in attacks:
        cols: dict[str, Any] = {}
        for key, st in stats.items():
            res = [v for (_, a), v in st["cases"].items() if a == attack]
            if res:
                cols[f"{key}_exact"] = f"{sum(r[0] for r in res)}/{len(res)}"
                cols[f"{key}_bit_accuracy"] = round(float(np.mean([r[1] for r in res])), 4)
        emit(metric="side_by_side", attack=attack, **cols)
    summary: dict[str, Any] = {}
    for key, st in stats.items():
        r = summarise(methods[key], st)
        for field in ("exact_rate_all", "bit_accuracy_all", "psnr_y", "psnr_y_min", "psnr_bgr"):
            summary[f"{key}_{field}"] = round(r[field], 4)
        summary[f"{key}_ms_per_frame"] = round(r["ms_per_frame_native"], 1)
        summary[f"{key}_cpu_ms_per_frame"] = round(r["cpu_ms_per_frame_native"], 1)
        summary[f"{key}_cases"] = len(st["cases"])
    emit(metric="side_by_side_summary", **summary)
    if "cutproof" not in stats:
        return
    for key, st in stats.items():
        if key == "cutproof":
            continue
        peer = summarise(methods[key], st)
        ours = summarise(methods["cutproof"], stats["cutproof"], only=set(st["cases"]))
        emit(
            metric="ratio",
            vs=methods[key].name,
            same_cases=len(st["cases"]),
            clips=peer["clips"],
            exact_rate_ours=round(ours["exact_rate_all"], 4),
            exact_rate_peer=round(peer["exact_rate_all"], 4),
            exact_rate_ours_over_peer=_ratio(ours["exact_rate_all"], peer["exact_rate_all"]),
            bit_accuracy_ours=round(ours["bit_accuracy_all"], 4),
            bit_accuracy_peer=round(peer["bit_accuracy_all"], 4),
            bit_accuracy_ours_over_peer=round(ours["bit_accuracy_all"] / max(peer["bit_accuracy_all"], 1e-9), 3),
            psnr_y_ours=round(ours["psnr_y"], 2),
            psnr_y_peer=round(peer["psnr_y"], 2),
            psnr_y_ours_minus_peer_db=round(ours["psnr_y"] - peer["psnr_y"], 2),
            psnr_bgr_ours_minus_peer_db=round(ours["psnr_bgr"] - peer["psnr_bgr"], 2),
            ms_per_frame_ours=round(ours["ms_per_frame_native"], 1),
            ms_per_frame_peer=round(peer["ms_per_frame_native"], 1),
            ms_per_frame_ours_over_peer=round(ours["ms_per_frame_native"] / max(peer["ms_per_frame_native"], 1e-9), 4),
            cpu_ms_per_frame_ours_over_peer=round(
                ours["cpu_ms_per_frame_native"] / max(peer["cpu_ms_per_frame_native"], 1e-9), 4
            ),
            payload_bits_ours=methods["cutproof"].payload_bits,
            payload_bits_peer=methods[key].payload_bits,
        )


def _ratio(a: float, b: float) -> float | None:
    """``a / b`` rounded, or ``None`` (JSON null) where the peer scored 0."""
    return round(a / b, 3) if b > 0 else None
