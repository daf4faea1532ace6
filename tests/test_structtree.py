"""The one structure-tree walker: attributes and classes in either form, role maps, cycles, and nobody else walking."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name

from reportgen.pdf.structtree import (RoleMap, attribute, attributes, class_names, marked_content, parent_tree,
                                      read_tree, set_attribute, walk)

PACKAGE = Path(__file__).resolve().parent.parent / "reportgen"


@pytest.fixture
def pdf():
    with pikepdf.new() as document:
        document.add_blank_page()
        yield document


def element(pdf, kind: str, *kids, **entries):
    node = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name(kind), K=Array(list(kids)), **entries))
    for kid in kids:
        if isinstance(kid, Dictionary) and "/S" in kid:
            kid.P = node
    return node


def tree_of(pdf, *tops, **entries):
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, K=Array(list(tops)), **entries))
    for top in tops:
        top.P = root
    return root


def test_attributes_as_a_dictionary_or_an_array_with_revision_numbers(pdf):
    table = Dictionary(O=Name.Table, Scope=Name.Column)
    layout = Dictionary(O=Name.Layout, Placement=Name.Block)
    as_dict = element(pdf, "/TH", A=table)
    as_array = element(pdf, "/TH", A=Array([layout, 0, table, 2]))
    assert [dict(a.items()) for a in attributes(as_dict)] == [dict(table.items())]
    assert len(attributes(as_array)) == 2  # the revision numbers are not attributes
    for cell in (as_dict, as_array):
        assert attribute(cell, "/Scope") == Name.Column
        assert attribute(cell, "/Scope", "/Table") == Name.Column
        assert attribute(cell, "/Scope", "/Layout") is None
    assert attribute(element(pdf, "/TH"), "/Scope") is None


def test_classes_as_a_name_or_an_array_with_revision_numbers(pdf):
    assert class_names(element(pdf, "/P", C=Name("/Note"))) == ["/Note"]
    assert class_names(element(pdf, "/P", C=Array([Name("/Note"), 1, Name("/Wide"), 0]))) == ["/Note", "/Wide"]
    assert class_names(element(pdf, "/P")) == []


def test_set_attribute_keeps_the_form_the_producer_chose(pdf):
    layout = Dictionary(O=Name.Layout, Placement=Name.Block)
    in_array = element(pdf, "/TH", A=Array([layout, 0]))
    set_attribute(in_array, "/Scope", Name.Row, "/Table")
    assert isinstance(in_array.A, Array) and attribute(in_array, "/Scope", "/Table") == Name.Row
    assert attribute(in_array, "/Placement") == Name.Block
    alone = element(pdf, "/TH", A=layout)
    set_attribute(alone, "/Scope", Name.Column, "/Table")
    assert attribute(alone, "/Scope", "/Table") == Name.Column and attribute(alone, "/Placement") == Name.Block
    bare = element(pdf, "/TH")
    set_attribute(bare, "/Scope", Name.Column, "/Table")
    set_attribute(bare, "/Scope", Name.Row, "/Table")  # the Table attribute object is updated, not added again
    assert bare.A.O == Name.Table and bare.A.Scope == Name.Row


def test_role_map_custom_types_identity_entries_and_cycles():
    roles = RoleMap({"/Title": "/H1", "/Para": "/Body", "/Body": "/P", "/Table": "/Table",
                     "/Loop1": "/Loop2", "/Loop2": "/Loop1", "/Odd": "/Unknown"})
    assert roles.standard("/Title") == "/H1"
    assert roles.standard("/Para") == "/P"  # in two steps
    assert roles.standard("/Table") == "/Table"  # an identity entry is no cycle
    assert roles.standard("/H2") == "/H2"
    assert roles.standard("/Loop1") is None and roles.standard("/Odd") is None
    assert roles.identities == ["/Table"]
    assert roles.cycles() == [["/Loop1", "/Loop2", "/Loop1"]]


def test_read_tree_types_parents_and_order(pdf):
    heading = element(pdf, "/Title", 0)
    cell = element(pdf, "/TH", 1)
    row = element(pdf, "/TR", cell)
    table = element(pdf, "/Table", row)
    document = element(pdf, "/Document", heading, table)
    tree = read_tree(tree_of(pdf, document, RoleMap=Dictionary({"/Title": Name.H1, "/Table": Name.Table})))
    assert [str(e.S) for e in tree.elements] == ["/Document", "/Title", "/Table", "/TR", "/TH"]
    assert tree.type(heading) == "/H1" and tree.of_type("/H1") == [heading]
    assert tree.parent(cell).objgen == row.objgen
    assert [a.objgen for a in tree.ancestors(cell)] == [row.objgen, table.objgen, document.objgen]
    assert tree.problems == []


def test_a_cycle_is_a_problem_of_the_file_not_a_crash(pdf):
    inner = element(pdf, "/Sect", 0)
    document = element(pdf, "/Document", inner)
    inner.K.append(document)  # the section holds the document it is in
    tree = read_tree(tree_of(pdf, document))
    assert [str(e.S) for e in tree.elements] == ["/Document", "/Sect"]
    assert tree.problems == [f"the structure tree has a cycle: a /Document element (object {document.objgen[0]}) "
                             "contains itself"]
    assert [str(e.S) for e in walk(document)] == ["/Document", "/Sect"]


def test_an_element_under_two_parents_is_read_once(pdf):
    shared = element(pdf, "/P", 0)
    document = element(pdf, "/Document", element(pdf, "/Sect", shared), element(pdf, "/Sect", shared))
    tree = read_tree(tree_of(pdf, document, RoleMap=Dictionary({"/A": Name("/B"), "/B": Name("/A")})))
    assert [str(e.S) for e in tree.elements] == ["/Document", "/Sect", "/P", "/Sect"]
    assert tree.problems == [f"a /P element (object {shared.objgen[0]}) is in the structure tree twice "
                             "(under two parents)", "the role map has a cycle: /A -> /B -> /A"]


def test_a_deep_tree_is_walked_without_recursion(pdf):
    node = element(pdf, "/Span", 0)
    for _ in range(2 * sys.getrecursionlimit()):
        node = element(pdf, "/Div", node)
    tree = read_tree(tree_of(pdf, node))
    depth = 2 * sys.getrecursionlimit() + 1
    assert len(tree.elements) == depth and len(list(walk(node))) == depth
    assert len(tree.ancestors(tree.elements[-1])) == depth - 1


def test_marked_content_inherits_the_page(pdf):
    page, other = pdf.pages[0].obj, pdf.add_blank_page().obj
    mcr = Dictionary(Type=Name.MCR, Pg=other, MCID=7)
    paragraph = element(pdf, "/P", 3, mcr)
    document = element(pdf, "/Document", element(pdf, "/Span", 1), paragraph, Pg=page)
    found = [(pdf.pages.index(pikepdf.Page(p)), mcid) for p, mcid in marked_content(document)]
    assert found == [(0, 1), (0, 3), (1, 7)]


def test_parent_tree_nested_and_looped(pdf):
    leaf = pdf.make_indirect(Dictionary(Nums=Array([0, Name("/a"), 1, Name("/b")])))
    upper = pdf.make_indirect(Dictionary(Kids=Array([leaf])))
    leaf.Kids = Array([upper])  # a damaged file's loop of /Kids
    assert parent_tree(Dictionary(ParentTree=upper)) == {0: Name("/a"), 1: Name("/b")}


def test_no_other_module_walks_a_structure_tree_itself():
    """Every read of /K (an element's children) goes through structtree.py; other modules only write it."""
    readers = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "structtree.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r'get\("/K"\)|\["/K"\]|\.K\b(?!\s*=[^=])(?!\.append)', line):
                readers.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert readers == []
