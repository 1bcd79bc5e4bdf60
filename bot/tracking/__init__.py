"""Background tracking of submitted tasks until their video is delivered."""
