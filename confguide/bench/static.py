"""The benchmark's static limit: a page's exact bytes served as a static file.

`manage.py bench` saves each page it measures (and its gzip body when the site
sent one) into a folder, then runs this app under gunicorn with the same
config, workers and threads as the site. What it serves per second is the
most the site could serve for those bytes on this machine, which is what each
page's throughput is compared with.

    BENCH_PAGES_DIR=/tmp/pages gunicorn -c confguide/gunicorn.conf.py confguide.bench.static
"""

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from whitenoise import WhiteNoise

# Beside the pages: {file name: the Content-Type the site sent with it}.
CONTENT_TYPES = "content-types.json"


def not_found(environ: dict, start_response: Callable) -> Iterable[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
    return [b"Not found\n"]


def build_app(root: Path) -> WhiteNoise:
    """Serve the files in root at /<name>, each with the Content-Type the site gave it.

    WhiteNoise sends <name>.gz instead when the client accepts gzip and that file
    exists, so a page the site gzipped is gzipped here too, and one it did not is not.
    """
    types_file = root / CONTENT_TYPES
    content_types = json.loads(types_file.read_text()) if types_file.is_file() else {}

    def same_content_type(headers, path: str, url: str) -> None:
        content_type = content_types.get(Path(path).name)
        if content_type:
            headers["Content-Type"] = content_type

    return WhiteNoise(not_found, root=root, prefix="/", add_headers_function=same_content_type)


def _application_from_environment() -> WhiteNoise | None:
    root = os.environ.get("BENCH_PAGES_DIR")
    return build_app(Path(root)) if root else None


application = _application_from_environment()
