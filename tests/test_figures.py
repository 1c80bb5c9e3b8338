import pytest

from exchanges.figures import Figure, Precision

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("figure", "en", "uk"),
    [
        (Figure(5857), "5,857", f"5{NBSP}857"),
        (Figure(66), "66", "66"),
        (Figure(1000, Precision.AT_LEAST), "over 1,000", f"понад 1{NBSP}000"),
        (Figure(250, Precision.ABOUT), "about 250", "близько 250"),
        (Figure.unknown(), "not disclosed", "не розголошено"),
        (Figure(0), "0", "0"),
        (Figure(1234567), "1,234,567", f"1{NBSP}234{NBSP}567"),
    ],
)
def test_figure_words_in_both_languages(figure, en, uk):
    assert figure.words("en") == en
    assert figure.words("uk") == uk
    assert figure.display() == {"en": en, "uk": uk}


def test_value_and_precision_must_agree():
    with pytest.raises(ValueError):
        Figure(None, Precision.EXACT)
    with pytest.raises(ValueError):
        Figure(10, Precision.UNKNOWN)


@pytest.mark.parametrize(
    ("left", "right", "total"),
    [
        (Figure(10), Figure(5), Figure(15)),
        (Figure(10), Figure(5, Precision.ABOUT), Figure(15, Precision.ABOUT)),
        (Figure(10), Figure.unknown(), Figure(10, Precision.AT_LEAST)),
        (
            Figure(10, Precision.ABOUT),
            Figure(5, Precision.AT_LEAST),
            Figure(15, Precision.AT_LEAST),
        ),
        (Figure.unknown(), Figure.unknown(), Figure.unknown()),
    ],
)
def test_a_sum_is_only_as_precise_as_its_parts(left, right, total):
    assert left + right == total


@pytest.mark.parametrize(
    ("figure", "uk", "en"),
    [
        (Figure(1), "1 особу", "1 person"),
        (Figure(2), "2 особи", "2 people"),
        (Figure(5), "5 осіб", "5 people"),
        (Figure(21), "21 особу", "21 people"),
        (Figure(5857), "5 857 осіб", "5,857 people"),
        (Figure(1000, Precision.AT_LEAST), "понад 1 000 осіб", "over 1,000 people"),
        (Figure(1, Precision.ABOUT), "близько 1 особи", "about 1 person"),
        (Figure(2, Precision.ABOUT), "близько 2 осіб", "about 2 people"),
        (Figure(21, Precision.ABOUT), "близько 21 особи", "about 21 people"),
        (Figure(250, Precision.ABOUT), "близько 250 осіб", "about 250 people"),
        (Figure.unknown(), None, None),
    ],
)
def test_people_agree_with_the_number_in_both_languages(figure, uk, en):
    from django.utils import translation

    from exchanges.wording import people_words

    with translation.override("uk"):
        words = people_words(figure)
        assert (words and words.replace(NBSP, " ")) == uk
    with translation.override("en"):
        assert people_words(figure) == en
