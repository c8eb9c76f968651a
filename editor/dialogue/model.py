"""The per-project, per-performer dialogue model: a mouth bank across sync takes plus a sync scorer.

Training reads each take, tracks the performer's face, cuts stabilised mouth crops and the take's own sync sound
features for every frame, and trains the SyncNet-style scorer on all takes but the last (held out to measure the
AV-offset residual the model achieves on a take it never saw, and how often it reads a line of a dub's length right:
``editor.dialogue.line_check``). Everything is stored in one ``npz`` payload inside
the registry's model envelope; the training manifest (kind ``dialogue``) names every take by content hash.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from editor.cast import CastModel
from editor.dailies import content_hash
from editor.dialogue.blend import BANK_H, BANK_W
from editor.dialogue.errors import DialogueModelError
from editor.dialogue.features import selection_descriptors, utterance_features
from editor.dialogue.line_check import HELD_OUT_SHIFTS, as_metrics, measure
from editor.dialogue.rate import BankView, bank_view
from editor.dialogue.shape import mouth_shape
from editor.dialogue.sync import NETS, Scorer, SyncTake, from_arrays, grey_mouths, score, shift_features, state_arrays
from editor.dialogue.sync import train_scorer as _train_scorer
from editor.dialogue.track import FaceTrack, crop, read_range, track_face
from editor.manifest import TrainingInput, TrainingManifest, code_version
from editor.models import pack_model
from media import AudioClip, probe, read_audio

KIND = "dialogue"
FORMAT = "dialogue-npz/4"
# /1 also stored a HOG face signature, which is no longer used; /1 and /2 did not store the takes' frame rates;
# /1–/3 stored a scorer of one network (``editor.dialogue.sync``: now ``NETS``, their curves averaged)
READABLE = ("dialogue-npz/1", "dialogue-npz/2", "dialogue-npz/3", FORMAT)
MAX_BANK_W = 256  # the largest bank crop (a 1080p close-up's mouth box is ~350 px): 123 KB a frame


def bank_size(box_width: float) -> tuple[int, int]:
    """The bank crop size ``(w, h)`` for mouth boxes about ``box_width`` px wide in the take.

    The mouth box's width rounded to 16 px, kept between ``BANK_W`` and ``MAX_BANK_W``, at the box's 8:5 aspect.
    A crop smaller than the box loses the take's detail for good: every placed mouth is that crop scaled up.
    Measured on the Obama take (a 232 px box at 720p, `bench/dialogue.py` ``bank_round_trip``): each frame's own
    mouth, put through a 128×80 crop and placed back, came out at 36.8 dB mouth PSNR and 0.93 of the take's
    sharpness (49.6–54.2 dB and 0.96–0.97 for 76–90 px boxes); through 224×140, 45.2 dB and 0.96."""
    w = int(min(MAX_BANK_W, max(BANK_W, 16 * round(box_width / 16))))
    return w, round(w * BANK_H / BANK_W)


def bank_crops(frames: list[np.ndarray], track: FaceTrack, size: tuple[int, int] | None = None) -> np.ndarray:
    """The bank's mouth crops ``(n, h, w, 3)`` uint8 of every frame of the track: the mouth box at ``size``
    (default: ``bank_size`` of the track's median box width), area-averaged when the box is larger (no aliasing),
    so the take's sharpness and teeth survive."""
    if not frames:
        raise DialogueModelError("no frames to cut mouth crops from; give a range of at least one frame")
    boxes = [track.mouth_box(track.start + k) for k in range(len(frames))]
    w, h = size if size is not None else bank_size(float(np.median([b[2] for b in boxes])))
    out = []
    for f, box in zip(frames, boxes, strict=True):
        if box[2] > w:  # shrink the frame first so the crop is an area average, not a point sample
            s = w / box[2]
            small = cv2.resize(f, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
            out.append(crop(small, box * s, (w, h)))
        else:
            out.append(crop(f, box, (w, h)))
    return np.stack(out)


def _resized(crops: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Crops brought to ``size`` (a take whose face is smaller than the bank's largest: scaled up, nothing lost)."""
    if crops.shape[2] == size[0]:
        return crops
    return np.stack([cv2.resize(c, size, interpolation=cv2.INTER_CUBIC) for c in crops])


@dataclass
class TakeData:
    """One analysed take: mouth crops, its sync sound and that sound's features."""

    path: Path
    content_hash: str
    fps: Fraction
    frame_count: int
    crops: np.ndarray
    feats: np.ndarray
    sound: AudioClip

    def sync_take(self) -> SyncTake:
        return SyncTake(grey_mouths(self.crops), self.feats, self.fps)


def analyse_take(path: Path, *, performer: str | None = None, cast: CastModel | None = None) -> TakeData:
    """Track the performer's face and cut mouth crops + sync-sound features of a take.

    Raises:
        NoFaceError: no face in the take.
        PerformerNotInShotError: the cast model finds no face of the performer (or, without one, several faces).
        MediaError: the clip or its audio is unusable.
    """
    info = probe(Path(path))
    if not info.audio:
        raise DialogueModelError(f"{info.path.name} has no sync sound; a dialogue model needs takes with audio")
    frames = read_range(info, 0, info.frame_count)
    track = track_face(frames, performer=performer, cast=cast)
    audio = read_audio(info.path)
    return TakeData(
        info.path,
        content_hash(info.path),
        info.frame_rate,
        info.frame_count,
        bank_crops(frames, track),
        utterance_features(audio.samples, audio.rate),
        audio,
    )


@dataclass
class DialogueModel:
    """A performer's mouth bank + sync scorer."""

    performer: str
    crops: np.ndarray  # (N, h, w, 3) uint8 at ``bank_size`` of the largest boxes (older models: 128×80, 40×64)
    descriptors: np.ndarray  # (N, D) selection descriptors of each frame's own sync sound
    take_ids: np.ndarray
    frame_ids: np.ndarray
    take_hashes: list[str]
    sync: Scorer
    metrics: dict[str, float] = field(default_factory=dict)
    take_rates: tuple[Fraction, ...] | None = None  # each take's frame rate (None: a model from before /3)

    def flopped(self) -> DialogueModel:
        """The model with its bank's mouths mirrored left to right (``editor.dialogue.flop``: a flopped shot)."""
        return replace(self, crops=np.ascontiguousarray(self.crops[:, :, ::-1]))

    def view(self, rate: Fraction) -> BankView:
        """The bank as a shot at ``rate`` sees it (``editor.dialogue.rate``, step 3)."""
        return bank_view(self.take_ids, self.frame_ids, self.take_rates, rate)

    def thumbs(self) -> np.ndarray:
        """Grey 16×24 crops in [0, 1] for the selection's visual join cost."""
        return (
            np.stack(
                [
                    cv2.resize(cv2.cvtColor(c, cv2.COLOR_RGB2GRAY), (24, 16), interpolation=cv2.INTER_AREA)
                    for c in self.crops
                ]
            ).astype(np.float32)
            / 255.0
        )

    def openness(self) -> np.ndarray:
        """Each bank mouth's openness (``editor.dialogue.shape.mouth_shape``), for the selection's shape cost."""
        return mouth_shape(self.crops)[:, 0]

    def bank_takes(self, exclude: int | None = None) -> list[np.ndarray]:
        """The bank's crops, one array per take, take ``exclude`` (an index into ``take_hashes``) left out."""
        return [self.crops[self.take_ids == t] for t in np.unique(self.take_ids) if t != exclude]

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        arrays: dict[str, Any] = dict(
            performer=np.array(self.performer),
            crops=self.crops,
            descriptors=self.descriptors,
            take_ids=self.take_ids,
            frame_ids=self.frame_ids,
            take_hashes=np.array(self.take_hashes),
            metrics_keys=np.array(list(self.metrics)),
            metrics_values=np.array(list(self.metrics.values()), np.float64),
            **state_arrays(self.sync),
        )
        if self.take_rates is not None:
            arrays["rate_num"] = np.array([r.numerator for r in self.take_rates], np.int64)
            arrays["rate_den"] = np.array([r.denominator for r in self.take_rates], np.int64)
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes) -> DialogueModel:
        """Load a model payload.

        Raises:
            DialogueModelError: the payload is not a dialogue model.
        """
        try:
            z = np.load(io.BytesIO(payload), allow_pickle=False)
            return cls(
                str(z["performer"]),
                z["crops"],
                z["descriptors"],
                z["take_ids"],
                z["frame_ids"],
                [str(h) for h in z["take_hashes"]],
                from_arrays({k: z[k] for k in z.files if k.startswith("sync")}),
                dict(zip([str(k) for k in z["metrics_keys"]], [float(v) for v in z["metrics_values"]], strict=True)),
                _rates(z),
            )
        except (ValueError, KeyError, OSError, RuntimeError) as exc:
            raise DialogueModelError(
                f"not a dialogue model payload ({exc}); retrain with `cutproof model train dialogue`"
            ) from None


def _rates(z: Any) -> tuple[Fraction, ...] | None:
    if "rate_num" not in z.files:
        return None
    return tuple(Fraction(int(n), int(d)) for n, d in zip(z["rate_num"], z["rate_den"], strict=True))


def train_dialogue(
    takes: list[Path], performer: str, *, steps: int = 300, seed: int = 0, cast: CastModel | None = None
) -> tuple[TrainingManifest, bytes, DialogueModel]:
    """Build a performer's dialogue model from their sync takes (``cast``: the project's cast model, which tells
    which face is the performer's when a take shows several).

    Returns:
        The training manifest, the packed model file (for ``ModelRegistry.register``) and the model.

    Raises:
        DialogueModelError: no takes, a take without audio, or a performer name that is empty.
        NoFaceError: a take without a face. PerformerNotInShotError: a take without the performer's face.
    """
    if not takes:
        raise DialogueModelError("a dialogue model needs at least one sync take of the performer")
    if not performer.strip():
        raise DialogueModelError("name the performer the dialogue model is for")
    data = [analyse_take(Path(p), performer=performer, cast=cast) for p in takes]
    size = max((d.crops.shape[2], d.crops.shape[1]) for d in data)  # the takes' largest: no take loses detail
    hashes = [d.content_hash for d in data]
    if len(set(hashes)) != len(hashes):
        raise DialogueModelError("the same take was given twice; give each sync take once")
    sync_takes = [d.sync_take() for d in data]
    train_set, held = (sync_takes[:-1], sync_takes[-1]) if len(sync_takes) > 1 else (sync_takes, None)
    scorer, acc = _train_scorer(train_set, steps=steps, seed=seed)
    metrics: dict[str, float] = {
        "sync_train_accuracy": round(acc, 4),
        "bank_frames": float(sum(len(d.crops) for d in data)),
        "bank_crop_width": float(size[0]),
    }
    if held is not None:
        residuals = []
        for s in HELD_OUT_SHIFTS:
            got = score(scorer, SyncTake(held.grey, shift_features(held.feats, s, held.fps), held.fps))
            residuals.append(abs(got.offset_frames - s))
        metrics["heldout_av_offset_residual_max_frames"] = float(max(residuals))
        metrics["heldout_av_offset_residual_mean_frames"] = round(float(np.mean(residuals)), 4)
        metrics["heldout_av_offset_target_met"] = float(max(residuals) <= 1)
        sound = data[-1].sound
        metrics.update(as_metrics(measure(scorer, held, sound.samples, sound.rate)))
    model = DialogueModel(
        performer=performer,
        crops=np.concatenate([_resized(d.crops, size) for d in data]),
        descriptors=np.concatenate([selection_descriptors(d.feats, d.fps, len(d.crops)) for d in data]),
        take_ids=np.concatenate([np.full(len(d.crops), i) for i, d in enumerate(data)]),
        frame_ids=np.concatenate([np.arange(len(d.crops)) for d in data]),
        take_hashes=hashes,
        sync=scorer,
        metrics=metrics,
        take_rates=tuple(d.fps for d in data),
    )
    manifest = TrainingManifest(
        model_kind=KIND,
        inputs=tuple(TrainingInput(d.content_hash, 0, d.frame_count, d.fps, "sync-take") for d in data),
        code_version=code_version(),
        hyperparameters={
            "performer": performer,
            "sync_steps": steps,
            "sync_nets": NETS,
            "held_out_take": len(data) > 1,
        },
        seeds={"sync": seed},
    )
    return manifest, pack_model(manifest.model_id, KIND, FORMAT, model.to_bytes()), model


def load_dialogue(model_file: Any) -> DialogueModel:
    """A ``DialogueModel`` from a registry ``ModelFile``.

    Raises:
        DialogueModelError: the file is not a dialogue model.
    """
    if model_file.kind != KIND or model_file.format not in READABLE:
        raise DialogueModelError(
            f"model {model_file.model_id[:12]} is a {model_file.kind} model ({model_file.format}), not a dialogue model"
        )
    return DialogueModel.from_bytes(model_file.payload)
