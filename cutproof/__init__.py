"""Cutproof: make AI edits to film and TV footage, and prove them.

The application shell: settings, workspace, wiring of the components, CLI, API, reports and the demo.
"""

__version__ = "0.1.0"
