"""Thin Discord cogs: they read options, call the layers below and answer."""
