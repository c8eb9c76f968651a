"""A fresh ``cutproof`` process that reports what it loaded: ``python -c PROBE OUT ARGS…`` runs ``cutproof ARGS``
in that interpreter and writes ``{"code": exit code, "modules": sorted(sys.modules), "gc": whether the cyclic
collector is on}`` as JSON to OUT."""

PROBE = """
import gc, json, sys
out, sys.argv = sys.argv[1], ["cutproof", *sys.argv[2:]]
from cutproof.cli.main import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(out, "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules), "gc": gc.isenabled()}, f)
"""
