"""Stage 6: the legal audit per shot, its reports, and the editorial timeline it can be read against."""
