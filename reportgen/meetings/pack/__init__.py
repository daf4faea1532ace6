"""The agenda pack: one tagged PDF with a meeting's front sheet, papers and attachments (plan, sheet, assemble)."""

from reportgen.meetings.pack.assemble import PackReport, build_pack
from reportgen.meetings.pack.plan import PACK_NAME, PackPlan, find_meeting, plan_pack
from reportgen.meetings.pack.sheet import PACK_CONTEXT_VARIABLES, pack_context, render_front_html

__all__ = ["PACK_CONTEXT_VARIABLES", "PACK_NAME", "PackPlan", "PackReport", "build_pack", "find_meeting",
           "pack_context", "plan_pack", "render_front_html"]
