"""The tenant's letterhead for every PDF (reportlab): logo and company data on top, the legal
footer and page numbers at the bottom, shared paragraph and table styles."""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
from svglib.svglib import svg2rlg

from portal.config import PROJECT_ROOT
from portal.models import Tenant

MARGIN = 18 * mm
HEADER_HEIGHT = 30 * mm
FOOTER_HEIGHT = 22 * mm


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["Normal"], fontName="Helvetica", fontSize=9, leading=12)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#555555")),
        "title": ParagraphStyle("title", parent=body, fontName="Helvetica-Bold", fontSize=15, leading=19, spaceAfter=4),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName="Helvetica-Bold", fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=4
        ),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        "bold": ParagraphStyle("bold", parent=body, fontName="Helvetica-Bold"),
    }


def paragraph(text: str, style: str = "body") -> Paragraph:
    from xml.sax.saxutils import escape

    return Paragraph(escape(text).replace("\n", "<br/>"), styles()[style])


@functools.cache
def _logo(path: str, height: float) -> Drawing:
    logo_file = PROJECT_ROOT / "assets" / path
    drawing = svg2rlg(str(logo_file))
    if drawing is None:  # svglib logs why (missing file, bad XML) and returns nothing
        raise ValueError(f"the tenant logo {logo_file} is missing or not a readable SVG")
    scale = height / drawing.height
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    drawing.scale(scale, scale)
    return drawing


def _page_decorations(tenant: Tenant, page_label: str):
    def draw(canvas, document) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(tenant.primary_color))
        canvas.rect(0, height - 4 * mm, width, 4 * mm, stroke=0, fill=1)
        renderPDF.draw(_logo(tenant.logo_path, 12 * mm), canvas, MARGIN, height - 20 * mm)
        canvas.setFillColor(colors.HexColor("#1c2024"))
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawRightString(width - MARGIN, height - 11 * mm, tenant.legal_name)
        canvas.setFont("Helvetica", 7.5)
        lines = [
            f"{tenant.street} – {tenant.postal_code} {tenant.city} ({tenant.province})",
            f"C.F. {tenant.fiscal_code} – P.IVA {tenant.vat_number}",
            f"PEC {tenant.pec} – {tenant.support_phone}",
        ]
        for index, line in enumerate(lines):
            canvas.drawRightString(width - MARGIN, height - (15 + 3.5 * index) * mm, line)
        footer = Paragraph(tenant.legal_footer, styles()["small"])
        _, footer_height = footer.wrap(width - 2 * MARGIN - 25 * mm, FOOTER_HEIGHT)
        footer.drawOn(canvas, MARGIN, 8 * mm)
        canvas.setFont("Helvetica", 7.5)
        canvas.drawRightString(width - MARGIN, 8 * mm, page_label.format(page=document.page))
        canvas.setStrokeColor(colors.HexColor("#d9d9e0"))
        canvas.line(MARGIN, 8 * mm + footer_height + 2 * mm, width - MARGIN, 8 * mm + footer_height + 2 * mm)
        canvas.restoreState()

    return draw


def render(*, tenant: Tenant, flowables: Sequence, title: str, page_label: str = "{page}") -> bytes:
    """A4 PDF with the letterhead on every page; `page_label` like "Pagina {page}"."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=HEADER_HEIGHT,
        bottomMargin=FOOTER_HEIGHT + 8 * mm,
        title=title,
        author=tenant.legal_name,
        creator=tenant.name,
    )
    decorate = _page_decorations(tenant, page_label)
    document.build(list(flowables), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def grid(
    rows: list[list],
    widths: Sequence[float],
    *,
    numeric_from: int | None = None,
    header: bool = True,
    total_rows: int = 0,
) -> Table:
    """A ruled table; columns from `numeric_from` on are right-aligned; the last `total_rows`
    rows are bold."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d9d9e0")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands += [
            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f8")),
        ]
    if numeric_from is not None:
        commands.append(("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"))
    if total_rows:
        commands.append(("FONT", (0, -total_rows), (-1, -1), "Helvetica-Bold", 8.5))
    table.setStyle(TableStyle(commands))
    return table
