"""Stage 4: an edit's path — submission, gate decision, review, render, label, delivery."""
