"""``cutproof watermark``: low-level embed/detect tools for QC staff (no workspace needed).

``embed`` draws a progress bar on a terminal (``cutproof.cli._progress``); its ``--json`` output, like ``detect``'s,
is plain text and loads no Rich (the console is looked up only where it prints).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cutproof.cli import _common
from cutproof.cli._app import command_group
from cutproof.cli._progress import render_bar
from labeler.audio_watermark import AudioStatus, detect_audio
from labeler.watermark import DEFAULT_STRENGTH, WatermarkError, detect_video, embed_video, parse_key

app = command_group(
    name="watermark",
    help=(
        "Embed or detect the invisible watermark (video cutproof-wm/2, reads /1 too; audio cutproof-awm/1; one 64-bit"
        " key)."
    ),
    no_args_is_help=True,
)


@app.command("embed")
def embed(
    input: Annotated[Path, typer.Argument(help="Source video (any format PyAV reads).")],
    output: Annotated[Path, typer.Argument(help="Marked video to write (.mp4, .mov or .mkv).")],
    key: Annotated[str, typer.Option("--key", help="64-bit key as 16 hex digits, e.g. 0123456789abcdef.")],
    strength: Annotated[
        float,
        typer.Option(
            "--strength",
            help="Most RMS luma change of the mark on any frame, 8-bit code values (PSNR ≥ 20·log10(255/s)).",
        ),
    ] = DEFAULT_STRENGTH,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    audio: Annotated[
        bool,
        typer.Option(
            "--audio/--no-audio",
            help="Also mark the first audio track with the same key (re-encoded in its codec family); "
            "--no-audio copies the audio untouched.",
        ),
    ] = True,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Encode the video in segments on this many worker processes (one per core is the most that "
            "helps); the output is the same as with 1.",
        ),
    ] = 1,
    quiet: Annotated[
        bool, typer.Option("--quiet", help="No progress bar (none is drawn unless on a terminal).")
    ] = False,
) -> None:
    """Mark every frame of INPUT (and its dialogue track) with KEY and write OUTPUT (timecode, colour tags kept).

    Exit status: 0 written, 2 bad key, unreadable input or output not writable (nothing is written).
    """
    try:
        mark = parse_key(key)  # a bad key fails before the bar appears
        with render_bar(f"watermarking {input.name}", quiet=quiet or as_json) as progress:
            report = embed_video(
                input, output, mark, strength=strength, mark_audio=audio, workers=workers, progress=progress
            )
    except WatermarkError as exc:
        typer.echo(f"cutproof: error: {exc}", err=True)
        raise typer.Exit(2) from exc
    summary = {
        "output": str(report.output),
        "key": report.key_hex,
        "algorithm": report.algorithm,
        "frames": report.frames,
        "psnr_y": round(report.psnr_y, 2),
        "psnr_y_min": round(report.psnr_y_min, 2),
        "ms_per_frame": round(report.ms_per_frame, 1),
        "encoder": report.encoder,
        "audio": list(report.audio),
        "audio_mark": (
            {
                "algorithm": report.audio_marks[0].algorithm,
                "encoder": report.audio_marks[0].encoder,
                "snr_db": round(report.audio_marks[0].snr_db, 2),
                "seconds": round(report.audio_marks[0].seconds, 3),
            }
            if report.audio_marks
            else None
        ),
        "timecode": report.timecode,
    }
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        _common.console.print(
            f"Marked {report.frames} frames with key {report.key_hex} → {report.output} "
            f"({report.encoder}, PSNR Y {report.psnr_y:.1f} dB, {report.ms_per_frame:.1f} ms/frame)",
            markup=False,
            highlight=False,
        )


@app.command("detect")
def detect(
    file: Annotated[Path, typer.Argument(help="Video to examine (any format PyAV reads).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    max_seconds: Annotated[
        float, typer.Option("--max-seconds", min=0.1, help="Aggregate evidence over at most this many seconds.")
    ] = 5.0,
) -> None:
    """Look for the cutproof-wm/2 (or /1) key in FILE's pictures and the cutproof-awm/1 key in its audio.

    JSON: the video fields at the top level (``key``, ``confidence``, ``frames_used``, ...) and an ``audio``
    object: ``status`` (found / none / not_applicable when the file has no audio track / unreadable), ``key``,
    ``confidence``, ``seconds_used``.

    Exit status: 0 a key found (pictures or audio), 1 no key, 2 the file could not be read.
    """
    try:
        det = detect_video(file, max_seconds=max_seconds)
    except WatermarkError as exc:
        if as_json:
            typer.echo(json.dumps({"key": None, "error": str(exc)}))
        typer.echo(f"cutproof: error: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        audio = detect_audio(file, max_seconds=max_seconds).to_json()
    except WatermarkError as exc:
        audio = {"status": "unreadable", "key": None, "error": str(exc)}
    if as_json:
        typer.echo(json.dumps({"file": str(file), **det.to_json(), "audio": audio}))
    elif det.key_hex is not None:
        _common.console.print(
            f"Watermark found: key {det.key_hex} (confidence {det.confidence:.2f}, {det.frames_used} frames, "
            f"{det.bit_errors_corrected} bit errors corrected)",
            markup=False,
            highlight=False,
        )
    else:
        _common.console.print(f"No watermark found ({det.frames_used} frames examined).", markup=False, highlight=False)
    if not as_json:
        _common.console.print(_audio_line(audio), markup=False, highlight=False)
    raise typer.Exit(0 if det.key is not None or audio.get("key") is not None else 1)


def _audio_line(audio: dict[str, object]) -> str:
    status = audio.get("status")
    if status == AudioStatus.FOUND:
        return (
            f"Audio watermark found: key {audio['key']} (confidence {audio['confidence']}, "
            f"{audio['seconds_used']} s of audio)"
        )
    if status == AudioStatus.NOT_APPLICABLE:
        return "Audio watermark: not applicable (the file has no audio track)."
    if status == AudioStatus.NONE:
        return f"No audio watermark found ({audio['seconds_used']} s of audio examined)."
    return f"Audio watermark: could not read the audio ({audio.get('error')})."
