"""Letters (a later issue) are rendered by WeasyPrint: prove the stack renders and reads back here."""

import io

from pypdf import PdfReader
from weasyprint import HTML


def test_weasyprint_renders_a_pdf_that_reads_back():
    pdf = HTML(string="<h1>Handover letter</h1><p>NHS number 999 000 0018</p>").write_pdf()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Handover letter" in text and "999 000 0018" in text
