"""Each server's own settings, changed from Discord (`/r2v-admin set`) without a restart.

`values.py` is pure: which settings a server may change, how an admin's text is read, and the
effective settings (the environment's, overlaid by the server's own). `service.py` reads and
writes them through the store.
"""
