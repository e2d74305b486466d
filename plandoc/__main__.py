"""`python -m parser` is the `plandoc` command."""
from .cli import main

main(prog_name="plandoc")
