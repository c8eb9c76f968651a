"""The HTML audit's Jinja2 template, compiled ahead of time: ``templates/audit.html.j2`` is the source, and
``_audit_html.py`` beside this module is Jinja2's own compilation of it (``Environment.compile(..., raw=True)``),
so the HTML report renders without lexing, parsing and compiling the template on every run (about a third of an
HTML audit's start-up). Rendering goes through Jinja2's runtime with the same environment settings as compiling
the source would, so the output is the same byte for byte.

tests/cutproof/test_audit.py checks that ``_audit_html.py`` is exactly what :func:`compiled_source` gives for the
template and the installed Jinja2, so the shipped code can never differ from its source. After changing the
template (or Jinja2's pin), regenerate it::

    PYTHONPATH=. python -m cutproof.audit._template
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path

from jinja2 import Environment, Template

NAME = "audit.html.j2"
SOURCE = Path(__file__).parent / "templates" / NAME
COMPILED = Path(__file__).parent / "_audit_html.py"
# after the code, so that the line numbers Jinja2 maps template errors to stay those of its compilation
_FOOTER = f"\n\n# Generated from templates/{NAME} by `python -m cutproof.audit._template`: do not edit.\n"


def environment() -> Environment:
    """The Jinja2 environment the audit template is compiled and rendered with.

    Every value is HTML-escaped: names, purposes, review notes and rule explanations are text users typed, and the
    report is opened in a browser. (``select_autoescape(["html"])`` had left it off: it goes by the template's file
    name, and ``audit.html.j2`` ends in ``.j2``.)
    """
    return Environment(autoescape=True)


def compiled_source() -> str:
    """Jinja2's compilation of the template source, as the Python module ``_audit_html.py`` holds it."""
    return environment().compile(SOURCE.read_text(encoding="utf-8"), NAME, raw=True) + _FOOTER


def audit_template() -> Template:
    """The audit template, from its ahead-of-time compiled module.

    The module's code object comes from the interpreter's bytecode cache, like any module's; it is run the way
    Jinja2 runs a template it compiled itself (``Template.from_code``: in a namespace holding the environment, which
    the generated code expects), not imported.
    """
    spec = importlib.util.find_spec(f"{__package__}._audit_html")
    if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
        raise ImportError("the compiled audit template cutproof/audit/_audit_html.py is missing")
    env = environment()
    code = spec.loader.get_code(spec.name)
    return env.template_class.from_code(env, code, env.make_globals(None))


if __name__ == "__main__":
    COMPILED.write_text(compiled_source(), encoding="utf-8")
    print(f"wrote {COMPILED}")
