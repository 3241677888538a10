"""``assurance ui``: a local, server-rendered web app over the reports folder (runs, one run,
two runs compared, a metric's trend, the register, the review queue). No page runs script."""
