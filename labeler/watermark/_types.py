"""Array alias used across the watermark modules (OpenCV and NumPy disagree on precise dtypes)."""

from typing import Any

import numpy.typing as npt

Array = npt.NDArray[Any]
