"""The closed vocabularies that signed records and the consent registry share, defined once: plain ``Literal``
types with no pydantic behind them, so that a command line can name its choices without loading any model."""

from __future__ import annotations

from typing import Literal

PerformerKind = Literal["principal", "background", "stunt", "stand_in"]
Representation = Literal["counsel", "union", "none"]
Category = Literal["digital_alteration", "ebdr", "icdr", "background_replica"]
"""The consent categories of the SAG-AFTRA agreements: digital alteration, employment-based and independently
created digital replicas, background actor replicas."""
Signer = Literal["performer", "representative", "union"]
ContractEdition = Literal["sag-aftra-tv-theatrical-2023", "sag-aftra-tv-theatrical-2026"]
ModelKind = Literal["lighting", "background", "dialogue", "cast", "eyeline"]
