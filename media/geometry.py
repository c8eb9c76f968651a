"""Pixel geometry shared by every layer that names a part of a picture: ``Region``.

A ``Region`` is an axis-aligned rectangle of whole pixels, origin top-left, written ``x,y,width,height``. The editor
reports the rectangle an edit changed, the application asks who is in one, and the labeler writes it into a C2PA
``changes`` region-map: one type, so the three can never disagree about what a region is.
"""

from __future__ import annotations

from dataclasses import dataclass

from media.errors import RegionError


@dataclass(frozen=True)
class Region:
    """An axis-aligned pixel rectangle ``x, y, width, height`` (origin top-left).

    Raises:
        RegionError: ``x`` or ``y`` negative, or ``width``/``height`` not positive.
    """

    x: int
    y: int
    width: int
    height: int

    def __post_init__(self) -> None:
        if self.x < 0 or self.y < 0 or self.width <= 0 or self.height <= 0:
            raise RegionError(
                f"region {self.x},{self.y},{self.width},{self.height} must have x, y ≥ 0 and width, height > 0"
            )

    @classmethod
    def parse(cls, text: str) -> Region:
        """``"x,y,w,h"`` → Region.

        Raises:
            RegionError: not four integers, or not a valid rectangle.
        """
        try:
            x, y, w, h = (int(p) for p in text.split(","))
        except ValueError:
            raise RegionError(f"region {text!r} must be four integers x,y,w,h (e.g. 100,50,640,360)") from None
        return cls(x, y, w, h)

    def fits(self, width: int, height: int) -> bool:
        """Whether the rectangle lies inside a ``width``×``height`` frame."""
        return self.x + self.width <= width and self.y + self.height <= height

    def is_full(self, width: int, height: int) -> bool:
        """Whether the rectangle is the whole ``width``×``height`` frame."""
        return (self.x, self.y, self.width, self.height) == (0, 0, width, height)

    def as_json(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}
