"""Stage 2: who is in the shot — performers' faces tagged, the project's cast model, and who is in an edited
region (the answer the gate decides on)."""
