"""`python -m stratify.cli`, as bench and the tests run the commands in a child process."""

from stratify.cli import main

main()
