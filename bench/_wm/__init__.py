"""Helpers of bench/watermark.py: the methods compared (ours, the imwatermark peers), the attacks through PyAV
encoders, the 1080p speed run, the unmarked-segment false-key run, and the JSON lines and summaries."""
