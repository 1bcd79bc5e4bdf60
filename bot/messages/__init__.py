"""Every sentence a user reads, by subject, in the member's language: each module's functions
take a locale first and render messages of the catalogs in `locales/` (see `catalog.py`).
Pure: no discord import, no I/O beyond reading the catalogs once."""
