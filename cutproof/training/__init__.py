"""Stage 3: the project's models, trained only on its own dailies — specs, the training run, the durable job."""
