"""PDF name trees and number trees read flat: every (key, value) of the leaves, nested /Kids followed once each."""

from __future__ import annotations

from pikepdf import Array, Dictionary


def leaves(node, entries_key: str) -> list[tuple[object, object]]:
    """The (key, value) pairs of a name tree (`"/Names"`) or number tree (`"/Nums"`), in tree order."""
    found: list[tuple[object, object]] = []
    seen: set = set()
    stack = [node]
    while stack:
        node = stack.pop()
        if not isinstance(node, Dictionary) or (node.is_indirect and node.objgen in seen):
            continue  # a loop of /Kids in a damaged file is read once
        if node.is_indirect:
            seen.add(node.objgen)
        entries = node.get(entries_key)
        if isinstance(entries, Array):
            found += [(entries[i], entries[i + 1]) for i in range(0, len(entries) - 1, 2)]
        kids = node.get("/Kids")
        if isinstance(kids, Array):
            stack.extend(reversed(list(kids)))
    return found
