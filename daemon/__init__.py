"""The long-running process and the ``apinbox`` command: configuration, sources, worker,
stages, scheduler, signals. Nothing imports this package."""
