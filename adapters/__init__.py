"""Input and output: reading the source files and side inputs, the DuckDB warehouse (built beside
the live one and swapped in), the files and reports written for people, and e-mail delivery.
The flow's stages call these; nothing here decides anything about claims or owners."""
