"""The Cutproof console: the web app for legal, delivery QC and editors, served by ``cutproof serve``.

Server-rendered pages (Jinja2 and a little plain JavaScript shipped in ``static/``; nothing fetched at run time)
on top of the API: the same authorization (``cutproof.api.deps.authorize``) and the same application functions
(``flow.submit``, ``flow.sign_review``, ``qc.verify.verify_deliverable``, ``audit.build_audit`` …).
``create_app`` is the API's app with the console installed under ``/console``.
"""

from cutproof.console.app import create_app, create_app_from_environment, install

__all__ = ["create_app", "create_app_from_environment", "install"]
