"""The on-screen disclosure: where, how big and when the EU "AI" icon (``labeler._icon``) is shown.

Placement (EU Code of Practice, Section 2, as publicly described — see ``labeler._icon`` for sources):

- **corner**: top-right by default (the position the Code suggests); any corner can be asked for.
- **size**: the icon's height is a fraction of the frame height (default 1/15: 72 px at 1080p, 144 px at 2160p), at
  least ``MIN_HEIGHT`` = 1/24 of the frame height (45 px at 1080p) and never under ``MIN_ICON_PX`` = 36 px, the size
  at which the text component's capitals are still 12 px tall. The annex's own size rule was not available to us.
- **title-safe**: the icon lies inside the graphics-safe area of EBU R 95 (an inset of 5 % of the width left/right
  and 5 % of the height top/bottom); ``margin`` can only make the inset larger. A frame too small for the icon inside
  that area is refused with ``DisclosureError`` (any frame of at least 320 × 180 with an aspect ratio of 1:2 or
  wider takes it at the default size).
- **when**: from ``start`` (the first exposure, 0 s by default) for ``duration`` seconds, and again for ``duration``
  seconds from every ``breaks`` time — the points where the programme resumes after an ad break (seconds on the
  deliverable's timeline). Overlapping intervals merge; ``duration`` None shows it throughout.

**colour**: one of the four EU variations, or ``auto`` (None): chosen per shown interval from the picture behind the
icon (``labeler._icon.choose``), and recorded with the interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from math import ceil

from labeler._icon import IconColour, IconVariant, icon_size
from labeler.errors import DisclosureError

MIN_ICON_PX = 36
MIN_HEIGHT = Fraction(1, 24)
SAFE_INSET = Fraction(1, 20)


class Corner(StrEnum):
    TOP_LEFT = "top_left"
    TOP_RIGHT = "top_right"
    BOTTOM_LEFT = "bottom_left"
    BOTTOM_RIGHT = "bottom_right"


@dataclass(frozen=True)
class BadgeSpec:
    """Where, how big, in which colour and when the EU icon is shown.

    Attributes:
        corner: frame corner (top-right by default).
        height: icon height as a fraction of the frame height, 1/24–1/6 (default 1/15).
        margin: inset from the frame edges, as a fraction of the frame's width (left/right) and height (top/bottom);
            at least 1/20, the EBU R 95 graphics-safe inset.
        start: first exposure, seconds from the start of the output.
        duration: seconds shown from ``start`` and from each break; None shows it for the whole programme.
        breaks: seconds at which the programme resumes after an ad break; the icon is shown again from each.
        variant: the EU icon: partially modified (default, our edits) or fully generated.
        colour: one of the four colour variants, or None for ``auto`` (chosen from the picture per interval).
    """

    corner: Corner = Corner.TOP_RIGHT
    height: Fraction = Fraction(1, 15)
    margin: Fraction = SAFE_INSET
    start: Fraction = Fraction(0)
    duration: Fraction | None = Fraction(5)
    breaks: tuple[Fraction, ...] = ()
    variant: IconVariant = IconVariant.PARTIALLY_MODIFIED
    colour: IconColour | None = None

    def __post_init__(self) -> None:
        if not MIN_HEIGHT <= self.height <= Fraction(1, 6):
            raise DisclosureError("icon height must be between 1/24 and 1/6 of the frame height")
        if not SAFE_INSET <= self.margin <= Fraction(1, 5):
            raise DisclosureError("icon margin must be between 1/20 (the title-safe inset) and 1/5 of the frame")
        if self.start < 0 or (self.duration is not None and self.duration <= 0):
            raise DisclosureError("icon start must be >= 0 and its duration positive (or None for always)")
        if any(b < 0 for b in self.breaks):
            raise DisclosureError("ad-break times must be >= 0 seconds")
        object.__setattr__(self, "breaks", tuple(sorted(set(self.breaks))))

    def pixel_height(self, frame_height: int) -> int:
        return max(MIN_ICON_PX, round(frame_height * self.height))

    def rect(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(x, y, w, h) of the icon in a frame of the given size, inside the title-safe area.

        Raises:
            DisclosureError: the icon does not fit inside the title-safe area of that frame.
        """
        ih = self.pixel_height(height)
        iw, ih = icon_size(self.variant, ih)
        mx, my = ceil(width * self.margin), ceil(height * self.margin)
        if iw + 2 * mx > width or ih + 2 * my > height:
            raise DisclosureError(
                f"a {iw}x{ih} icon does not fit the title-safe area of a {width}x{height} frame; "
                "the frame is too small for a legible EU icon"
            )
        x = mx if self.corner in (Corner.TOP_LEFT, Corner.BOTTOM_LEFT) else width - mx - iw
        y = my if self.corner in (Corner.TOP_LEFT, Corner.TOP_RIGHT) else height - my - ih
        return x, y, iw, ih

    def intervals(self, programme_end: Fraction) -> list[tuple[Fraction, Fraction]]:
        """The ``[from, to)`` seconds the icon is due, merged and clipped to ``[0, programme_end)``."""
        if self.duration is None:
            spans = [(self.start, programme_end)]
        else:
            spans = [(t, t + self.duration) for t in (self.start, *self.breaks)]
        merged: list[tuple[Fraction, Fraction]] = []
        for a, b in sorted((a, min(b, programme_end)) for a, b in spans if a < programme_end):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        return merged

    def shown_at(self, t: Fraction, programme_end: Fraction | None = None) -> bool:
        end = programme_end if programme_end is not None else t + 1
        return any(a <= t < b for a, b in self.intervals(end))
