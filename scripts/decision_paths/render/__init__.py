"""Render step: Graphviz layout, the page templates, and the MkDocs plugin that
hands the rendered pages to MkDocs."""
