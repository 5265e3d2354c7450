"""Live preview: build into a temporary folder, serve it, rebuild on every save.

Uses MkDocs' own live-reload server; the decisions folder is watched, so
saving a YAML file refreshes the open page. Errors in the decisions show in
the terminal and on the page; the server keeps running.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile

from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer

from decision_paths.pipeline.sites import Pipeline
from decision_paths.render.site import load_site_config, quiet_third_parties


def serve_site(*, decisions: str, host: str, port: int, today: dt.date | None, config_file: str | None) -> None:
    quiet_third_parties()
    site_dir = tempfile.mkdtemp(prefix="decision-paths-serve-")
    url = f"http://{host}:{port}/"

    def get_config() -> MkDocsConfig:
        # A new pipeline for each rebuild: the files have changed. Errors go on the page.
        pipeline = Pipeline(decisions, today or dt.date.today(), fixed_today=today is not None)
        config = load_site_config(pipeline, site_dir=site_dir, config_file=config_file, live=True)
        config.site_url = url
        return config

    def builder(config: MkDocsConfig | None = None) -> None:
        mkdocs_build.build(config or get_config(), serve_url=url)

    config = get_config()
    server = LiveReloadServer(builder=builder, host=host, port=port, root=site_dir)
    try:
        builder(config)
        print(f"Serving the internal site on {url} - it refreshes as you save; press Ctrl+C to stop.", flush=True)
        server.watch(config.docs_dir)
        server.watch(os.path.abspath(decisions))
        if config.config_file_path:
            server.watch(config.config_file_path)
        try:
            server.serve()  # type: ignore[no-untyped-call]  # MkDocs leaves it untyped
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
    finally:
        shutil.rmtree(site_dir, ignore_errors=True)
