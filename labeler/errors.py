"""Errors raised by the labeler (watermark, C2PA, disclosure, verification).

Every error of this package derives from ``LabelerError``; messages say what was wrong and what to do about it
and never contain key material::

    LabelerError
    ├── IdentityError               the C2PA signing identity (certificate chain + key)
    │   ├── IdentityMissingError    no identity in the workspace yet
    │   └── IdentityImportError     an imported chain/key was rejected (mismatch, order, usages, expiry)
    ├── C2paError                   anything the C2PA layer reports
    │   ├── UnsupportedFormatError  the container cannot carry an embedded manifest (MXF, ...)
    │   ├── UnreadableAssetError    the file is not a readable video (truncated, not a container at all)
    │   ├── C2paSigningError        signing failed (bad chain, bad definition, I/O)
    │   ├── ManifestNotFoundError   the file carries no C2PA manifest
    │   └── ManifestInvalidError    a manifest is present but cannot be parsed
    ├── ManifestContentError        a manifest definition is malformed or carries personal/contract data
    ├── DisclosureError             a disclosure (badge, credit card, sidecar) cannot be produced
    └── WatermarkError              the video or audio watermark (subclasses in ``labeler.watermark.errors`` and
                                    ``labeler.audio_watermark.errors``)
"""

from __future__ import annotations


class LabelerError(Exception):
    """Base class of every error raised by the labeler (watermark, C2PA, disclosure, verification)."""


class IdentityError(LabelerError):
    """The project's C2PA signing identity is missing, unreadable or unusable."""


class IdentityMissingError(IdentityError):
    """The workspace has no signing identity yet."""


class IdentityImportError(IdentityError):
    """An imported certificate chain or private key was rejected."""


class C2paError(LabelerError):
    """The C2PA layer (c2pa-python) reported a problem."""


class UnsupportedFormatError(C2paError):
    """The container format cannot carry an embedded C2PA manifest."""


class UnreadableAssetError(C2paError):
    """The input is not a readable video file (truncated, corrupt, or not a media container)."""


class C2paSigningError(C2paError):
    """Signing the manifest into the asset failed."""


class ManifestNotFoundError(C2paError):
    """The asset carries no C2PA manifest."""


class ManifestInvalidError(C2paError):
    """A C2PA manifest is present but could not be parsed."""


class ManifestContentError(LabelerError):
    """A manifest definition is malformed or would publish personal or contract data."""


class DisclosureError(LabelerError):
    """A disclosure (on-screen badge, credit card, sidecar) could not be produced."""


class WatermarkError(LabelerError):
    """Base class of the watermark errors (video and audio)."""
