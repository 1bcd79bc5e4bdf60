"""Each server's cast: named characters kept once and reused in every shot.

`settings.py` where the files are kept; `files.py` (pure) what a file is and whether the API
would take it; `library.py` keeps the files and hands out fresh Discord links to them (its
Discord side is `bot/ui/cast_desk.py`); `service.py` decides the commands' outcomes.
"""
