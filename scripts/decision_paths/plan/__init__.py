"""Plan step: the model one site may show -> its pages as data, diagrams as DOT, feeds.

Pure: no git, no Graphviz run, no MkDocs, no files.
"""
