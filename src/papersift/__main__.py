"""`python -m papersift` is the `papersift` command."""

from papersift.cli import main

main()
