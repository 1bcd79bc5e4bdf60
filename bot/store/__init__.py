"""The task store: every submitted task, written before its requester hears of it."""
