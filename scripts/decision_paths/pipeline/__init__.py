"""The pipeline: a decisions folder -> findings -> history -> one site's plan.

``validate`` loads and checks a folder (all the query commands need); ``sites``
adds the history and the plan for a site, with the build cache, in one
``Pipeline`` that ``build``, ``serve`` and the MkDocs plugin share.
"""

from decision_paths.pipeline.validate import Validation, validate_folder

__all__ = ["Validation", "validate_folder"]
