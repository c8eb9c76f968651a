"""The ``cutproof`` command line (Typer + Rich). Each area's sub-commands live in their own module."""
