"""Labeler: invisible watermark, C2PA manifests, disclosure overlays and verification of a deliverable."""

from labeler.watermark import (
    Detection,
    EmbedReport,
    WatermarkError,
    detect_frames,
    detect_video,
    embed_frame,
    embed_video,
)

__all__ = ["Detection", "EmbedReport", "WatermarkError", "detect_frames", "detect_video", "embed_frame", "embed_video"]
