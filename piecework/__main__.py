"""`python -m piecework` runs the command line."""

from piecework.cli import main

main()
