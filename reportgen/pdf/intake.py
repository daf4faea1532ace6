"""Taking in another producer's PDF: opened, sanitised of active content, then classified and repaired.

    bytes -> opened (an encrypted file that opens without a password is decrypted)
      -> sanitised (sanitise.py) -> tagged? -> checked as a part of a larger document
      -> not conforming: repaired (conform.py), checked again
      -> kept tagged if it conforms; otherwise its pages go in without structure

"Checked as a part" means with what the document it goes into supplies (a
title shown in the window, the PDF/UA identification and XMP metadata, a
language when it has none): only the file's own structure can fail.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

import pikepdf
from pikepdf import Dictionary, Name, String

from reportgen.pdf.conform import conform
from reportgen.pdf.gate import check_pdf, qpdf_message
from reportgen.pdf.sanitise import sanitise

SUPPLIED_RULES = {"title"}  # the gate's own rules about what the enclosing document supplies


class Unreadable(Exception):
    """The file cannot be taken in; the message says why, to follow the file's name ("is ...", "has ...")."""


@dataclass(frozen=True)
class Intake:
    """A PDF as taken in, and what was done to it."""

    data: bytes  # sanitised, repaired when that helped, decrypted
    pages: int
    tagged: bool  # goes in with its structure tree
    was_tagged: bool
    removed: tuple[str, ...] = ()  # active content taken out
    repairs: tuple[str, ...] = ()  # repairs that made it conform (empty when it conformed already, or still fails)
    findings: tuple[str, ...] = ()  # why a tagged file goes in without its tags
    form_fields: int = 0
    encrypted: bool = False

    @property
    def outcome(self) -> str:
        if self.tagged:
            return "repaired, kept tagged" if self.repairs else "kept tagged"
        return "tagged but beyond repair, put in untagged" if self.was_tagged else "untagged"


def take_in(data: bytes, *, title: str, lang: str) -> Intake:
    """Open, sanitise, classify and (where that makes it conform) repair a PDF; Unreadable when it cannot be."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise Unreadable("is password-protected; ask for a copy without a password") from None
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise Unreadable(f"is not a readable PDF ({qpdf_message(exc)})") from None
    with pdf:
        try:
            encrypted = pdf.is_encrypted
            pages = len(pdf.pages)
            if pages == 0:
                raise Unreadable("has no pages")
            form = pdf.Root.get("/AcroForm")
            fields = form.get("/Fields") if isinstance(form, Dictionary) else None
            removed = tuple(sanitise(pdf))
            tagged = _is_tagged(pdf)
            clean = _save(pdf)
        except pikepdf.PdfError as exc:
            raise Unreadable(f"is damaged and cannot be read ({qpdf_message(exc)})") from None
    intake = Intake(clean, pages, False, tagged, removed, form_fields=len(fields or []), encrypted=encrypted)
    if not tagged:
        return intake
    findings = conformance(clean, title=title, lang=lang)
    if not findings:
        return replace(intake, tagged=True)
    with pikepdf.open(io.BytesIO(clean)) as pdf:
        repairs = conform(pdf)
        repaired = _save(pdf) if repairs else clean
    after = conformance(repaired, title=title, lang=lang) if repairs else findings
    if not after:
        return replace(intake, data=repaired, tagged=True, repairs=tuple(repairs))
    return replace(intake, findings=tuple(after))


def conformance(data: bytes, *, title: str, lang: str) -> list[str]:
    """The machine-check findings of a tagged PDF as a part of a document that supplies title and metadata."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        if not str(pdf.docinfo.get("/Title", "")).strip():
            pdf.docinfo.Title = String(title)
        if not str(pdf.Root.get("/Lang", "")).strip():
            pdf.Root.Lang = String(lang)
        pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["dc:title"] = str(pdf.docinfo.Title)
            xmp.register_xml_namespace("http://www.aiim.org/pdfua/ns/id/", "pdfuaid")
            xmp["pdfuaid:part"] = "1"
        candidate = _save(pdf)
    report = check_pdf(candidate)
    return [f"[{f.rule}] {f.message}" for f in report.findings if f.rule not in SUPPLIED_RULES]


def _is_tagged(pdf: pikepdf.Pdf) -> bool:
    mark = pdf.Root.get("/MarkInfo")
    return (isinstance(pdf.Root.get("/StructTreeRoot"), Dictionary) and isinstance(mark, Dictionary)
            and bool(mark.get("/Marked", False)))


def _save(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, compress_streams=True, encryption=False,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
