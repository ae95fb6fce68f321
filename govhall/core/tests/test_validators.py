"""core.validators.clean_text: the one check of free text from outside."""

from __future__ import annotations

import pytest

from govhall.core.errors import ValidationFailed


@pytest.mark.parametrize(
    "value, code",
    [
        ("", "required"),
        (None, "required"),
        ("  ", "required"),
        ("意见\x00", "invalid_text"),
        ("长" * 11, "too_long"),
        (["列表"], "invalid"),
    ],
)
def test_clean_text_refuses_with_a_code_and_a_chinese_message(value, code):
    from govhall.core.validators import clean_text

    with pytest.raises(ValidationFailed) as exc:
        clean_text(value, field="opinion", label="意见", limit=10)
    assert exc.value.code == code and "意见" in exc.value.message
    assert exc.value.fields == {"opinion": exc.value.fields["opinion"]}


def test_clean_text_strips_and_keeps_numbers_as_text():
    from govhall.core.validators import clean_text

    assert clean_text("  已核实 ", field="f", label="意见", limit=10) == "已核实"
    assert clean_text(42, field="f", label="编号", limit=10) == "42"
    assert clean_text(None, field="f", label="备注", limit=10, required=False) == ""
