"""Decoding bodies: BOM, header, meta, XML declaration, then detection; Arabic first."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.adapters.sources.charset import decode_body

HEADLINE = "عاجل: زلزال بقوة 5 درجات يضرب المنطقة"
PARAGRAPH = (
    "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في المدينة، وقال الوزير إن المشروع "
    "سيخدم آلاف المواطنين في المحافظات الجنوبية، مؤكداً أن العمل سيبدأ فوراً."
)
# Uses only letters both Arabic code pages place differently (ي ى ل م ن ه و),
# and none of the bytes ISO-8859-6 leaves undefined: read with the wrong one it
# still decodes, so only the noise comparison can tell.
NO_UNDEFINED_BYTES = "على مدى الليل نوه عمرو بالهم"
UTF8_PAGE_TEMPLATE = (
    "<html><head>{meta}<title>{title}</title></head><body><p>{body}</p></body></html>"
)


def page(encoding: str, *, meta: str = "", title: str = HEADLINE, body: str = PARAGRAPH) -> bytes:
    return UTF8_PAGE_TEMPLATE.format(meta=meta, title=title, body=body).encode(encoding)


# -- what the server says --------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=windows-1256",
        "text/html; charset=Windows-1256",
        "text/html;charset=cp1256",
        'text/html; charset="windows-1256"',
        "text/html; charset=x-cp1256",
    ],
)
def test_windows_1256_labels(content_type: str) -> None:
    text, encoding = decode_body(page("cp1256"), content_type)
    assert PARAGRAPH in text
    assert encoding == "cp1256"


@pytest.mark.parametrize("label", ["iso-8859-6", "ISO-8859-6", "arabic", "asmo-708", "iso-ir-127"])
def test_windows_1256_body_labelled_iso_8859_6_is_read_as_windows_1256(label: str) -> None:
    text, encoding = decode_body(page("cp1256"), f"text/html; charset={label}")
    assert PARAGRAPH in text
    assert encoding == "cp1256"


def test_windows_1256_body_labelled_iso_8859_6_without_undefined_bytes() -> None:
    content = NO_UNDEFINED_BYTES.encode("cp1256")
    content.decode("iso8859-6")  # would decode without error, to the wrong letters
    assert decode_body(content, "text/plain; charset=iso-8859-6") == (
        NO_UNDEFINED_BYTES,
        "cp1256",
    )


@pytest.mark.parametrize("text", [PARAGRAPH, NO_UNDEFINED_BYTES])
def test_real_iso_8859_6_stays_iso_8859_6(text: str) -> None:
    assert decode_body(text.encode("iso8859-6"), "text/plain; charset=iso-8859-6") == (
        text,
        "iso8859-6",
    )


def test_utf8_with_utf8_header() -> None:
    text, encoding = decode_body(page("utf-8"), "text/html; charset=UTF-8")
    assert PARAGRAPH in text
    assert encoding == "utf-8"


@pytest.mark.parametrize("label", ["iso-8859-1", "latin1", "us-ascii", "windows-1256"])
def test_utf8_body_behind_a_default_legacy_header_is_utf8(label: str) -> None:
    text, encoding = decode_body(page("utf-8"), f"text/html; charset={label}")
    assert PARAGRAPH in text
    assert encoding == "utf-8"


def test_latin1_label_means_windows_1252() -> None:
    content = "Café – “quoted”".encode("cp1252")
    assert decode_body(content, "text/plain; charset=ISO-8859-1") == (
        "Café – “quoted”",
        "cp1252",
    )


def test_header_wins_over_meta() -> None:
    content = page("utf-8", meta='<meta charset="windows-1256">')
    text, encoding = decode_body(content, "text/html; charset=utf-8")
    assert PARAGRAPH in text
    assert encoding == "utf-8"


@pytest.mark.parametrize("label", ["no-such-charset", "base64", "rot13", "unicode_escape", "utf-7"])
def test_unusable_header_labels_are_ignored(label: str) -> None:
    content = page("cp1256", meta='<meta charset="windows-1256">')
    text, encoding = decode_body(content, f"text/html; charset={label}")
    assert PARAGRAPH in text
    assert encoding == "cp1256"


# -- what the document says ------------------------------------------------------------


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="windows-1256">',
        "<meta charset=windows-1256>",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=windows-1256">',
        '<meta content="text/html; charset=cp1256" http-equiv="content-type" />',
    ],
)
def test_meta_charset_when_the_header_says_nothing(meta: str) -> None:
    text, encoding = decode_body(page("cp1256", meta=meta), "text/html")
    assert PARAGRAPH in text
    assert encoding == "cp1256"


def test_commented_out_meta_is_ignored() -> None:
    meta = '<!-- <meta charset="utf-8"> --><meta charset="windows-1256">'
    text, encoding = decode_body(page("cp1256", meta=meta), None)
    assert PARAGRAPH in text
    assert encoding == "cp1256"


def test_meta_claiming_utf16_means_utf8() -> None:
    text, encoding = decode_body(page("utf-8", meta='<meta charset="utf-16">'), None)
    assert PARAGRAPH in text
    assert encoding == "utf-8"


def test_xml_declaration() -> None:
    feed = (
        '<?xml version="1.0" encoding="windows-1256"?>\n'
        f"<rss><channel><item><title>{HEADLINE}</title></item></channel></rss>"
    ).encode("cp1256")
    text, encoding = decode_body(feed, "application/rss+xml")
    assert HEADLINE in text
    assert encoding == "cp1256"


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_byte_order_mark_wins_over_everything(bom: bytes, encoding: str) -> None:
    content = bom + PARAGRAPH.encode(encoding)
    assert decode_body(content, "text/plain; charset=windows-1256") == (PARAGRAPH, encoding)


# -- nothing said: detection -----------------------------------------------------------


@pytest.mark.parametrize("content_type", [None, "", "text/html"])
@pytest.mark.parametrize("body", [PARAGRAPH, HEADLINE, "في", NO_UNDEFINED_BYTES])
def test_unlabelled_windows_1256_is_detected(content_type: str | None, body: str) -> None:
    assert decode_body(body.encode("cp1256"), content_type) == (body, "cp1256")


def test_unlabelled_windows_1256_page_is_detected() -> None:
    text, encoding = decode_body(page("cp1256"), "text/html")
    assert PARAGRAPH in text
    assert encoding == "cp1256"


def test_unlabelled_iso_8859_6_is_detected() -> None:
    assert decode_body(PARAGRAPH.encode("iso8859-6"), None) == (PARAGRAPH, "iso8859-6")


def test_unlabelled_utf8_is_utf8() -> None:
    assert decode_body(page("utf-8"), None)[1] == "utf-8"


def test_unlabelled_cyrillic_is_not_taken_for_arabic() -> None:
    russian = "Министерство здравоохранения объявило сегодня об открытии новой больницы в городе."
    text, encoding = decode_body(russian.encode("cp1251"), None)
    assert text == russian
    assert encoding != "cp1256"


# -- never raises ----------------------------------------------------------------------


def test_empty_body() -> None:
    assert decode_body(b"", "text/html; charset=windows-1256") == ("", "utf-8")


def test_invalid_bytes_are_replaced() -> None:
    text, encoding = decode_body(b"ok \xff\xfe\xd8 ok", "text/plain; charset=utf-8")
    assert text.startswith("ok ")
    assert text.endswith(" ok")
    assert "\ufffd" in text
    assert encoding == "utf-8"


ARABIC_LETTERS = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي"


@given(st.text(st.sampled_from(ARABIC_LETTERS + " "), min_size=1).filter(str.strip))
def test_any_arabic_text_round_trips_through_windows_1256(text: str) -> None:
    content = text.encode("cp1256")
    assert decode_body(content, None) == (text, "cp1256")
    assert decode_body(content, "text/html; charset=windows-1256") == (text, "cp1256")


@given(st.binary(max_size=300), st.one_of(st.none(), st.text(max_size=40)))
@example(b"\xff\xfe\x00", "text/html; charset=utf-16")
@example(b'<meta charset="\xff">', None)
@example(b'<?xml encoding="x-user-defined"?>', None)
@example(b"abc", "text/html; charset=\ud800")
def test_never_raises_and_names_a_codec_that_decodes(
    content: bytes, content_type: str | None
) -> None:
    text, encoding = decode_body(content, content_type)
    assert isinstance(text, str)
    assert content.decode(encoding, errors="replace") is not None
