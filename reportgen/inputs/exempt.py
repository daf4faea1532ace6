"""Exempt information: the `exempt: {paragraph, reason}` marking and the paragraphs of Schedule 12A each nation may use.

The Local Government Act 1972, Schedule 12A, lists the descriptions of
exempt information: for English councils in Part 1 (paragraphs 1 to 7), for
Welsh councils in Part 4 (paragraphs 12 to 18). A paragraph of the other
nation's Part is not law for the council, so it is refused where it is
written, not printed on a notice the public reads.
"""

from __future__ import annotations

from pydantic import Field

from reportgen.inputs.fields import Record, Text

# nation -> (the Part of Schedule 12A, its paragraphs)
PARTS = {"England": (1, range(1, 8)), "Wales": (4, range(12, 19))}
EXEMPT_DESCRIPTION = ("Marks this as exempt information (Schedule 12A to the Local Government Act 1972): "
                      "`{paragraph: 3, reason: \"...\"}`; left out of the public version, which says so, and "
                      "printed only in the exempt version.")


class Exempt(Record):
    """Why a part of a paper is not for publication: the paragraph of Schedule 12A it falls under."""

    paragraph: int = Field(description="The paragraph of Schedule 12A: 1 to 7 in England (Part 1), "
                                       "12 to 18 in Wales (Part 4).")
    reason: Text = Field(description="Why the paragraph applies and the public interest in withholding it "
                                     "outweighs that in disclosing it; for the clerk and the members, never printed "
                                     "in the public version.")

    @property
    def key(self) -> tuple[int, str]:
        return self.paragraph, self.reason


def schedule_part(nation: str) -> int:
    """The Part of Schedule 12A that applies to a council of `nation`."""
    return PARTS[nation][0]


def paragraph_problem(exempt: Exempt, nation: str) -> str | None:
    """What is wrong with the paragraph for a council of `nation`, or None."""
    part, paragraphs = PARTS[nation]
    if exempt.paragraph in paragraphs:
        return None
    other = next((n for n, (_, p) in PARTS.items() if exempt.paragraph in p), None)
    where = (f"paragraph {exempt.paragraph} is in the {other} Part of Schedule 12A, which does not apply to a "
             f"council in {nation}" if other else f"Schedule 12A has no paragraph {exempt.paragraph} of exempt "
             "information")
    return (f"{where}; a council in {nation} uses Part {part}, paragraphs {paragraphs[0]} to {paragraphs[-1]} "
            "(give the paragraph that describes the information)")
