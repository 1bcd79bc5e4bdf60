"""Every sentence a user reads, kept apart from the logic that decides what to say."""
