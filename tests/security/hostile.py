"""Hostile documents of issue 18 (H2), generated in the test rather than committed."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path


def many_pages_one_stream_pdf(path: Path, *, pages: int = 2_000, operators: int = 100_000) -> Path:
    """A small PDF whose ``pages`` pages all draw one compressed content stream of
    ``operators`` text-show operators (it inflates to megabytes; every page re-parses it)."""
    stream = zlib.compress(b"BT /F1 9 Tf 10 10 Td (x) Tj ET\n" * operators, 9)
    kids = " ".join(f"{5 + n} 0 R" for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                b"/Resources << /Font << /F1 3 0 R >> >> >>"] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    path.write_bytes(out.getvalue())
    return path


def docx_bomb(path: Path, *, inflated: int = 20_000_000) -> Path:
    """A DOCX whose ``word/document.xml`` inflates to about ``inflated`` bytes."""
    import docx

    buf = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("A zone report.")
    document.save(buf)
    paragraph = "<w:p><w:r><w:t>bomb bomb bomb</w:t></w:r></w:p>"
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                head, sep, tail = data.decode().partition("<w:body>")
                body = paragraph * (inflated // len(paragraph))
                data = (head + sep + body + tail).encode()
            dst.writestr(item, data)
    return path


def markdown_heading_stall(path: Path) -> Path:
    path.write_text("# a" + " \t" * 20_000 + "#x\n\nSome text after it.\n", encoding="utf-8")
    return path


def html_unclosed_tags(path: Path) -> Path:
    path.write_text("<html><body><p>Intro.</p>" + "<a" * 80_000 + "</body></html>",
                    encoding="utf-8")
    return path
