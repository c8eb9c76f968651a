"""``python -m cutproof`` and the ``cutproof`` executable: the command line, with the cyclic collector paused
before Typer and the commands load (``cutproof.cli._collector``)."""

from cutproof.cli import _collector


def main() -> None:
    """Run the ``cutproof`` command line (``cutproof.cli.main.main``)."""
    _collector.pause()
    from cutproof.cli.main import main as run  # after the pause: its imports are most of a short command's start-up

    run()


if __name__ == "__main__":
    main()
