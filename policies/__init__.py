"""YAML policy packs and the evaluator that turns (edit request, consent state, context) into a decision."""
