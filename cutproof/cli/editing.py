"""``cutproof model …`` and ``cutproof edit …``: the editing engine's groups, one entry per edit kind.

Each edit kind's commands live in that kind's module (``editor``: lighting and dialogue; ``background``; ``cast``;
``eyeline``); these tables say where, so ``cutproof edit relight`` imports the lighting commands and not torch's
background refiner or the eyeline model. ``cutproof cast train`` and ``cutproof model train cast`` are one command.
"""

from __future__ import annotations

from cutproof.cli._app import command_group
from cutproof.cli._lazy import LazyCommand, lazy_group

train_app = command_group(
    help="Train a model from catalogued clips.",
    no_args_is_help=True,
    cls=lazy_group(
        LazyCommand(
            "lighting",
            "cutproof.cli.editor:train_lighting_cmd",
            "Train the project's lighting model (Ctrl-C saves a checkpoint; run again to resume).",
        ),
        LazyCommand(
            "dialogue",
            "cutproof.cli.editor:train_dialogue_cmd",
            "Build a performer's dialogue model: mouth bank across their sync takes + a SyncNet-style sync scorer.",
        ),
        LazyCommand(
            "background",
            "cutproof.cli.background:train_background_command",
            "Train a per-shot background refiner on the shots' own frames (pseudo-labels from the keyer).",
        ),
        LazyCommand(
            "cast",
            "cutproof.cli.cast:train_cast_cmd",
            "Train the project's cast model from its tags (``model train cast``); records ``model.trained/1``.",
        ),
        LazyCommand(
            "eyeline",
            "cutproof.cli.eyeline:train_eyeline_cmd",
            "Learn PERFORMER's eye geometry and gaze range (the iris warp's model); records ``model.trained/1``.",
        ),
    ),
)

model_app = command_group(
    help="Train and list the project's models.",
    no_args_is_help=True,
    cls=lazy_group(
        LazyCommand("list", "cutproof.cli.editor:model_list", "List trained models with their training inputs."),
        LazyCommand("train", "cutproof.cli.editing:train_app", "Train a model from catalogued clips."),
    ),
)

edit_app = command_group(
    help="Apply edits with the project's models.",
    no_args_is_help=True,
    cls=lazy_group(
        LazyCommand(
            "relight",
            "cutproof.cli.editor:edit_relight",
            "Match SHOT (or a region of it) to a reference and/or adjust it, through the project's lighting model.",
        ),
        LazyCommand(
            "export-grade",
            "cutproof.cli.editor:edit_export_grade",
            "Compute the grade relight would apply and export it for a colourist (no video is written).",
        ),
        LazyCommand(
            "dialogue",
            "cutproof.cli.editor:edit_dialogue",
            "Replace the line in SHOT with a re-recorded one and re-sync the mouth (or only re-time the picture).",
        ),
        LazyCommand(
            "background",
            "cutproof.cli.background:edit_background_command",
            "Replace the background behind the performers of SHOT with a plate (another shot's frame, or a still).",
        ),
        LazyCommand(
            "eyeline",
            "cutproof.cli.eyeline:edit_eyeline_cmd",
            "Move PERFORMER's gaze in SHOT by DX,DY degrees; records ``edit.direct/1`` (an edit outside the gate).",
        ),
    ),
)
