"""Errors of background replacement (all are ``EditorError``; see ``editor/errors.py`` for the whole tree).

EditorError
└── BackgroundError         background replacement cannot run
    ├── PlateError          the replacement plate or clean plate is unusable (wrong type, empty, wrong size)
    │   ├── PlateUnrecoverableError  no clean plate can be estimated from the take: supply one
    │   └── PlateMismatchError       the supplied clean plate is not the take's set
    └── EmptyClipError      the shot has no frames to matte
"""

from __future__ import annotations

from editor.errors import EditorError


class BackgroundError(EditorError):
    """Background replacement cannot run."""


class PlateError(BackgroundError):
    """The replacement plate or the clean plate is unusable."""


class EmptyClipError(BackgroundError):
    """The shot has no frames to matte."""


class PlateUnrecoverableError(PlateError):
    """No trustworthy clean plate can be estimated from the take: too little of the set was ever seen, or no
    performer was found to tell from it. Shoot a clean plate and supply it."""


class PlateMismatchError(PlateError):
    """The supplied clean plate does not show the take's set where the take shows it, even brought to the take's
    exposure: another set-up, another framing, or light that changed across the set. Supply a plate of this
    set-up, shot under the take's light."""
