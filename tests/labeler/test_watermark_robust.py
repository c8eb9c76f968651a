"""Robustness of ``cutproof-wm/2`` where ``/1`` failed: 288p footage after H.264 CRF 35 and after 0.5× + CRF 28,
within 2 s; soft (Chase) decoding; marks made with the ``/1`` layout are still read."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from labeler._payload import BCH_T, CODE_BITS, decode_soft, encode_key
from labeler.watermark import ALGORITHM_ID, _pattern, detect_frames, detect_video, embed_frame, embed_video
from labeler.watermark._detect import MAX_ATTEMPTS
from tests.labeler._wm_media import reencode

KEY = 0x0123456789ABCDEF
GRID = "grid_id2_vcd_swwp2s.mpg"  # MPEG-1 360×288, 3 s


@pytest.fixture(scope="module")
def marked_288p(footage_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wm288") / "marked.mp4"
    report = embed_video(footage_dir / GRID, out, KEY)
    assert report.algorithm == ALGORITHM_ID == "cutproof-wm/2"
    assert report.psnr_y >= 42.0
    return out


@pytest.mark.parametrize(("crf", "scale"), [(35, 1.0), (28, 0.5)])
def test_288p_survives_crf35_and_half_scale_crf28_within_2s(
    marked_288p: Path, tmp_path: Path, crf: int, scale: float
) -> None:
    attacked = reencode(marked_288p, tmp_path / "attacked.mp4", crf=crf, scale=scale)
    with av.open(str(attacked)) as c:
        assert c.streams.video[0].codec_context.height == round(288 * scale)
    det = detect_video(attacked, max_seconds=2)
    assert det.key == KEY and det.frames_used == 50


def test_chase_decoding_corrects_beyond_t_when_the_extra_errors_are_unreliable() -> None:
    rng = np.random.default_rng(4)
    signs = 1.0 - 2.0 * encode_key(KEY)
    soft = signs * rng.uniform(1.0, 2.0, CODE_BITS)
    wrong = rng.choice(CODE_BITS, BCH_T + 3, replace=False)
    soft[wrong[:BCH_T]] *= -1.0  # confident errors: BCH alone can take 12 of them
    soft[wrong[BCH_T:]] *= -0.01  # 3 more errors, but the least reliable bits
    assert decode_soft(soft, 0) is None
    got = decode_soft(soft, 6)
    assert got is not None and got.key == KEY and got.bit_errors_corrected == BCH_T + 3


def test_chase_decoding_rejects_noise_and_bad_input() -> None:
    rng = np.random.default_rng(5)
    assert all(decode_soft(rng.normal(size=CODE_BITS), 6) is None for _ in range(300))
    with pytest.raises(ValueError, match="172 soft values"):
        decode_soft(np.zeros(10), 6)
    with pytest.raises(ValueError, match="chase_bits"):
        decode_soft(np.zeros(CODE_BITS), 17)
    assert MAX_ATTEMPTS == 203  # the false-key bound in the detector's docstring (203 × 2^-51.8) depends on it


def test_marks_made_with_the_v1_small_layout_are_still_read(footage_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with av.open(str(footage_dir / GRID)) as c:
        frames = [f.to_ndarray(format="gray") for _, f in zip(range(12), c.decode(video=0), strict=False)]
    assert _pattern.chip_rows_for(288) == _pattern.TINY_CHIP_ROWS == 48
    monkeypatch.setattr(_pattern, "TINY_CHIP_ROWS", _pattern.SMALL_CHIP_ROWS)  # cutproof-wm/1: 64 rows under 400
    assert _pattern.chip_rows_for(288) == 64
    v1 = [embed_frame(f, KEY, strength=1.8) for f in frames]
    monkeypatch.undo()
    det = detect_frames(v1)
    assert det.key == KEY and det.scale == pytest.approx(1.5)
    assert detect_frames([embed_frame(f, KEY) for f in frames]).scale == pytest.approx(2.0)
