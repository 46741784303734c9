"""The HTML page's template and inlined scripts, read from the installed packages."""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any


@lru_cache(maxsize=1)
def template() -> Any:
    from jinja2 import Environment

    env = Environment(autoescape=True, keep_trailing_newline=True)
    # Sorted keys keep the output byte-identical; NaN would break JSON.parse, so refuse it.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "allow_nan": False}
    return env.from_string(resource("page.html"))


def resource(name: str) -> str:
    return (resources.files("supplygraph.outputs") / "templates" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def page_js() -> str:
    return safe_script(resource("page.js"))


@lru_cache(maxsize=1)
def vis_js() -> str:
    """The vis-network 9.1.2 bundle that pyvis ships (Apache-2.0 OR MIT), minus its map link."""
    # found, not imported: importing pyvis pulls in networkx and IPython (a tenth of a second)
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("pyvis (it ships the vis-network script) is not installed")
    folder = Path(spec.submodule_search_locations[0])
    path = folder / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    code = path.read_text(encoding="utf-8")
    return safe_script(re.sub(r"^//# sourceMappingURL=.*$", "", code, flags=re.M))


def safe_script(code: str) -> str:
    """Refuse script text that could end its inline <script> element early."""
    if "</script" in code.lower() or "<!--" in code:
        raise ValueError("script text would end its <script> element early")
    return code
