"""`python -m piecework` runs the command line."""

from piecework.launch import main

main()
