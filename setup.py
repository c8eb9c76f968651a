"""Build hook for the optional C accelerator of the ledger's bulk hashing (ledger/_chash.c).

Everything else is declared in pyproject.toml. ``optional=True``: where no C compiler or OpenSSL headers exist,
the install still succeeds and ledger/_hashing.py falls back to its pure-Python reference.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("ledger._chash", ["ledger/_chash.c"], libraries=["crypto"], optional=True),
    ]
)
