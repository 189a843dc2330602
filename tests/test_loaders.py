import io
import zipfile
from pathlib import Path

import pytest

from qa.text.documents import build_document, find_date, read_document
from qa.text.loaders import UnreadableFileError, decode_bytes, extract, load_html

TEXT = "Café report: the minister said “yes”.\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with BOM
        TEXT.encode("utf-32"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf32-bom", "cp1252"],
)
def test_decodes_common_encodings(data: bytes) -> None:
    assert decode_bytes(data) == TEXT


def test_binary_renamed_txt_is_refused_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    data = bytes(range(256)) * 20
    with pytest.raises(UnreadableFileError, match="binary"):
        extract(path, data)


@pytest.mark.parametrize("data", [b"", b"   \n\t\n  "], ids=["empty", "whitespace"])
def test_empty_files_are_refused(data: bytes) -> None:
    with pytest.raises(UnreadableFileError, match="empty"):
        extract(Path("x.txt"), data)


def test_unsupported_type_is_named() -> None:
    with pytest.raises(UnreadableFileError, match=r"unsupported file type '\.xlsx'"):
        extract(Path("table.xlsx"), b"data")


def test_oversized_file_is_refused() -> None:
    with pytest.raises(UnreadableFileError, match="too large"):
        extract(Path("big.txt"), b"a" * (20 * 1024 * 1024 + 1))


def test_html_drops_scripts_and_keeps_headings() -> None:
    html = (
        b"<html><head><title>t</title><style>p{}</style></head><body><h1>Trade Update, May 2024</h1>"
        b"<script>alert(1)</script><noscript>no</noscript><template>tpl</template>"
        b"<h2>Energy</h2><p>Oil output rose. Gas fell.</p><ul><li>Item one</li></ul></body></html>"
    )
    extracted = extract(Path("a.html"), html)
    assert "alert" not in extracted.text and "tpl" not in extracted.text and "p{}" not in extracted.text
    assert [(h.level, h.title) for h in extracted.headings] == [(1, "Trade Update, May 2024"), (2, "Energy")]
    for h in extracted.headings:
        assert extracted.text[h.start : h.end] == h.title
    assert "Oil output rose. Gas fell." in extracted.text


def make_docx(paragraphs: list[tuple[str, str]]) -> bytes:
    import docx

    document = docx.Document()
    for style, text in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_heading_styles() -> None:
    data = make_docx([("Title", "Port Briefing 2 April 2025"), ("Heading 1", "Shipping"), ("Normal", "Traffic rose.")])
    extracted = extract(Path("b.docx"), data)
    assert extracted.text == "Port Briefing 2 April 2025\n\nShipping\n\nTraffic rose."
    document = build_document("b.docx", data, extracted, "docx")
    assert (document.title, document.date) == ("Port Briefing 2 April 2025", "2025-04-02")


def test_docx_zip_bomb_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(UnreadableFileError, match="zip bomb"):
        extract(Path("bomb.docx"), buffer.getvalue())


def test_broken_docx_is_refused() -> None:
    with pytest.raises(UnreadableFileError, match="zip"):
        extract(Path("bad.docx"), b"PK not really a zip")


def make_pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF with one line of Helvetica text per page."""
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font_id = 3 + 2 * len(pages)
    for i, text in enumerate(pages):
        content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_text_and_page_starts() -> None:
    extracted = extract(Path("c.pdf"), make_pdf(["Energy Note March 2025", "Oil exports rose sharply."]))
    assert "Energy Note March 2025" in extracted.text and "Oil exports rose sharply." in extracted.text
    assert len(extracted.pages) == 2
    assert extracted.text[extracted.pages[1] :].startswith("Oil exports")


@pytest.mark.parametrize("data", [b"%PDF-1.4\ngarbage", b"%PDF-1.4\n" + b"x" * 100], ids=["truncated", "junk"])
def test_broken_pdf_is_refused(data: bytes) -> None:
    with pytest.raises(UnreadableFileError):
        extract(Path("bad.pdf"), data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia, Mexico, Bilateral Relations: July 2025 Update", "2025-07"),
        ("Meeting on 12 July 2025", "2025-07-12"),
        ("Meeting on July 12, 2025", "2025-07-12"),
        ("file last updated 2026-01-21, commit", "2026-01-21"),
        ("Sept. 2024 outlook", "2024-09"),
        ("No date here", None),
    ],
)
def test_find_date(text: str, expected: str | None) -> None:
    assert find_date(text) == expected


def test_title_and_date_of_the_sample(tmp_path: Path) -> None:
    from conftest import SAMPLE

    document = read_document(SAMPLE.parent, SAMPLE)
    assert document.title == "Russia, Mexico, Bilateral Relations: July 2025 Update"
    assert document.date == "2025-07"
    assert document.doc_id == SAMPLE.name and len(document.sha256) == 64


def test_deeply_nested_html_is_read_and_never_hangs_the_indexer() -> None:
    import threading

    # 100,000 nested levels: the tree edits of the loader before grew with the square of the depth (8,000
    # levels took 6 s; this would take hours, holding the writer lock); one linear pass reads it at once
    page = ("<div>" * 100_000 + "<p>Deep text here.</p>" + "</div>" * 100_000).encode()
    read: list[str] = []
    worker = threading.Thread(target=lambda: read.append(load_html(page).text), daemon=True)
    worker.start()
    worker.join(timeout=120)  # a liveness bound, not a speed claim
    assert read == ["Deep text here."]


def test_html_drop_tags_hide_their_content_even_unclosed_inside_others() -> None:
    page = (
        b"<html><head><title>T</title></head><body><nav>Menu <b>x</b></nav><h2>Trade</h2><p>Beta sells wheat.</p>"
        b"<footer>Footer</footer><script>var a = '<p>no</p>';</script><p>After<br/>the break.</p></body></html>"
    )
    extracted = load_html(page)
    assert extracted.text == "Trade\n\nBeta sells wheat.\n\nAfter\n\nthe break."
    assert [h.title for h in extracted.headings] == ["Trade"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_text(encoding: str) -> None:
    text = "Trade\n\nMexico supplies Russia with coffee, pepper and food products.\n"
    assert decode_bytes(text.encode(encoding)) == text
    with pytest.raises(UnreadableFileError):  # a binary file with many zero bytes is still binary
        decode_bytes(bytes(range(256)) * 10)
