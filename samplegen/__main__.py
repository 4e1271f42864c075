"""python -m samplegen: see cli.py."""

from samplegen.cli import main

raise SystemExit(main())
