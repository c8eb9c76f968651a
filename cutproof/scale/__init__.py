"""Running jobs at scale: the job kinds of the whole application, and the engine that runs them — the embedded
in-process worker pool by default, or a Ray cluster (``CUTPROOF_RAY_ADDRESS``). Ray is imported only by the
modules that talk to it (``ray_engine``, ``ray_executor``), and only when a cluster is configured."""
