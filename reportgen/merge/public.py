"""A paper's public view beside its full one, made only for papers that mark something exempt."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from reportgen.inputs.models import Paper, Progress
from reportgen.merge.exempt import has_exempt


def with_public(view, paper: Paper, printed: list[Progress], merge_public: Callable):
    """`view` with its public view (`merge_public()`) when the paper or a record it prints marks anything exempt.

    The full merge has already reported every problem, so the public merge's own reports are not repeated.
    """
    if not has_exempt(paper, printed):
        return view
    public = merge_public()
    return replace(view, public=public) if public is not None else view
