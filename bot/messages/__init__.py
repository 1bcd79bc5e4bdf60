"""Every sentence a user reads, by subject. Pure: no discord import, no I/O."""
