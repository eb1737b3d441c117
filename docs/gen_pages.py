"""The documentation site's generated pages: a MkDocs hook (mkdocs.yml `hooks:`), also imported by
tests/docs/test_examples.py. Every page that is not a hand-written file of docs/ is made here, from
the sources, at build time, so the site follows the code:

- reference/*.md: the package (from the committed stub `_aerospike.pyi`, docstrings from the
  extension), each public helper module (runtime signatures, docstrings, UPPER_CASE constants) and
  the exception hierarchy (walked from `aerospike_py.exception`, with its result-code table).
  The clients' operations and the ops.yaml constants are docs/api.md, rendered by build.rs.
- devserver.md, bench.md, bench-running.md: repository Markdown (devserver/README.md, the README's
  "Benchmarks" section, bench/README.md), links rewritten for the site.
- switching.md's method table (`<!-- official-methods -->`): the official client's methods beside ours.

Needs the built extension (`make develop`): the reference is read from the importable package.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import posixpath
import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# Site page <- repository Markdown (a file, or one "## " section of it).
INCLUDED = {
    "devserver.md": ("devserver/README.md", None),
    "bench.md": ("README.md", "Benchmarks"),
    "bench-running.md": ("bench/README.md", None),
}
# Pages whose ```python blocks are not runnable examples: api.md shows calls with ops.yaml's
# placeholders (KEY, DKEY; tests/client/test_conformance.py runs them from ops.yaml).
NOT_EXAMPLES = {"api.md"}
OFFICIAL_METHODS = "<!-- official-methods -->"

_LINK = re.compile(r"(!?\[[^\]]*\])\(([^)\s]+)\)")


# ---------------------------------------------------------------- repository Markdown


def _section(text: str, heading: str) -> str:
    """The `## heading` section of a Markdown text, as a page headed `# heading`."""
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not m:
        raise ValueError(f"no '## {heading}' section")
    return f"# {heading}\n{m.group(1)}"


def _page_of(repo_path: str) -> str | None:
    """The site page showing a repository file, if any."""
    if repo_path.startswith("docs/"):
        return repo_path[len("docs/") :]
    for page, (src, section) in INCLUDED.items():
        if src == repo_path and section is None:
            return page
    return None


def _rewrite_links(text: str, src: str, page: str) -> str:
    """Relative links of `src` (a repository path) made relative to the site `page`; a link to a
    file the site does not show becomes its path in code (the repository has it)."""

    def sub(m: re.Match) -> str:
        label, target = m.group(1), m.group(2)
        if re.match(r"[a-z]+:|#", target):
            return m.group(0)
        path, _, anchor = target.partition("#")
        repo_path = posixpath.normpath(posixpath.join(posixpath.dirname(src), path))
        dest = _page_of(repo_path)
        if dest is None:
            if label.startswith("!"):
                raise ValueError(f"{src}: image {target} is outside docs/")
            return f"{label[1:-1]} (`{repo_path}` in the repository)"
        rel = posixpath.relpath(dest, posixpath.dirname(page) or ".")
        return f"{label}({rel}{'#' + anchor if anchor else ''})"

    return _LINK.sub(sub, text)


def included_page(page: str) -> str:
    src, section = INCLUDED[page]
    text = (ROOT / src).read_text()
    if section:
        text = _section(text, section)
    return _rewrite_links(text, src, page)


# ---------------------------------------------------------------- reference


def _doc(obj: object) -> str:
    """The object's own docstring (not one inherited from a base class), dedented. A module's text
    starts at the margin, so only its examples are indented: those stay indented (code blocks)."""
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else getattr(obj, "__doc__", None)
    if not isinstance(doc, str):
        return ""
    return textwrap.dedent(doc).strip() if inspect.ismodule(obj) else inspect.cleandoc(doc)


class _Annotation(str):
    """An annotation kept as written (`from __future__ import annotations`): shown unquoted."""

    def __repr__(self) -> str:
        return str(self)


def _signature(name: str, obj: object) -> str:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return f"{name}(...)"
    plain = lambda a: _Annotation(a) if isinstance(a, str) else a  # noqa: E731
    sig = sig.replace(
        parameters=[p.replace(annotation=plain(p.annotation)) for p in sig.parameters.values()],
        return_annotation=plain(sig.return_annotation),
    )
    return f"{name}{sig}"


def _entry(title: str, signature: str, doc: str) -> str:
    return f"### `{title}`\n\n```python\n{signature}\n```\n\n{doc}\n"


def public_modules() -> list[str]:
    import aerospike_py

    return sorted(m.name for m in pkgutil.iter_modules(aerospike_py.__path__) if not m.name.startswith("_"))


def module_page(name: str) -> str:
    """One helper module: its docstring, constants, functions and classes, in source order."""
    mod = importlib.import_module(f"aerospike_py.{name}")
    out = [f"# aerospike_py.{name}\n", _doc(mod), ""]
    members = [
        (n, o) for n, o in vars(mod).items()
        if not n.startswith("_") and getattr(o, "__module__", None) == mod.__name__
        and (inspect.isfunction(o) or inspect.isclass(o))
    ]
    constants = [(n, v) for n, v in vars(mod).items() if n.isupper() and isinstance(v, (int, str))]
    if constants:
        out += ["## Constants\n", "| name | value |", "| --- | --- |"]
        out += [f"| `{n}` | `{v!r}` |" for n, v in constants] + [""]
    for kind, pick in (("Functions", inspect.isfunction), ("Classes", inspect.isclass)):
        chosen = [(n, o) for n, o in members if pick(o)]
        if chosen:
            out.append(f"## {kind}\n")
            out += [_entry(n, _signature(n, o), _doc(o)) for n, o in chosen]
    return "\n".join(out)


def _stub_signature(fn: ast.FunctionDef | ast.AsyncFunctionDef, prefix: str = "") -> str:
    args = ast.unparse(fn.args).replace("self, ", "").replace("self", "")
    ret = f" -> {ast.unparse(fn.returns)}" if fn.returns else ""
    return f"{'async ' if isinstance(fn, ast.AsyncFunctionDef) else ''}def {prefix}{fn.name}({args}){ret}"


def package_page() -> str:
    """The top-level package: types, classes and functions, from the committed stub (the typed
    truth), docstrings from the stub or else the extension. Client operations link to api.md."""
    import aerospike_py
    from aerospike_py import _aerospike

    stub = ast.parse((ROOT / "python/aerospike_py/_aerospike.pyi").read_text())
    ops = set(_aerospike.OPERATIONS)
    out = [
        "# aerospike_py\n",
        _doc(aerospike_py),
        "",
        "The operations of both clients are in the [API reference](../api.md) (generated from `ops.yaml`),",
        "with the constants; the helper modules have their own pages.\n",
        "## Types\n",
        "Type aliases of the stub (`aerospike_py._aerospike`), used in the signatures.\n",
        "```python",
    ]
    out += [ast.unparse(n) for n in stub.body if isinstance(n, ast.Assign)]
    out += [ast.unparse(n) for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "Meta"]
    out += ["```\n", "## Functions\n"]
    fn = aerospike_py.client
    out.append(_entry("client", _signature("client", fn), _doc(fn)))
    for node in stub.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            out.append(_entry(node.name, _stub_signature(node), ast.get_docstring(node) or _doc(getattr(aerospike_py, node.name))))
    out.append("## Classes\n")
    for node in stub.body:
        if not isinstance(node, ast.ClassDef) or node.name == "Meta":
            continue
        cls = getattr(_aerospike, node.name)
        out += [f"### `{node.name}`\n", ast.get_docstring(node) or _doc(cls), ""]
        methods = [m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))]
        linked = [m.name for m in methods if m.name in ops]
        for m in methods:
            if m.name in ops or (m.name.startswith("_") and m.name != "__init__"):
                continue
            doc = ast.get_docstring(m) or _doc(getattr(cls, m.name))
            out += [f"```python\n{_stub_signature(m, node.name + '.' if m.name == '__init__' else '')}\n```\n", doc, ""]
        if linked:
            out.append("Operations: " + ", ".join(f"[`{n}`](../api.md#{n})" for n in linked) + ".\n")
    return "\n".join(out)


def exceptions_page() -> str:
    """The exception hierarchy, walked from the classes, and the result-code table the core uses."""
    from aerospike_py import exception as exc

    def tree(cls: type, depth: int) -> list[str]:
        doc = _doc(cls).split("\n\n")[0].replace("\n", " ")
        line = f"{'    ' * depth}- `{cls.__name__}` (code {cls.code}){': ' + doc if doc else ''}"
        subs = [s for s in cls.__subclasses__() if s.__module__ == exc.__name__]
        return [line] + [x for s in subs for x in tree(s, depth + 1)]

    out = ["# Exceptions\n", _doc(exc), "", "## Hierarchy\n", *tree(exc.AerospikeError, 0), ""]
    out += ["## By result code\n", "The class raised for each result code (`aerospike_py.exception._BY_CODE`).\n"]
    out += ["| code | raises |", "| --- | --- |"]
    out += [f"| {code} | `{cls.__name__}` |" for code, cls in sorted(exc._BY_CODE.items())]
    return "\n".join(out) + "\n"


def official_methods_table() -> str:
    """The official client's public `Client` methods and whether our two clients have them."""
    import aerospike
    import aerospike_py

    names = sorted(n for n in dir(aerospike.Client) if not n.startswith("_"))
    rows = ["| official `aerospike.Client` | `Client` | `AsyncClient` |", "| --- | --- | --- |"]
    for n in names:
        sync, asyn = (hasattr(c, n) for c in (aerospike_py.Client, aerospike_py.AsyncClient))
        link = f"[`{n}`](api.md#{n})" if n in aerospike_py._aerospike.OPERATIONS else f"`{n}`"
        rows.append(f"| {link} | {'yes' if sync else '-'} | {'yes' if asyn else '-'} |")
    have = sum(hasattr(aerospike_py.Client, n) for n in names)
    return f"{have} of the official client's {len(names)} methods exist here:\n\n" + "\n".join(rows)


def generated_pages() -> dict[str, str]:
    """Site path -> Markdown of every generated page."""
    pages = {page: included_page(page) for page in INCLUDED}
    pages["reference/package.md"] = package_page()
    pages["reference/exceptions.md"] = exceptions_page()
    for name in public_modules():
        if name != "exception":
            pages[f"reference/{name}.md"] = module_page(name)
    return pages


def example_sources() -> dict[str, str]:
    """Site path -> Markdown of the pages whose ```python blocks are runnable examples: the
    hand-written pages of docs/ and the included repository Markdown."""
    pages = {str(p.relative_to(DOCS)): p.read_text() for p in sorted(DOCS.rglob("*.md"))}
    pages.update({page: included_page(page) for page in INCLUDED})
    return {k: v for k, v in pages.items() if k not in NOT_EXAMPLES}


# ---------------------------------------------------------------- MkDocs hook


def on_config(config):
    """Fills the nav's "Helper modules" section with a page per public module (a new module gets
    its page and its place without an edit here)."""

    def fill(items):
        for item in items:
            for title, value in (item.items() if isinstance(item, dict) else ()):
                if title == "Helper modules":
                    item[title] = [{m: f"reference/{m}.md"} for m in public_modules() if m != "exception"]
                elif isinstance(value, list):
                    fill(value)

    fill(config["nav"])
    return config


def on_files(files, config):
    from mkdocs.structure.files import File

    for path, text in generated_pages().items():
        files.append(File.generated(config, path, content=text))
    return files


def _unescape_table_code(markdown: str) -> str:
    """`a \\| b` in a table cell is GitHub's way to keep the pipe of a code span (docs/api.md);
    Python-Markdown keeps code-span pipes by itself and would show the backslash."""
    code = re.compile(r"`[^`\n]*`")
    return "\n".join(
        code.sub(lambda m: m.group(0).replace("\\|", "|"), line) if line.startswith("|") else line
        for line in markdown.split("\n")
    )


def on_page_markdown(markdown, page, config, files):
    if OFFICIAL_METHODS in markdown:
        markdown = markdown.replace(OFFICIAL_METHODS, official_methods_table())
    return _unescape_table_code(markdown)
