"""The bar the code is held to (issue 14): no tracked source or template file outside the
migrations over 600 lines, no function over 80 lines, and no import cycle between the
project's modules. Each test names every offender, so a failure says what to split."""

import ast
import subprocess
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
# The project's packages: those import-linter checks, so that a new app is checked here too.
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
    "root_packages"
]
MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80


def _tracked(*patterns: str) -> list[Path]:
    """Files under version control (what a reviewer reads), migrations aside: they are
    generated and never edited by hand."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", *patterns],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split("\0")
    return [ROOT / name for name in listed if name and "/migrations/" not in f"/{name}"]


@pytest.fixture(scope="module")
def python_files() -> list[Path]:
    files = _tracked("*.py")
    assert len(files) > 100, "git ls-files found too few files: is this a checkout?"
    return files


def test_no_file_is_over_600_lines(python_files):
    long_files = []
    for path in python_files + _tracked("*.html"):
        if not path.exists():  # deleted in the working tree, not yet committed
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_FILE_LINES:
            long_files.append(f"{path.relative_to(ROOT)}: {lines} lines")

    if long_files:
        pytest.fail(
            f"Files over {MAX_FILE_LINES} lines:\n  " + "\n  ".join(sorted(long_files)),
            pytrace=False,
        )


def test_no_function_is_over_80_lines(python_files):
    long_functions = []
    for path in python_files:
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long_functions.append(
                        f"{path.relative_to(ROOT)}:{node.lineno} {node.name}(): {lines} lines"
                    )

    if long_functions:
        pytest.fail(
            f"Functions over {MAX_FUNCTION_LINES} lines:\n  " + "\n  ".join(sorted(long_functions)),
            pytrace=False,
        )


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of modules (Tarjan's algorithm, iterative): every
    module of a group imports every other, directly or not. Sorted, largest first."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = lowlink[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            module, imported = work[-1]
            for other in imported:
                if other not in index:
                    index[other] = lowlink[other] = counter
                    counter += 1
                    stack.append(other)
                    on_stack.add(other)
                    work.append(
                        (other, iter(sorted(graph.find_modules_directly_imported_by(other))))
                    )
                    break
                if other in on_stack:
                    lowlink[module] = min(lowlink[module], index[other])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[module])
                if lowlink[module] == index[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return sorted(groups, key=lambda group: (-len(group), group))


def _describe(graph: grimp.ImportGraph, group: list[str]) -> str:
    """A group and one loop through it, with the line of each import, to start from."""
    first, members = group[0], set(group)
    loop = [first]
    for other in sorted(graph.find_modules_directly_imported_by(first) & members):
        back = graph.find_shortest_chain(importer=other, imported=first)
        if back:
            loop = [first, *back]
            break
    steps = []
    for importer, imported in zip(loop, loop[1:], strict=False):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = f" (line {details[0]['line_number']})" if details else ""
        steps.append(f"{importer} → {imported}{where}")
    return f"{len(group)} modules: {', '.join(group)}\n    one loop: " + "; ".join(steps)


def test_no_import_cycle_between_the_projects_modules():
    # Imports under ``if TYPE_CHECKING:`` never run, so they cannot form a cycle.
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)

    cycles = _cycles(graph)

    if cycles:
        pytest.fail(
            "Modules that import each other (directly or not):\n  "
            + "\n  ".join(_describe(graph, group) for group in cycles),
            pytrace=False,
        )
