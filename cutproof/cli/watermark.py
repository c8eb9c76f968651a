"""``cutproof watermark``: low-level embed/detect tools for QC staff (no workspace needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cutproof.cli._common import console
from labeler.watermark import DEFAULT_STRENGTH, WatermarkError, detect_video, embed_video, parse_key

app = typer.Typer(
    name="watermark",
    help="Embed or detect the invisible video watermark (cutproof-wm/2, 64-bit key; reads /1 marks too).",
    no_args_is_help=True,
)


@app.command("embed")
def embed(
    input: Annotated[Path, typer.Argument(help="Source video (any format PyAV reads).")],
    output: Annotated[Path, typer.Argument(help="Marked video to write (.mp4, .mov or .mkv).")],
    key: Annotated[str, typer.Option("--key", help="64-bit key as 16 hex digits, e.g. 0123456789abcdef.")],
    strength: Annotated[
        float, typer.Option("--strength", help="RMS of the pattern in 8-bit luma code values (PSNR ≈ 20·log10(255/s)).")
    ] = DEFAULT_STRENGTH,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Mark every frame of INPUT with KEY and write OUTPUT (audio, timecode and colour tags kept).

    Exit status: 0 written, 2 bad key, unreadable input or output not writable (nothing is written).
    """
    try:
        report = embed_video(input, output, parse_key(key), strength=strength)
    except WatermarkError as exc:
        typer.echo(f"cutproof: error: {exc}", err=True)
        raise typer.Exit(2) from exc
    summary = {
        "output": str(report.output),
        "key": report.key_hex,
        "algorithm": report.algorithm,
        "frames": report.frames,
        "psnr_y": round(report.psnr_y, 2),
        "ms_per_frame": round(report.ms_per_frame, 1),
        "encoder": report.encoder,
        "audio": list(report.audio),
        "timecode": report.timecode,
    }
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        console.print(
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
    """Look for a cutproof-wm/2 (or /1) key in FILE.

    Exit status: 0 key found, 1 no key, 2 the file could not be read.
    """
    try:
        det = detect_video(file, max_seconds=max_seconds)
    except WatermarkError as exc:
        if as_json:
            typer.echo(json.dumps({"key": None, "error": str(exc)}))
        typer.echo(f"cutproof: error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps({"file": str(file), **det.to_json()}))
    elif det.key_hex is not None:
        console.print(
            f"Watermark found: key {det.key_hex} (confidence {det.confidence:.2f}, {det.frames_used} frames, "
            f"{det.bit_errors_corrected} bit errors corrected)",
            markup=False,
            highlight=False,
        )
    else:
        console.print(f"No watermark found ({det.frames_used} frames examined).", markup=False, highlight=False)
    raise typer.Exit(0 if det.key is not None else 1)
