"""The per-project cast model: one identity template per performer and open-set thresholds with a reject.

Identity vectors are dlib's pretrained 128-D face descriptors (``detect``; mirror-averaged). Training
(``train_cast``) turns each tag into a face track in its clip (the track whose box best overlaps the tag's) and
learns, per performer:

1. **Views.** Every observation of the performer's tracks, plus views generated from a few of them the way unseen
   footage will show the face (``augment``): downscaled until the face is 40 and 60 px, re-graded (gamma and a
   colour cast), darkened, blurred, JPEG-crushed. Mirroring needs no view: the vector is mirror-invariant.
2. **Template** = the mean vector of all views.
3. **Genuine distances**: held-out views against a template of the rest — leave one clip out when the performer
   was tagged in two or more clips, else the second half of each track against the first half.
4. **Impostor distances** to the template: (a) every view of every other performer; (b) faces seen in the same
   frame as a tagged track but not tagged (someone else, since they are on screen together); (c) faces the
   project generates: *chimeras*, the upper half of one identity's aligned face over the lower half of
   another's — faces of nobody in the project (a chimera is an impostor for every performer but the two it is
   made of).
5. **Threshold** τ = min(``MAX_DISTANCE``, nearest impostor − ``SAFETY``). ``MAX_DISTANCE`` (0.5) is stricter than
   the 0.6 at which the descriptor's author measured 99.38 % on LFW; a per-project τ never exceeds it.
6. **Refusal.** If another performer's views come so close that τ would reject more than half of the performer's
   own held-out views, the tags cannot separate the two (a mis-tag, or look-alikes the descriptor cannot tell
   apart): training raises ``InseparableCastError`` naming both, instead of accepting everyone.

Identification (``CastModel.identify``): a vector is performer *k* when its distance to *k*'s template is ≤ τ_k and
the second-nearest performer is at least ``MARGIN`` further away; anything else is *unidentified* — the gate
turns that into a human review.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from editor.cast import _dlib
from editor.cast.augment import VIEWS, chimeras, views
from editor.cast.detect import F32, FaceBox, iou
from editor.cast.errors import CastModelError, InseparableCastError, NoTagsError, TagError
from editor.cast.tags import CastTag
from editor.cast.tracking import DEFAULT_SAMPLES, Track, track_faces
from editor.manifest import TrainingInput, TrainingManifest, code_version
from editor.models import pack_model
from media import MediaInfo, iter_frames

KIND = "cast"
FORMAT = "cast-npz/2"
IDENTITY = "dlib-resnet-v1-mirror-mean/1"
MAX_DISTANCE = 0.5
MARGIN = 0.1
SAFETY = 0.04
MIN_HELD_OUT_ACCEPT = 0.5
TAG_IOU = 0.3
AUGMENT_FRAMES = 2


@dataclass(frozen=True)
class Match:
    """The outcome of matching one identity vector (or a track's mean) against the cast."""

    label: str | None  # None: unidentified
    nearest: str
    distance: float
    threshold: float
    margin: float | None  # second-nearest distance − nearest distance (None with one performer)

    @property
    def confidence(self) -> float:
        """(τ − distance) / τ of an identified face, in 0–1 (0 on the threshold)."""
        return round(max(0.0, (self.threshold - self.distance) / self.threshold), 4) if self.label else 0.0


@dataclass(frozen=True)
class CastModel:
    """A trained cast: performer labels, their templates, per-performer thresholds, the margin, the engine used."""

    labels: tuple[str, ...]
    templates: F32  # (labels, 128)
    thresholds: F32  # (labels,)
    margin: float = MARGIN
    identity: str = IDENTITY
    provenance: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.labels)
        if n == 0 or self.templates.shape != (n, 128) or self.thresholds.shape != (n,):
            raise CastModelError("cast model arrays do not agree in shape; retrain with `cutproof model train cast`")
        if self.identity != IDENTITY:
            raise CastModelError(
                f"cast model uses identity vectors {self.identity}, this engine computes {IDENTITY}; retrain it "
                "with `cutproof cast train`"
            )

    def distances(self, features: F32) -> F32:
        """(N, labels) Euclidean distances of N identity vectors to every performer's template."""
        x = np.atleast_2d(np.asarray(features, np.float32))
        return np.sqrt(((x[:, None, :] - self.templates[None, :, :]) ** 2).sum(axis=2)).astype(np.float32)

    def identify(self, vector: F32) -> Match:
        """Open-set identification of one vector: threshold and margin tests (module docstring)."""
        d = self.distances(vector)[0]
        order = np.argsort(d)
        k = int(order[0])
        margin = float(d[order[1]] - d[k]) if len(d) > 1 else None
        ok = d[k] <= self.thresholds[k] and (margin is None or margin >= self.margin)
        return Match(self.labels[k] if ok else None, self.labels[k], float(d[k]), float(self.thresholds[k]), margin)

    def identify_track(self, track: Track) -> Match:
        """A whole track: its mean vector must be identified, and so must most of its observations, as the same
        performer (one blurred frame neither makes nor unmakes an identity)."""
        feats = track.features
        if not len(feats):
            return Match(None, self.labels[0], float("inf"), float(self.thresholds[0]), None)
        whole = self.identify(feats.mean(0))
        if whole.label is None:
            return whole
        agree = sum(self.identify(f).label == whole.label for f in feats)
        if agree * 2 < len(feats):
            return Match(None, whole.nearest, whole.distance, whole.threshold, whole.margin)
        return whole

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        meta = {"labels": list(self.labels), "margin": self.margin, "identity": self.identity}
        meta["provenance"] = self.provenance  # type: ignore[assignment]
        np.savez(
            buf,
            templates=self.templates,
            thresholds=self.thresholds,
            meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), np.uint8),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> CastModel:
        """Parse a model payload.

        Raises:
            CastModelError: not a cast model payload, or one of an earlier engine.
        """
        try:
            with np.load(io.BytesIO(payload), allow_pickle=False) as z:
                meta = json.loads(bytes(z["meta"]).decode())
                if "identity" not in meta:
                    raise CastModelError(
                        "this cast model was trained by an earlier engine (HOG/LBP descriptors, no calibrated "
                        "reject); retrain it with `cutproof cast train`"
                    )
                return cls(
                    tuple(meta["labels"]),
                    z["templates"].astype(np.float32),
                    z["thresholds"].astype(np.float32),
                    float(meta["margin"]),
                    str(meta["identity"]),
                    dict(meta.get("provenance", {})),
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


@dataclass
class _Seeded:
    label: str
    clip: str
    track: Track
    views: list[F32] = field(default_factory=list)  # generated views' vectors

    def vectors(self) -> F32:
        """The track's vectors and its generated views'."""
        return np.concatenate([self.track.features, *([np.stack(self.views)] if self.views else [])])


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


def _dist(x: F32, template: F32) -> F32:
    return np.sqrt(((np.atleast_2d(x) - template) ** 2).sum(axis=1))


def _augment(info: MediaInfo, seeded: list[_Seeded]) -> dict[int, list]:  # type: ignore[type-arg]
    """Generated views of up to ``AUGMENT_FRAMES`` observations per seeded track; returns the aligned chips of the
    originals used (for chimeras), by seeded index."""
    wanted: dict[int, list[tuple[int, FaceBox]]] = {}
    for i, s in enumerate(seeded):
        faces = s.track.faces
        picks = np.unique(np.linspace(0, len(faces) - 1, min(AUGMENT_FRAMES, len(faces))).astype(int))
        for p in picks:
            wanted.setdefault(faces[p].frame, []).append((i, faces[p]))
    out_chips: dict[int, list] = {}  # type: ignore[type-arg]
    for index, rgb in iter_frames(info, fmt="rgb24", indices=sorted(wanted)):
        frame = np.asarray(rgb, np.uint8)
        for i, face in wanted.get(index, []):
            seeded[i].views.extend(views(frame, face))
            out_chips.setdefault(i, []).extend(_dlib.chips(frame, [face.landmarks]))  # type: ignore[list-item]
    return out_chips


def _held_out(s: list[_Seeded]) -> tuple[F32, F32]:
    """(training vectors, held-out vectors) of one performer (module docstring, step 3)."""
    clips = sorted({x.clip for x in s})
    if len(clips) >= 2:
        last = clips[-1]
        train = [x for x in s if x.clip != last]
        test = [x for x in s if x.clip == last]
        return (
            np.concatenate(
                [np.concatenate([x.track.features, *([np.stack(x.views)] if x.views else [])]) for x in train]
            ),
            np.concatenate(
                [np.concatenate([x.track.features, *([np.stack(x.views)] if x.views else [])]) for x in test]
            ),
        )
    train_parts, test_parts = [], []
    for x in s:
        f = x.track.features
        half = max(1, len(f) // 2)
        train_parts.append(f[:half])
        test_parts.append(f[half:] if len(f) > half else f)
        if x.views:
            v = np.stack(x.views)
            vh = max(1, len(v) // 2)
            train_parts.append(v[:vh])
            test_parts.append(v[vh:] if len(v) > vh else v)
    return np.concatenate(train_parts), np.concatenate(test_parts)


def _calibrate(
    groups: Mapping[str, list[_Seeded]], others: list[F32], generated: list[tuple[frozenset[str], F32]]
) -> tuple[F32, F32, dict[str, Any]]:
    """Templates, thresholds and per-performer calibration figures (module docstring, steps 2–6)."""
    labels = sorted(groups)
    allv = {
        lab: np.concatenate(
            [np.concatenate([x.track.features, *([np.stack(x.views)] if x.views else [])]) for x in groups[lab]]
        )
        for lab in labels
    }
    templates = np.stack([allv[lab].mean(0) for lab in labels]).astype(np.float32)
    thresholds, report = [], {}
    for i, lab in enumerate(labels):
        train, test = _held_out(groups[lab])
        genuine = _dist(test, train.mean(0))
        made = [v for owners, v in generated if lab not in owners]
        nearest_other = {o: float(_dist(allv[o], templates[i]).min()) for o in labels if o != lab}
        sources = {
            **{f"performer {o}": d for o, d in nearest_other.items()},
            "faces on screen with them": float(_dist(np.stack(others), templates[i]).min()) if others else np.inf,
            "generated chimeras": float(_dist(np.stack(made), templates[i]).min()) if made else np.inf,
        }
        binding = min(sources, key=lambda k: sources[k])
        tau = float(min(MAX_DISTANCE, sources[binding] - SAFETY))
        accept = float((genuine <= tau).mean())
        for other, d in nearest_other.items():
            if d - SAFETY < MAX_DISTANCE and float((genuine <= d - SAFETY).mean()) < MIN_HELD_OUT_ACCEPT:
                raise InseparableCastError(
                    f"the tags cannot tell {lab!r} from {other!r}: {other!r}'s face comes within {d:.2f} of "
                    f"{lab!r}'s (their own held-out faces reach {float(np.median(genuine)):.2f}), so any threshold "
                    "would either accept one as the other or reject most of their own faces. Check both performers' "
                    "tags (`cutproof cast tags`): one is probably on the wrong face; then train again"
                )
        thresholds.append(tau)
        report[lab] = {
            "threshold": round(tau, 4),
            "bound_by": binding if sources[binding] - SAFETY < MAX_DISTANCE else "max distance",
            "nearest_impostor": round(sources[binding], 4) if np.isfinite(sources[binding]) else None,
            "held_out_views": len(genuine),
            "held_out_median": round(float(np.median(genuine)), 4),
            "held_out_max": round(float(genuine.max()), 4),
            "held_out_accepted": round(accept, 4),
        }
    return templates, np.array(thresholds, np.float32), report


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
        NoTagsError: no tags, a tag names a clip not given, or no tagged face could be found.
        TagError: two tags put different performers on one face track.
        InseparableCastError: the tags cannot tell two performers apart.
        FaceModelError: the face models are missing.
    """
    tags = sorted(tags, key=lambda t: (t.label, t.clip_hash, t.frame, t.box.x, t.box.y, t.box.width, t.box.height))
    if not tags:
        raise NoTagsError("no faces are tagged; tag a few frames per performer with `cutproof cast tag` first")
    missing = sorted({t.clip_hash for t in tags} - set(clips))
    if missing:
        raise NoTagsError(f"tagged clip {missing[0][:12]} is not in the catalogue; ingest it or remove its tags")
    groups: dict[str, list[_Seeded]] = {}
    others: list[F32] = []
    chip_sets: list[tuple[str, list]] = []  # type: ignore[type-arg]
    inputs: dict[tuple[str, int, int], TrainingInput] = {}
    for clip_hash in sorted({t.clip_hash for t in tags}):
        info = clips[clip_hash]
        clip_tags = [t for t in tags if t.clip_hash == clip_hash]
        tracks, _seen = track_faces(info, samples=samples, extra_frames=tuple(t.frame for t in clip_tags))
        seeded: list[_Seeded] = []
        for tag, track in _seed(info, clip_tags, tracks):
            if track is None or not len(track.features):
                raise NoTagsError(
                    f"no face was found at the box tagged {tag.label!r} on frame {tag.frame} of {info.path.name}; "
                    "tag the face where `cutproof cast tag` suggests one, or pick a frame where it is clearer"
                )
            if all(s.track is not track for s in seeded):
                seeded.append(_Seeded(tag.label, clip_hash, track))
            key = (clip_hash, track.frames[0], track.frames[-1] + 1)
            inputs[key] = TrainingInput(clip_hash, key[1], key[2], info.frame_rate, role="tagged")
        tagged_frames = {f for s in seeded for f in s.track.frames}
        for t in tracks:
            if all(s.track is not t for s in seeded) and tagged_frames & set(t.frames):
                others.extend(t.features)  # on screen together with a performer: someone else
        for i, chips in _augment(info, seeded).items():
            chip_sets.append((seeded[i].label, chips))
        for s in seeded:
            groups.setdefault(s.label, []).append(s)
    generated = chimeras([(lab, c) for lab, chips in chip_sets for c in chips])
    templates, thresholds, report = _calibrate(groups, others, generated)
    provenance = dict(_dlib.engine().provenance)
    model = CastModel(tuple(sorted(groups)), templates, thresholds, MARGIN, IDENTITY, provenance)
    tag_digest = hashlib.sha256(json.dumps([t.as_json() for t in tags], sort_keys=True).encode()).hexdigest()
    manifest = TrainingManifest(
        model_kind=KIND,
        inputs=tuple(sorted(inputs.values(), key=lambda i: (i.content_hash, i.start, i.end))),
        code_version=code_version(),
        hyperparameters={
            "identity": IDENTITY,
            **provenance,
            "samples_per_clip": samples,
            "tags": len(tags),
            "tags_sha256": tag_digest,
            "labels": ",".join(model.labels),
            "max_distance": MAX_DISTANCE,
            "margin": MARGIN,
            "safety": SAFETY,
            "augmented_views": ",".join(VIEWS),
        },
        seeds={},
    )
    metrics = {
        "performers": len(model.labels),
        "tags": len(tags),
        "seeded_tracks": sum(len(g) for g in groups.values()),
        "observations": int(sum(len(s.track.faces) for g in groups.values() for s in g)),
        "generated_views": int(sum(len(s.views) for g in groups.values() for s in g)),
        "impostors": {"on_screen_faces": len(others), "chimeras": len(generated)},
        "calibration": report,
    }
    return TrainedCast(model, manifest, pack_model(manifest.model_id, KIND, FORMAT, model.to_bytes()), metrics)
