"""Every test checks something a user depends on. Read from the test files' syntax, not by running them:

- a test asserts (`assert`, `pytest.raises`/`warns`/`fail`, Playwright's `expect`, or a helper named
  `assert_...`, which asserts itself);
- its assertions are not all `x is not None` (which passes for anything at all);
- it does not read the marks a view decorator leaves on the view (`allowed_roles`, `csrf_exempt`):
  that restates the decorator's arguments; ask for the page as each kind of visitor instead.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

# Calls that fail the test by themselves, besides helpers named `assert_...`.
ASSERTING_CALLS = {
    "pytest.raises",
    "pytest.warns",
    "pytest.fail",
    "expect",  # Playwright: expect(locator).to_have_text(...) waits, then fails the test
}
ASSERTING_HELPER = "assert_"
DECORATOR_MARKS = {"allowed_roles", "csrf_exempt"}
# Tests that still read a decorator's marks, to be rewritten as requests (then deleted from here).


def collected_tests() -> Iterator[tuple[str, ast.FunctionDef]]:
    """(path::name, node) of every function pytest collects as a test, in tests/**/test_*.py."""
    for path in sorted(TESTS.rglob("test_*.py")):
        module = ast.parse(path.read_text(), filename=str(path))
        where = path.relative_to(ROOT).as_posix()
        for node in module.body:
            methods = node.body if isinstance(node, ast.ClassDef) and node.name.startswith("Test") else [node]
            for function in methods:
                if isinstance(function, ast.FunctionDef) and function.name.startswith("test"):
                    yield f"{where}::{function.name}", function


def helpers_named_assert() -> Iterator[tuple[str, ast.FunctionDef]]:
    """(path::name, node) of every function named `assert_...` in tests/, test modules and helpers alike."""
    for path in sorted(TESTS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith(ASSERTING_HELPER):
                yield f"{path.relative_to(ROOT).as_posix()}::{node.name}", node


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def _asserts(function: ast.FunctionDef) -> list[ast.Assert]:
    return [node for node in ast.walk(function) if isinstance(node, ast.Assert)]


def _calls(function: ast.FunctionDef) -> set[str]:
    return {_dotted(node.func) for node in ast.walk(function) if isinstance(node, ast.Call)}


def _checks(function: ast.FunctionDef) -> bool:
    calls = _calls(function)
    helpers = {call for call in calls if call.rsplit(".", 1)[-1].startswith(ASSERTING_HELPER)}
    return bool(_asserts(function) or calls & ASSERTING_CALLS or helpers)


def _is_not_none(check: ast.Assert) -> bool:
    test = check.test
    return (
        isinstance(test, ast.Compare)
        and [type(op) for op in test.ops] == [ast.IsNot]
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value is None
    )


def _reads_marks(function: ast.FunctionDef) -> bool:
    attributes = {node.attr for node in ast.walk(function) if isinstance(node, ast.Attribute)}
    names = {node.value for node in ast.walk(function) if isinstance(node, ast.Constant)}  # getattr(view, "...")
    return bool(DECORATOR_MARKS & (attributes | names))


TESTS_FOUND = list(collected_tests())


def test_the_check_reads_the_whole_suite():
    folders = {name.rsplit("/", 1)[0] for name, _ in TESTS_FOUND}
    assert {"tests", "tests/agents", "tests/calls", "tests/contacts", "tests/exotel", "tests/browser"} <= folders
    assert "tests/test_hygiene.py::test_every_test_asserts" in dict(TESTS_FOUND)


def test_every_test_asserts():
    silent = [name for name, function in TESTS_FOUND if not _checks(function)]
    assert not silent, f"These tests check nothing; assert what a user depends on: {silent}"


def test_helpers_named_assert_do_assert():
    silent = [name for name, helper in helpers_named_assert() if not _checks(helper)]
    assert not silent, f"Named as if they assert, these helpers check nothing: {silent}"


def test_no_test_only_asserts_that_something_is_not_none():
    weak = [
        name
        for name, function in TESTS_FOUND
        if _asserts(function) and all(_is_not_none(check) for check in _asserts(function))
    ]
    assert not weak, f"`is not None` alone proves little; assert the value these should have: {weak}"


def test_no_test_restates_a_view_decorators_arguments():
    restating = {name for name, function in TESTS_FOUND if _reads_marks(function)}
    assert not restating, (
        f"Request the view as each kind of visitor instead of reading its decorator's marks: {sorted(restating)}"
    )
