"""Stage 1: dailies — camera files ingested, catalogued and recorded in the project's ledger."""
