"""``python -m daemon`` runs the ``apinbox`` command."""

from daemon.cli import main

raise SystemExit(main())
