"""Pure request building and validation: no I/O, no discord import."""
