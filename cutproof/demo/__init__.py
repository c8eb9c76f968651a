"""``cutproof demo``: the whole product end to end on the embedded database."""
