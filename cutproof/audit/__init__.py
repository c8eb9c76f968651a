"""Stage 6: the legal audit per shot, its reports, and the editorial timeline it can be read against."""

FORMATS = ("html", "csv", "json")
"""The report formats (``cutproof audit --format``); here so that the CLI names them without loading the audit."""
