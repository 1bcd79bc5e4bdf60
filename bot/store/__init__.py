"""The task store: every submitted task, written before its requester hears of it.

`protocol.TaskStore` is what the bot may ask of a store; `open.open_store` picks PostgreSQL
(`postgres.py`, when R2V_DATABASE_URL is set) or SQLite (`sqlite.py`), each put together from
its parts beside it (`*_schema`, `*_workers`, `*_holds`, `*_cast`, `*_team`). Both map records
to rows through `codec.py`; `records.py` and `types.py` hold the values they return.
"""
