"""``cutproof watermark embed|detect`` (Typer CliRunner; no workspace needed) and the bench's --quick shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cutproof.cli.main import app

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_embed_then_detect_json_and_exit_codes(footage_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "marked.mov"
    res = runner.invoke(
        app,
        [
            "--home",
            str(tmp_path / "nohome"),
            "watermark",
            "embed",
            str(footage_dir / "grid_pwij3p.mpg"),
            str(out),
            "--key",
            "00112233445566FF",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["key"] == "00112233445566ff" and report["frames"] == 75 and report["psnr_y"] >= 42
    assert not (tmp_path / "nohome").exists()  # low-level tool: no workspace touched

    res = runner.invoke(app, ["watermark", "detect", str(out), "--json"])
    assert res.exit_code == 0, res.output
    found = json.loads(res.stdout)
    assert found["key"] == "00112233445566ff"
    assert 0.9 <= found["confidence"] <= 1.0 and found["frames_used"] == 75

    res = runner.invoke(app, ["watermark", "detect", str(footage_dir / "grid_pwij3p.mpg"), "--json"])
    assert res.exit_code == 1, res.output
    none = json.loads(res.stdout)
    assert none["key"] is None and none["frames_used"] == 75

    res = runner.invoke(app, ["watermark", "detect", str(out)])
    assert res.exit_code == 0 and "00112233445566ff" in res.stdout


def test_errors_exit_2_and_write_nothing(footage_dir: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all")
    res = runner.invoke(app, ["watermark", "detect", str(junk), "--json"])
    assert res.exit_code == 2
    assert json.loads(res.stdout)["key"] is None and "not a readable video" in res.stderr
    res = runner.invoke(app, ["watermark", "embed", str(junk), str(tmp_path / "o.mp4"), "--key", "00" * 8])
    assert res.exit_code == 2 and "not a readable video" in res.stderr
    res = runner.invoke(
        app, ["watermark", "embed", str(footage_dir / "grid_pwij3p.mpg"), str(tmp_path / "o.mp4"), "--key", "12345"]
    )
    assert res.exit_code == 2 and "16 hex digits" in res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.mp4"]


def test_bench_quick_json_shape(footage_dir: Path) -> None:
    cmd = [
        sys.executable,
        str(REPO / "bench" / "watermark.py"),
        "--quick",
        "--methods",
        "cutproof",
        "--clips",
        "1",
        "--attacks",
        "h264_crf28",
        "--segments",
        "8",
        "--speed-frames",
        "3",
    ]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    by = {}
    for line in lines:
        by.setdefault(line["metric"], []).append(line)
    assert set(by) >= {
        "config",
        "embed_1080p_wall_clock",
        "embed",
        "attack",
        "attack_summary",
        "method_summary",
        "false_keys",
    }
    attack = by["attack"][0]
    assert attack["attack"] == "h264_crf28" and isinstance(attack["exact"], bool)
    assert 0.0 <= attack["bit_accuracy"] <= 1.0
    assert by["embed"][0]["psnr_y"] >= 42
    assert by["false_keys"][0]["segments"] == 8 and by["false_keys"][0]["false_keys"] == 0
    assert by["method_summary"][0]["payload_bits"] == 64
    assert attack["bch_t"] == 12 and 0 <= attack["raw_bit_errors"] <= 172 and attack["soft_margin"] > 0
    speed = by["embed_1080p_wall_clock"][0]
    assert (speed["width"], speed["height"], speed["cv2_threads"]) == (1920, 1080, 2)
    assert speed["mark_ms_per_frame"] > 0 and speed["pipeline_fps"] > 0 and speed["frames"] == 9
