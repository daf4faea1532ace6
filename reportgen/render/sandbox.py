"""Jinja's sandbox, with limits on what a council's template can build.

Jinja's sandbox stops templates reaching Python's internals, not building a
string a million times over. Here every operator that builds a string or a
list is limited to MAX_BUILT characters (or items): `~` (which Jinja compiles
to a join the sandbox never sees, so a code generator routes it through
`concat_operands`), `+`, `*`, `%`, every filter (`join`, `format`, `center`
...) and every method call (`"x".center(n)`, `list.extend`). The text of a
block, a macro or a `{% set %}` block, whatever the template does, is limited
like the whole document, to MAX_OUTPUT characters. The worker's time and
memory limits (pipeline/workers.py) catch what is left.
"""

from __future__ import annotations

import functools
import re
from string import Formatter

from jinja2.compiler import CodeGenerator, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.runtime import BlockReference, Macro, markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment

MAX_BUILT = 1_000_000
"""Characters (or items) one expression of a template may build."""

MAX_OUTPUT = 20_000_000
"""Characters of a block, a macro's output or a `{% set %}` block; the whole HTML is limited to as many bytes."""

MAX_REPEAT = 100_000
MAX_EXPONENT = 1_000

# Filters whose result is one value transformed (never more than a few times
# its size): they build nothing new, so a long paper's text may pass through.
TRANSFORMS = {"md", "md_inline", "safe", "e", "escape", "forceescape", "string", "striptags", "upper", "lower",
              "title", "capitalize", "trim"}
# Filters and str methods whose numeric arguments say how big the result is.
SIZED = {"center", "ljust", "rjust", "zfill", "indent", "wordwrap", "batch", "slice", "tojson", "expandtabs"}
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _size(value) -> int:
    try:
        return len(value) if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)) else 0
    except TypeError:
        return 0


def refuse(what: str, size: int, limit: int = MAX_BUILT) -> None:
    raise SecurityError(f"{what} would build {size:,} characters or items; a template may build at most {limit:,} "
                        f"at once (see docs/house-styles.md, Limits)")


def check_result(what: str, result, *inputs) -> None:
    """Refuse a result over the limit that is bigger than everything it was made from."""
    size = _size(result)
    if size > MAX_BUILT and size > max(map(_size, inputs), default=0):
        refuse(what, size)


def _check_numbers(what: str, numbers) -> None:
    for number in numbers:
        if isinstance(number, int) and not isinstance(number, bool) and number > MAX_BUILT:
            refuse(what, number)


def check_percent_format(what: str, template: str, values) -> None:
    """`"%*d" % ...`, `"%1000000000s" % x`: widths and precisions within the limit."""
    for width, precision in _PERCENT_SPEC.findall(template):
        _check_numbers(what, [int(n) for n in (width, precision) if n.isdigit()])
        if "*" in (width, precision):
            _check_numbers(what, values if isinstance(values, tuple) else [values])


def check_brace_format(what: str, template: str, args, kwargs) -> None:
    """`"{:>1000000000}".format(x)`: widths and precisions within the limit (nested ones too)."""
    try:
        fields = list(Formatter().parse(template))
    except ValueError:
        return  # the call itself says what is wrong
    for _, _, spec, _ in fields:
        if spec:
            _check_numbers(what, [int(n) for n in re.findall(r"\d+", spec)])
            if "{" in spec:
                _check_numbers(what, [*args, *kwargs.values()])


def _check_sized(name: str, what: str, value, args, kwargs) -> None:
    """Before the call: the arguments of a filter or method that say how big its result is."""
    if name in SIZED:
        _check_numbers(what, [*args, *kwargs.values()])
    if name == "indent" and isinstance(value, str):
        width = args[0] if args else kwargs.get("width", "")
        if isinstance(width, str) and len(width) * (value.count("\n") + 1) > MAX_BUILT:
            refuse(what, len(width) * (value.count("\n") + 1))
    elif name == "expandtabs" and isinstance(value, str):
        tab = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(tab, int) and tab * value.count("\t") > MAX_BUILT:
            refuse(what, tab * value.count("\t"))
    elif name == "replace" and isinstance(value, str) and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        count = value.count(old) if old else len(value) + 1
        if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
            count = min(count, args[2])
        if len(value) + count * (len(new) - len(old)) > MAX_BUILT:
            refuse(what, len(value) + count * (len(new) - len(old)))
    elif name == "format" and isinstance(value, str):
        check_percent_format(what, value, tuple(args) or kwargs)


def limited_filter(name: str, function):
    """A filter that refuses to build more than the limit."""
    passes = getattr(function, "jinja_pass_arg", None) is not None

    @functools.wraps(function)
    def filtered(*args, **kwargs):
        value, rest = (args[1], args[2:]) if passes else (args[0], args[1:])
        what = f"the {name} filter"
        _check_sized(name, what, value, rest, kwargs)
        if name == "join" and "attribute" not in kwargs and len(rest) < 2:
            items = list(value) if not isinstance(value, (str, list, tuple)) else value
            separator = str(rest[0]) if rest else str(kwargs.get("d", ""))
            total = sum(len(str(item)) for item in items) + len(separator) * max(len(items) - 1, 0)
            if total > MAX_BUILT:
                refuse(what, total)
            args = (*args[: 1 if passes else 0], items, *rest)
        result = function(*args, **kwargs)
        if name not in TRANSFORMS:
            check_result(what, result, value, *rest, *kwargs.values())
        return result

    return filtered


class LimitedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with `~` sent through the environment like the other operators."""

    @optimizeconst
    def visit_Concat(self, node, frame) -> None:
        self.write("environment.concat_operands(context, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class PaperSandbox(SandboxedEnvironment):
    """Jinja's sandbox, also refusing what would eat the machine's memory or time."""

    code_generator_class = LimitedCodeGenerator
    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            sequence = left if isinstance(left, (str, list, tuple)) else right
            count = right if sequence is left else left
            if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
                if count > MAX_REPEAT:
                    raise SecurityError(f"repeating a value {count:,} times is not allowed")
                if len(sequence) * count > MAX_BUILT:
                    refuse("repeating a value", len(sequence) * count)
        elif operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"raising to the power {right:,} is not allowed")
        elif operator == "+" and _size(left) + _size(right) > MAX_BUILT:
            refuse("adding two values", _size(left) + _size(right))
        elif operator == "%" and isinstance(left, str):
            check_percent_format("formatting with %", left, right)
        result = super().call_binop(context, operator, left, right)
        check_result(f"the {operator} operator", result, left, right)
        return result

    def concat_operands(self, context, values: tuple) -> str:
        """`a ~ b ~ c`: joined as Jinja would, within the limit."""
        total = sum(len(v) if isinstance(v, str) else len(str(v)) for v in values)
        if total > MAX_BUILT:
            refuse("joining values with ~", total)
        return markup_join(values) if context.eval_ctx.autoescape else str_join(values)

    def concat(self, parts) -> str:  # the text of a block, a macro or a {% set %} block
        parts = list(parts)
        total = sum(map(len, parts))
        if total > MAX_OUTPUT:
            refuse("a block, macro or {% set %}", total, MAX_OUTPUT)
        return "".join(parts)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        receiver = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        wrapped = getattr(__obj, "__wrapped__", None)  # str.format, wrapped by the sandbox
        if isinstance(getattr(wrapped, "__self__", None), str):
            check_brace_format("formatting with format()", wrapped.__self__, args, kwargs)
        elif isinstance(receiver, str):
            _check_sized(name, f"{name}()", receiver, args, kwargs)
            if name == "join":
                items = list(args[0]) if args else []
                total = sum(_size(i) for i in items) + len(receiver) * max(len(items) - 1, 0)
                if total > MAX_BUILT:
                    refuse("join()", total)
                args = (items, *args[1:])
        result = super().call(__context, __obj, *args, **kwargs)
        if not isinstance(__obj, (Macro, BlockReference)):  # template text: limited by `concat`
            check_result(f"{name or 'a call'}()", result, receiver, *args, *kwargs.values())
        if isinstance(receiver, (list, dict, set)) and len(receiver) > MAX_BUILT:  # list.extend and the like
            refuse(f"{name}()", len(receiver))
        return result
