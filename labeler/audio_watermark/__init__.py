"""Classical audio watermark ``cutproof-awm/1`` for the dialogue track: the same 64-bit key as the video mark.

Same payload coding as ``cutproof-wm/1`` (``labeler._payload``: key + CRC-16, BCH t = 12), carried by
host-shaped STFT magnitude modulation in 1–6 kHz with a sync pattern, block repetition and informed embedding
(see ``_scheme`` and ``_embed``). NumPy/SciPy only.

Public API: ``embed_samples`` / ``detect_samples`` on sample arrays, ``detect_audio`` on files (read through
``media.read_audio``), ``StreamMarker`` (the streaming marker that ``labeler.watermark.embed_video(mark_audio=True)``
hands to ``media.render`` as the filter of the first audio track) and its ``TrackReport``, quality metrics in
``labeler.audio_watermark.quality``, errors in ``labeler.audio_watermark.errors``. This package does not import
``labeler.watermark``: both take the payload codec from ``labeler._payload``.
"""

from labeler.audio_watermark._detect import MAX_ATTEMPTS, SampleDetection, detect_samples
from labeler.audio_watermark._embed import DEFAULT_STRENGTH, MAX_GAIN, StreamMarker, TrackReport, embed_samples
from labeler.audio_watermark._files import DEFAULT_MAX_SECONDS, AudioDetection, AudioStatus, detect_audio
from labeler.audio_watermark._scheme import ALGORITHM_ID, BLOCK_SECONDS
from labeler.audio_watermark.errors import AudioWriteError, UnreadableAudioError

__all__ = [
    "ALGORITHM_ID",
    "BLOCK_SECONDS",
    "DEFAULT_MAX_SECONDS",
    "DEFAULT_STRENGTH",
    "MAX_ATTEMPTS",
    "MAX_GAIN",
    "AudioDetection",
    "AudioStatus",
    "AudioWriteError",
    "SampleDetection",
    "StreamMarker",
    "TrackReport",
    "UnreadableAudioError",
    "detect_audio",
    "detect_samples",
    "embed_samples",
]
