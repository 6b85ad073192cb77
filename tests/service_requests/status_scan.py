"""Reads the project's code for writes of a request's status outside the lifecycle.

Only `service_requests.lifecycle.change_status` sets a status. The rule, checked on every .py
file of the project except that module, the tests, the migrations and third-party or hidden
folders (.venv, node_modules, .git…):

1. No assignment to an attribute named `status`: `x.status = …`, `x.status += …`,
   `x.status: str = …`, a tuple target (`x.status, y = …`), a `for`/`with … as` target, nor
   `setattr(x, "status", …)`. The one exception is `self.status = …` in a class that is not a
   Django model (none of its bases is named `Model` or `ServiceRequest`): an error carrying an
   HTTP status, say. Nothing else in the project has a `status` attribute to assign, so any
   other object is taken for a request.
2. No `status=` keyword in a call of `.create(`, `.get_or_create(`, `.update_or_create(` or
   `.update(`, or of a class named `ServiceRequest(`, and no "status" key in the `defaults=`
   dict of the first three: a status is never written with a row, except `status=Status.DRAFT`
   (a draft is created as a draft, which is no transition).

Reading a status (`.filter(status=…)`, `request.status == …`) and saving the fields a
transition set (`save(update_fields=["status", …])`, `bulk_update`) are not writes of a status.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIFECYCLE = ROOT / "service_requests" / "lifecycle.py"
SKIPPED_DIRS = {"tests", "migrations", "node_modules", "__pycache__"}
ROW_WRITES = {"create", "get_or_create", "update_or_create", "update"}
MODEL_BASES = {"Model", "ServiceRequest"}


def project_files(root: Path = ROOT) -> Iterator[Path]:
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts[:-1]
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in parts):
            continue
        if path != LIFECYCLE:
            yield path


def _name(node: ast.AST) -> str:
    """The last name of `a.b.C` or `C`."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


def _is_draft(value: ast.AST) -> bool:
    return (
        isinstance(value, ast.Attribute)
        and value.attr == "DRAFT"
        and isinstance(value.value, ast.Name)
        and value.value.id == "Status"
    )


class _Finder(ast.NodeVisitor):
    def __init__(self):
        self.found: list[tuple[int, str]] = []
        self.classes: list[ast.ClassDef] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node)
        self.generic_visit(node)
        self.classes.pop()

    def _own_status_allowed(self, target: ast.Attribute) -> bool:
        if not (isinstance(target.value, ast.Name) and target.value.id == "self"):
            return False
        if not self.classes:
            return False
        return not any(_name(base) in MODEL_BASES for base in self.classes[-1].bases)

    def _targets(self, target: ast.AST) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._targets(element)
        elif isinstance(target, ast.Starred):
            self._targets(target.value)
        elif (
            isinstance(target, ast.Attribute)
            and target.attr == "status"
            and not self._own_status_allowed(target)
        ):
            self.found.append((target.lineno, f"assigns {ast.unparse(target)}"))

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._targets(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._targets(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._targets(node.target)
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self._targets(node.target)
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            if item.optional_vars is not None:
                self._targets(item.optional_vars)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        called = _name(node.func)
        if (
            called == "setattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "status"
        ):
            self.found.append((node.lineno, "setattr(…, 'status', …)"))
        row_write = isinstance(node.func, ast.Attribute) and called in ROW_WRITES
        if row_write or called == "ServiceRequest":
            for keyword in node.keywords:
                if keyword.arg == "status" and not _is_draft(keyword.value):
                    what = f"{called}(status={ast.unparse(keyword.value)})"
                    self.found.append((node.lineno, what))
                if keyword.arg == "defaults" and isinstance(keyword.value, ast.Dict):
                    defaults = zip(keyword.value.keys, keyword.value.values, strict=True)
                    if any(
                        isinstance(key, ast.Constant) and key.value == "status" and not _is_draft(v)
                        for key, v in defaults
                    ):
                        self.found.append((node.lineno, f"{called}(defaults: status)"))
        self.generic_visit(node)


def status_writes(source: str, filename: str = "<snippet>") -> list[str]:
    """The status writes of `source` the rule refuses, as "file:line: what"."""
    finder = _Finder()
    finder.visit(ast.parse(source, filename=filename))
    return [f"{filename}:{line}: {what}" for line, what in finder.found]


def project_status_writes(root: Path = ROOT) -> list[str]:
    found = []
    for path in project_files(root):
        relative = str(path.relative_to(root))
        found += status_writes(path.read_text(encoding="utf-8"), relative)
    return found
