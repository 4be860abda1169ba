"""`python -m wujie` runs the command-line interface."""

from wujie.entrypoints.cli.main import main

main()
