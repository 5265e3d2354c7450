"""Load step for the tracking links' epochs: ``_tracking.yaml`` in the cases folder.

A tracking link is derived from the secret, the case id and the case's epoch (0
unless this file names it). Raising a case's epoch gives it a new address and key:
the link sent before opens nothing. The file::

    # Raise a case's number to revoke the tracking link sent before.
    epochs:
      R-2026-0412: 1

A file that cannot be read gives ``None``: then no tracking page is built at all,
since building them with the epochs lost would bring a revoked link back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from decision_paths.load.yamlsource import Map, Scalar, read_file
from decision_paths.model.cases import TRACKING_SETTING
from decision_paths.model.findings import Finding
from decision_paths.model.suggest import did_you_mean
from decision_paths.model.tracking import EPOCHS_FILE, SECRET_VARIABLE

_EXAMPLE = "epochs:\n  R-2026-0412: 1"


def load_epochs(folder: str, shown: str | None = None) -> tuple[Mapping[str, int] | None, tuple[Finding, ...]]:
    """(case id -> epoch, findings). No file: every epoch is 0. ``shown``: how the
    path appears in findings (default: relative to the current folder)."""
    path = os.path.join(folder, EPOCHS_FILE)
    if not os.path.isfile(path):
        return {}, ()
    name = os.path.relpath(path, shown) if shown is not None else os.path.relpath(path)
    parsed = read_file(path)
    root = parsed.root
    if parsed.findings or root is None:
        return None, tuple(TRACKING_SETTING.at(f.loc._replace(file=name), f.message) for f in parsed.findings)
    if not isinstance(root, Map):
        message = f"the file must be a mapping, e.g.\n{_EXAMPLE}"
        return None, (TRACKING_SETTING.at(root.loc._replace(file=name), message),)
    problems: list[Finding] = []
    for key, (key_node, _) in root.entries.items():
        if key != "epochs":
            problems.append(
                TRACKING_SETTING.at(
                    key_node.loc._replace(file=name), f"unknown key '{key}'{did_you_mean(key, ['epochs'])}"
                )
            )
    epochs: dict[str, int] = {}
    listed = root.get("epochs")
    if listed is not None and not isinstance(listed, Map):
        problems.append(
            TRACKING_SETTING.at(
                listed.loc._replace(file=name), f"'epochs' maps case ids to whole numbers, e.g.\n{_EXAMPLE}"
            )
        )
    elif listed is not None:
        for case, (_, value) in listed.entries.items():
            number = value.value if isinstance(value, Scalar) else None
            if isinstance(number, bool) or not isinstance(number, int) or number < 0:
                problems.append(
                    TRACKING_SETTING.at(
                        value.loc._replace(file=name),
                        f"the epoch of case '{case}' must be a whole number 0 or more (raise it by 1 to revoke "
                        "the link sent before)",
                    )
                )
            else:
                epochs[case] = number
    if problems:
        return None, tuple(problems)
    return epochs, ()


MIN_SECRET_LENGTH = 16


def tracking_secret() -> bytes | None:
    """The secret from the environment (a CI secret), or None when tracking is not set up.
    Too short a secret counts as none: its links could be guessed."""
    return None if secret_problem() else os.environ[SECRET_VARIABLE].encode("utf-8")


def secret_problem() -> str | None:
    """Why there is no usable secret, in words for the person running the build."""
    value = os.environ.get(SECRET_VARIABLE, "")
    if not value:
        return f"tracking pages are not set up: set {SECRET_VARIABLE} (a CI secret, e.g. from `openssl rand -hex 32`)"
    if len(value) < MIN_SECRET_LENGTH:
        return (
            f"{SECRET_VARIABLE} is {len(value)} characters long; use at least {MIN_SECRET_LENGTH} random ones "
            "(e.g. `openssl rand -hex 32`), or its links could be guessed"
        )
    return None
