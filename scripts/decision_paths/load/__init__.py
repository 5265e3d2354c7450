"""Load step: a decisions folder (and its git history) -> the model, with findings
at the exact file, line and column of each problem in the format."""
