"""``python -m contractgen``."""

from contractgen.cli import main

main()
