"""Stage 5: delivery QC — verify a deliverable before it leaves the building."""
