"""The text of a page's marked-content sequences (by MCID), read from its content stream with pikepdf.

Enough to title a bookmark made from a heading of another producer's tagged
PDF: text-showing operators inside `/Tag <</MCID n>> BDC ... EMC`, decoded
through the font's /ToUnicode map (what Chromium, LibreOffice and Word
write), else as Windows-1252 for a simple font. Not a layout engine: no
positions, and a word gap only where a TJ array moves the text on visibly.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pikepdf
from pikepdf import Array, Dictionary, Name

NEW_LINE = ("T*", "'", '"', "TD")  # operators that move to the next line of text
WORD_GAP = -200  # a TJ adjustment (thousandths of an em) this far to the right reads as a space


def marked_text(page: pikepdf.Page) -> dict[int, str]:
    """MCID -> the text shown inside that marked-content sequence on the page."""
    fonts = _fonts(page)
    decoders: dict[str, _Decoder] = {}
    found: dict[int, list[str]] = defaultdict(list)
    stack: list[int | None] = []
    decoder = None
    last_y = [None]  # the text matrix's vertical position, to see a Tm move to another line
    try:
        instructions = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return {}
    for operands, operator in instructions:
        op = str(operator)
        if op == "BDC":
            props = operands[1] if len(operands) > 1 else None
            mcid = props.get("/MCID") if isinstance(props, Dictionary) else None
            stack.append(int(mcid) if isinstance(mcid, int) else (stack[-1] if stack else None))
        elif op == "BMC":
            stack.append(stack[-1] if stack else None)
        elif op == "EMC" and stack:
            stack.pop()
        elif op == "Tf" and operands:
            name = str(operands[0])
            decoder = decoders.setdefault(name, _Decoder(fonts.get(name)))
        elif _new_line(op, operands, last_y) and stack and stack[-1] is not None:
            found[stack[-1]].append(" ")
        if op == "Tm" and len(operands) == 6:
            last_y[0] = float(operands[5])
        if op in ("Tj", "'", '"', "TJ") and stack and stack[-1] is not None and decoder is not None:
            found[stack[-1]].append(_shown(operands, op, decoder))
    return {mcid: " ".join("".join(parts).split()) for mcid, parts in found.items()}


def _new_line(op: str, operands, last_y: list) -> bool:
    if op in NEW_LINE:
        return True
    if op == "Td" and len(operands) == 2:
        return float(operands[1]) != 0
    if op == "Tm" and len(operands) == 6:
        return last_y[0] is not None and float(operands[5]) != last_y[0]
    return False


def _shown(operands, op: str, decoder: _Decoder) -> str:
    if op == "TJ":
        parts = []
        for item in operands[0] if isinstance(operands[0], Array) else []:
            if isinstance(item, pikepdf.String):
                parts.append(decoder.decode(bytes(item)))
            elif float(item) <= WORD_GAP:
                parts.append(" ")
        return "".join(parts)
    text = operands[-1]
    return decoder.decode(bytes(text)) if isinstance(text, pikepdf.String) else ""


def _fonts(page: pikepdf.Page) -> dict[str, Dictionary]:
    resources = page.obj.get("/Resources")
    fonts = resources.get("/Font") if isinstance(resources, Dictionary) else None
    return {str(k): v for k, v in fonts.items() if isinstance(v, Dictionary)} if isinstance(fonts, Dictionary) else {}


class _Decoder:
    """Character codes of one font to text: its /ToUnicode CMap, or Windows-1252."""

    def __init__(self, font: Dictionary | None):
        self.width = 1
        self.map: dict[int, str] = {}
        if font is None:
            return
        if font.get("/Subtype") == Name.Type0:
            self.width = 2
        cmap = font.get("/ToUnicode")
        if isinstance(cmap, pikepdf.Stream):
            try:
                self._read_cmap(cmap.read_bytes())
            except pikepdf.PdfError:
                self.map = {}

    def _read_cmap(self, data: bytes) -> None:
        text = data.decode("latin-1")
        space = re.search(r"begincodespacerange\s*<([0-9A-Fa-f]+)>", text)
        if space:
            self.width = max(1, len(space.group(1)) // 2)
        for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
            for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
                self.map[int(src, 16)] = _utf16(dst)
        for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
            for lo, hi, rest in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]*>)", block):
                lo_, hi_ = int(lo, 16), int(hi, 16)
                if rest.startswith("["):
                    for code, dst in zip(range(lo_, hi_ + 1), re.findall(r"<([0-9A-Fa-f]*)>", rest)):
                        self.map[code] = _utf16(dst)
                else:
                    start = _utf16(rest[1:-1])
                    for offset, code in enumerate(range(lo_, min(hi_, lo_ + 65535) + 1)):
                        self.map[code] = start[:-1] + chr(ord(start[-1]) + offset) if start else ""

    def decode(self, data: bytes) -> str:
        if not self.map:
            return data.decode("cp1252", errors="replace") if self.width == 1 else ""
        codes = [int.from_bytes(data[i:i + self.width], "big") for i in range(0, len(data), self.width)]
        return "".join(self.map.get(code, "") for code in codes)


def _utf16(hex_text: str) -> str:
    try:
        return bytes.fromhex(hex_text).decode("utf-16-be")
    except ValueError:
        return ""
