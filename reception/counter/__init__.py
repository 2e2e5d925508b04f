"""The reception counter: intake of paper dossiers, the acceptance queue of online and
postal dossiers, and returning results."""
