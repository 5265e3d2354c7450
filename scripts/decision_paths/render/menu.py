"""Material's menu, drawn once per build instead of once per page.

Material renders the whole navigation into every page: at 1,000 decisions that is most of
a build, and it grows with the square of the site. Only the entries on the open page's
path differ from page to page (open sections, the current page with its contents), so our
copies of ``partials/nav.html`` and ``partials/nav-item.html`` ask :class:`InactiveMenu`
for every other entry. It renders each such entry once, with Material's own macro, with
links from the site's root written as ``{dp-root}/...``; the menu of each page then gets
that page's way to the root (:meth:`InactiveMenu.to_root`).
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment
from markupsafe import Markup

# MkDocs quotes page addresses, so a brace never occurs in one.
ROOT_SLOT = "{dp-root}"


class InactiveMenu:
    """Menu entries off the open page's path, each rendered once per build."""

    def __init__(self, env: Environment, config: Any) -> None:
        self._env = env
        self._config = config
        self._macros: Any = None
        self._rendered: dict[tuple[int, str, int, bool | None], Markup] = {}

    def inactive(self, item: Any, path: str, level: int, parent: Any = None) -> Markup:
        # With tabs, a second-level section's look depends on whether its parent is open.
        key = (id(item), path, level, None if parent is None else bool(parent.active))
        html = self._rendered.get(key)
        if html is None:
            html = self._rendered[key] = self._render(item, path, level, parent)
        return html

    def to_root(self, menu: str, base_url: str) -> Markup:
        """MENU with its links from the root of BASE_URL, the page's (or error page's) way
        there as MkDocs gives it: "../..", ".", "/" or "/docs/"."""
        prefix = "" if base_url in (".", "") else base_url.rstrip("/") + "/"
        home = f'href="{ROOT_SLOT}/."'
        return Markup(  # noqa: S704 - the menu Material's templates rendered
            str(menu).replace(home, f'href="{prefix or "."}"').replace(ROOT_SLOT + "/", prefix)
        )

    def _render(self, item: Any, path: str, level: int, parent: Any) -> Markup:
        if self._macros is None:
            # No page is open here: MkDocs' `url` filter then joins each address to
            # base_url, which is the slot that to_root fills in.
            template = self._env.get_template("partials/nav-item.html")
            self._macros = template.make_module(
                {
                    "config": self._config,
                    "features": self._config.theme.get("features") or [],
                    "page": None,
                    "base_url": ROOT_SLOT,
                    "dp_menu_root": True,
                }
            )
        if parent is None:
            return Markup(self._macros.render(item, path, level))  # noqa: S704 - Material's macro
        return Markup(self._macros.render(item, path, level, parent))  # noqa: S704
