"""python -m flows.samplegen: see cli.py."""

from flows.samplegen.cli import main

raise SystemExit(main())
