"""The per-project face-identity model: z-scored HOG/LBP descriptors, one mean per performer, open-set thresholds.

Training (``train_cast``): every tag seeds a face track in its clip (``tracking.track_faces`` over sampled frames
plus the tagged frame; the track whose box best overlaps the tag's is the performer's). The observations of all
seeded tracks (and their mirror images) give the per-feature mean/std used to z-score descriptors and one mean
per performer. A face is that performer when its distance to their mean (RMS over features) is below the
performer's threshold, calibrated on held-out observations: leave-one-clip-out when a performer was tagged in two
or more clips, else the second half of each track against a mean of the first halves. The threshold sits between
the largest held-out distance of the performer and the smallest distance of another performer's faces (the
midpoint), or 1.35 × the largest held-out distance when there is no other performer (or that is lower).
A face above every threshold is *unidentified* — the gate turns that into a human review.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench._legacy_cast._features import F32, FEATURE_VERSION, descriptors
from bench._legacy_cast.tracking import DEFAULT_SAMPLES, Track, iou, track_faces
from editor.cast.errors import CastModelError, NoTagsError, TagError
from editor.cast.tags import CastTag
from editor.manifest import TrainingInput, TrainingManifest, code_version
from editor.models import pack_model
from media import MediaInfo, read_frame

KIND = "cast"
FORMAT = "cast-npz/1"
SOLO_MARGIN = 1.35
TAG_IOU = 0.3


@dataclass(frozen=True)
class CastModel:
    """A trained cast: performer labels, their means in z-space, per-performer thresholds and the z-score stats."""

    labels: tuple[str, ...]
    means: F32  # (labels, D) in z-space
    thresholds: F32  # (labels,)
    mu: F32
    sd: F32
    feature_version: str = FEATURE_VERSION

    def __post_init__(self) -> None:
        n, d = len(self.labels), self.mu.shape[0]
        if n == 0 or self.means.shape != (n, d) or self.thresholds.shape != (n,) or self.sd.shape != (d,):
            raise CastModelError("cast model arrays do not agree in shape; retrain with `cutproof model train cast`")
        if self.feature_version != FEATURE_VERSION:
            raise CastModelError(
                f"cast model uses descriptors {self.feature_version}, this engine computes {FEATURE_VERSION}; retrain"
            )

    def distances(self, features: F32) -> F32:
        """(N, labels) RMS distances of N raw descriptors to every performer's mean."""
        z = (np.atleast_2d(features) - self.mu) / self.sd
        diff = z[:, None, :] - self.means[None, :, :]
        return (np.sqrt((diff**2).mean(axis=2))).astype(np.float32)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        meta = json.dumps({"labels": list(self.labels), "feature_version": self.feature_version}).encode()
        np.savez(
            buf,
            means=self.means,
            thresholds=self.thresholds,
            mu=self.mu,
            sd=self.sd,
            meta=np.frombuffer(meta, np.uint8),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> CastModel:
        """Parse a model payload.

        Raises:
            CastModelError: not a cast model payload.
        """
        try:
            with np.load(io.BytesIO(payload), allow_pickle=False) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                return cls(
                    tuple(meta["labels"]),
                    z["means"].astype(np.float32),
                    z["thresholds"].astype(np.float32),
                    z["mu"].astype(np.float32),
                    z["sd"].astype(np.float32),
                    meta["feature_version"],
                )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CastModelError(f"not a cast model payload: {exc}") from None


@dataclass(frozen=True)
class TrainedCast:
    """The outcome of training: the model, its manifest (model id), its packed file and the training metrics."""

    model: CastModel
    manifest: TrainingManifest
    model_file: bytes
    metrics: dict[str, Any]


def _seed(info: MediaInfo, tags: Sequence[CastTag], tracks: list[Track]) -> list[tuple[CastTag, Track | None]]:
    out: list[tuple[CastTag, Track | None]] = []
    owner: dict[int, str] = {}
    for tag in tags:
        box = (tag.box.x, tag.box.y, tag.box.width, tag.box.height)
        scored = [(iou(t.box_at(tag.frame), box), t) for t in tracks if min(abs(f - tag.frame) for f in t.frames) <= 1]
        best = max(scored, key=lambda s: s[0], default=(0.0, None))
        track = best[1] if best[0] >= TAG_IOU else None
        if track is not None:
            if owner.get(track.track_id, tag.label) != tag.label:
                raise TagError(
                    f"{info.path.name}: the face tagged {tag.label!r} at frame {tag.frame} is the same track as "
                    f"{owner[track.track_id]!r}; remove one of the two tags"
                )
            owner[track.track_id] = tag.label
        out.append((tag, track))
    return out


def _calibrate(groups: Mapping[str, list[tuple[str, F32]]], mu: F32, sd: F32) -> tuple[F32, F32, dict[str, Any]]:
    """Per-label means (all data) and thresholds (held-out distances), plus calibration metrics."""
    labels = sorted(groups)
    z = {lab: [(clip, (x - mu) / sd) for clip, x in groups[lab]] for lab in labels}
    means = np.stack([np.concatenate([x for _, x in z[lab]]).mean(0) for lab in labels]).astype(np.float32)
    rms = lambda a, m: np.sqrt(((a - m) ** 2).mean(axis=1))  # noqa: E731
    thresholds, held = [], {}
    for i, lab in enumerate(labels):
        clips = sorted({c for c, _ in z[lab]})
        genuine: list[float] = []
        if len(clips) >= 2:
            for c in clips:
                train = np.concatenate([x for cc, x in z[lab] if cc != c])
                test = np.concatenate([x[::2] for cc, x in z[lab] if cc == c])  # originals only (no mirrors)
                genuine.append(float(rms(test, train.mean(0)).mean()))
        else:
            firsts = [x[: max(2, len(x) // 2 // 2 * 2)] for _, x in z[lab]]
            seconds = [x[max(2, len(x) // 2 // 2 * 2) :: 2] for _, x in z[lab]]
            train = np.concatenate(firsts)
            test = np.concatenate([s for s in seconds if len(s)] or [x[::2] for _, x in z[lab]])
            genuine.extend(float(v) for v in rms(test, train.mean(0)))
        others = [x[::2] for other in labels if other != lab for _, x in z[other]]
        impostor = float(rms(np.concatenate(others), means[i]).min()) if others else None
        g = max(genuine)
        solo = SOLO_MARGIN * g
        tau = solo if impostor is None or impostor <= g else min(solo, (g + impostor) / 2)
        thresholds.append(tau)
        held[lab] = {"held_out_max": round(g, 4), "impostor_min": None if impostor is None else round(impostor, 4)}
    return means, np.array(thresholds, np.float32), held


def train_cast(
    clips: Mapping[str, MediaInfo],
    tags: Sequence[CastTag],
    *,
    samples: int = DEFAULT_SAMPLES,
) -> TrainedCast:
    """Train a cast model from the production's tags.

    Args:
        clips: Every tagged clip's probed media, by content hash.
        tags: The tags (``CastTags.list(project)``).
        samples: Frames sampled per tagged clip to grow each tag into a track.

    Raises:
        NoTagsError: no tags, or a tag names a clip not given.
        TagError: two tags put different performers on one face track.
    """
    tags = sorted(tags, key=lambda t: (t.label, t.clip_hash, t.frame, t.box.x, t.box.y, t.box.width, t.box.height))
    if not tags:
        raise NoTagsError("no faces are tagged; tag a few frames per performer with `cutproof cast tag` first")
    missing = sorted({t.clip_hash for t in tags} - set(clips))
    if missing:
        raise NoTagsError(f"tagged clip {missing[0][:12]} is not in the catalogue; ingest it or remove its tags")
    groups: dict[str, list[tuple[str, F32]]] = {}
    inputs: dict[tuple[str, int, int], TrainingInput] = {}
    seeded = 0
    for clip_hash in sorted({t.clip_hash for t in tags}):
        info = clips[clip_hash]
        clip_tags = [t for t in tags if t.clip_hash == clip_hash]
        tracks, _seen = track_faces(info, samples=samples, extra_frames=tuple(t.frame for t in clip_tags), mirror=True)
        for tag, track in _seed(info, clip_tags, tracks):
            if track is not None:
                feats, frames = np.concatenate(track.features), (track.frames[0], track.frames[-1] + 1)
                seeded += 1
            else:  # the detector missed the tagged face: learn from the tagged box alone
                rgb = read_frame(info, tag.frame, "rgb24")
                box = (tag.box.x, tag.box.y, tag.box.width, tag.box.height)
                feats, frames = np.stack(descriptors(rgb, box, mirror=True)), (tag.frame, tag.frame + 1)
            groups.setdefault(tag.label, []).append((clip_hash, feats))
            key = (clip_hash, *frames)
            inputs[key] = TrainingInput(clip_hash, frames[0], frames[1], info.frame_rate, role="tagged")
    all_x = np.concatenate([x for g in groups.values() for _, x in g])
    mu, sd = all_x.mean(0).astype(np.float32), (all_x.std(0) + 1e-3).astype(np.float32)
    means, thresholds, held = _calibrate(groups, mu, sd)
    model = CastModel(tuple(sorted(groups)), means, thresholds, mu, sd)
    tag_digest = hashlib.sha256(json.dumps([t.as_json() for t in tags], sort_keys=True).encode()).hexdigest()
    manifest = TrainingManifest(
        model_kind=KIND,
        inputs=tuple(sorted(inputs.values(), key=lambda i: (i.content_hash, i.start, i.end))),
        code_version=code_version(),
        hyperparameters={
            "features": FEATURE_VERSION,
            "samples_per_clip": samples,
            "tags": len(tags),
            "tags_sha256": tag_digest,
            "labels": ",".join(model.labels),
            "solo_margin": SOLO_MARGIN,
        },
        seeds={},
    )
    metrics = {
        "performers": len(model.labels),
        "tags": len(tags),
        "seeded_tracks": seeded,
        "observations": int(sum(len(x) for g in groups.values() for _, x in g)),
        "calibration": {
            lab: {**held[lab], "threshold": round(float(t), 4)} for lab, t in zip(model.labels, thresholds, strict=True)
        },
    }
    return TrainedCast(model, manifest, pack_model(manifest.model_id, KIND, FORMAT, model.to_bytes()), metrics)
