"""A render is reproducible: the same edit of the same clip gives the same bytes, whatever the machine's cores.

FFmpeg gives x264 and x265 as many threads as the process may use cores, and x264's output depends on the thread
count (and, with several threads, varied from run to run here: ``bench/render_repro.py``). The policy pins them to
one thread (``media._policy``, "Reproducible"), so the same render in a process allowed one core and in one allowed
two writes the same file. ProRes and DNxHR keep FFmpeg's slice threads, which do not change their output.
On two cores, x265 at FFmpeg's threads also gave the same file here: its case guards the pin, the x264 case fails
without it.

x264 at its own CPU detection used AVX-512 on the development host, and then its output depended on memory it had not
written: a 360-px-wide render came out differently with glibc filling new memory with another byte
(``MALLOC_PERTURB_``). The policy holds x264 to AVX2 (``media._policy._x264_params``); the fill test fails without it
on an AVX-512 host.

The same holds for every other H.264 file the code base writes (``media.reproducible_options``): ``transcode`` (the
demo's careless distributor), and the tests' own material. A test clip that came out differently from run to run
made the dailies search's pick, and so a relight test, differ between runs (stop 48's flake, found in stop 49).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from media import plan_encode, probe, reproducible_options
from media._policy import _x264_params
from tests.editor._media import write_clip

ROOT = Path(__file__).resolve().parents[2]
_RENDER = """
import os, sys
os.sched_setaffinity(0, {int(c) for c in sys.argv[3].split(",")})
import numpy as np
from pathlib import Path
from media import probe, render

def edit(n, rgb):
    support = np.zeros(rgb.shape[:2], bool)
    support[8:40, 16:80] = True
    out = rgb.copy()
    out[support] = np.clip(out[support] * 1.3 + 0.02, 0, 1)
    return out, support

render(probe(Path(sys.argv[1])), Path(sys.argv[2]), edit)
"""


def _render_on(cpus: set[int], src: Path, out: Path) -> bytes:
    arg = ",".join(str(c) for c in sorted(cpus))
    subprocess.run([sys.executable, "-c", _RENDER, str(src), str(out), arg], check=True, cwd=ROOT, timeout=120)
    return out.read_bytes()


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


@pytest.mark.skipif(_cores() < 2, reason="needs two cores (and CPU affinity) to vary the encoder's thread count")
@pytest.mark.parametrize(
    ("codec", "pix_fmt", "suffix", "options"),
    [
        ("libx264", "yuv420p", ".mp4", None),
        ("libx265", "yuv420p", ".mp4", {"x265-params": "log-level=error"}),
        ("prores_ks", "yuv422p10le", ".mov", {"profile": "3"}),
        ("dnxhd", "yuv422p", ".mov", {"profile": "dnxhr_sq"}),
    ],
)
def test_the_same_render_on_one_core_and_on_two_is_the_same_file(
    tmp_path: Path, codec: str, pix_fmt: str, suffix: str, options: dict[str, str] | None
) -> None:
    audio = "pcm_s16le" if suffix == ".mov" else "aac"
    src = write_clip(
        tmp_path / f"src{suffix}", codec=codec, pix_fmt=pix_fmt, width=320, height=192, frames=48, options=options,
        audio=audio,
    )  # fmt: skip
    cpus = sorted(os.sched_getaffinity(0))
    one = _render_on({cpus[0]}, src, tmp_path / f"one{suffix}")
    two = _render_on(set(cpus[:2]), src, tmp_path / f"two{suffix}")
    assert one == two


def test_the_policy_pins_the_software_encoders_to_one_thread(tmp_path: Path) -> None:
    h264 = plan_encode(probe(write_clip(tmp_path / "a.mp4", codec="libx264")))
    assert h264.codec == "libx264" and h264.options["threads"] == "1"
    quiet = {"x265-params": "log-level=error"}
    hevc = plan_encode(probe(write_clip(tmp_path / "b.mp4", codec="libx265", options=quiet)))
    assert hevc.codec == "libx265" and "pools=1" in hevc.options["x265-params"]
    assert "frame-threads=1" in hevc.options["x265-params"]


def _render_with_fill(fill: int, src: Path, out: Path) -> bytes:
    cpus = ",".join(str(c) for c in sorted(os.sched_getaffinity(0)))
    env = {**os.environ, "MALLOC_PERTURB_": str(fill)}  # glibc fills new memory with this byte, freed with its inverse
    subprocess.run(
        [sys.executable, "-c", _RENDER, str(src), str(out), cpus], check=True, cwd=ROOT, timeout=120, env=env
    )
    return out.read_bytes()


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc" or not hasattr(os, "sched_getaffinity"), reason="needs glibc")
def test_an_h264_render_does_not_depend_on_unwritten_memory(tmp_path: Path) -> None:
    # 360 px wide, not a multiple of 16: x264's AVX-512 code read past the picture into memory nothing had written
    src = write_clip(tmp_path / "src.mp4", codec="libx264", width=360, height=288, frames=75, audio="aac")
    assert _render_with_fill(1, src, tmp_path / "a.mp4") == _render_with_fill(165, src, tmp_path / "b.mp4")


def test_x264_is_held_to_avx2_where_the_cpu_has_it(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma bmi1 bmi2 abm avx512f avx512bw avx512vl\n")
    assert _x264_params(info) == {"x264-params": "asm=AVX2"}
    older = tmp_path / "older"
    older.write_text("processor\t: 0\nflags\t\t: fpu sse2 sse4_2 avx\n")
    assert _x264_params(older) == {}  # x264's own detection: no instruction set it lacks is forced on it
    assert _x264_params(tmp_path / "missing") == {}


_WRITE = """
import os, sys
os.sched_setaffinity(0, {int(c) for c in sys.argv[3].split(",")})
from pathlib import Path
from media import transcode
from tests.editor._media import write_clip

src, out = Path(sys.argv[1]), Path(sys.argv[2])
if sys.argv[4] == "transcode":
    transcode(src, out, crf=28)
else:
    write_clip(out, codec="libx264", width=360, height=288, frames=48, audio=None)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc" or _cores() < 2, reason="needs glibc and two cores")
@pytest.mark.parametrize("writer", ["transcode", "test material"])
def test_other_h264_files_do_not_depend_on_the_cores_or_unwritten_memory(tmp_path: Path, writer: str) -> None:
    src = write_clip(tmp_path / "src.mp4", codec="libx264", width=360, height=288, frames=48, audio="aac")
    cpus = sorted(os.sched_getaffinity(0))
    files = []
    for fill, allowed in ((1, cpus[:1]), (165, cpus[:2])):
        out = tmp_path / f"{fill}.mp4"
        env = {**os.environ, "MALLOC_PERTURB_": str(fill)}
        arg = ",".join(str(c) for c in allowed)
        run = [sys.executable, "-c", _WRITE, str(src), str(out), arg, writer]
        subprocess.run(run, check=True, cwd=ROOT, timeout=120, env=env)
        files.append(out.read_bytes())
    assert files[0] == files[1]


def test_reproducible_options_add_to_what_the_caller_asked_for(tmp_path: Path) -> None:
    asm = _x264_params().get("x264-params")
    h264 = reproducible_options("libx264", {"crf": "28", "x264-params": "keyint=12"})
    assert h264["crf"] == "28" and h264["threads"] == "1"
    assert h264["x264-params"] == ("keyint=12:" + asm if asm else "keyint=12")
    hevc = reproducible_options("libx265", {"x265-params": "log-level=error"})
    assert hevc["x265-params"].startswith("log-level=error:") and "pools=1" in hevc["x265-params"]
    assert reproducible_options("prores_ks", {"profile": "3"}) == {"profile": "3"}  # slices do not change its output
    plan = plan_encode(probe(write_clip(tmp_path / "a.mp4", codec="libx264")))
    assert {k: v for k, v in plan.options.items() if k not in ("crf", "preset")} == reproducible_options("libx264")
