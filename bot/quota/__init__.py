"""Team limits: submissions on their way, counted with what the store knows."""
