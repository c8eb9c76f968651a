"""Labeler: invisible watermark, C2PA manifests, disclosure overlays and verification of a deliverable."""
