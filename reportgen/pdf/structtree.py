"""Walking a tagged PDF's structure tree with pikepdf: shared by the repair, the checks and the pack."""

from __future__ import annotations

from typing import Iterator

from pikepdf import Array, Dictionary


def kids(element) -> list:
    """An element's /K entries as a list: elements, marked-content ids, MCR and OBJR dictionaries."""
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def is_element(obj) -> bool:
    return isinstance(obj, Dictionary) and "/S" in obj


def walk(element) -> Iterator:
    """The element and every structure element below it, in document order."""
    yield element
    for kid in kids(element):
        if is_element(kid):
            yield from walk(kid)


def elements(tree_root) -> Iterator:
    """Every structure element reachable from a StructTreeRoot, in document order."""
    for top in kids(tree_root):
        if is_element(top):
            yield from walk(top)
