"""Generic storage shared by every package: opening a database with durability on, SQLite's writer lock and
background WAL checkpoints, prebuilt SELECTs on the driver, and the content-addressed blob store.

Knows nothing of ledgers, consent or film.
"""
