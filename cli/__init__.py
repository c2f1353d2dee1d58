"""The ``palfa`` command line (typer): operator commands over the domain code and the flows."""
