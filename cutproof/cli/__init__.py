"""The ``cutproof`` command line (Typer + Rich). Each area's sub-commands live in their own module; ``main`` lists
the top-level commands in a static table and imports a command's module only when it is used (``_lazy``)."""
