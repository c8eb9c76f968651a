"""Helpers of bench/watermark.py: attacks through PyAV encoders and the unmarked-segment false-key run."""
