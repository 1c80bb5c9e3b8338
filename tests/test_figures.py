"""Figures as stated: every qualifier worded in both languages, and honest arithmetic."""

import pytest
from django.utils import translation

from exchanges.arithmetic import difference, total
from exchanges.figures import Figure, Precision
from exchanges.wording import exchanges_words, people_words

NBSP = "\xa0"
P = Precision


def plain(text):
    return text and text.replace(NBSP, " ")


# qualifier, value, upper: the figure's words, then people in a sentence's object
# (“Україна повернула …”) and subject (“… повернулися”), in English and Ukrainian.
FIGURES = [
    (P.EXACT, 21, None, "21", "21", "21 people", "21 особу", "21 особа"),
    (P.EXACT, 5857, None, "5,857", "5 857", "5,857 people", "5 857 осіб", "5 857 осіб"),
    (P.EXACT, 1, None, "1", "1", "1 person", "1 особу", "1 особа"),
    (P.EXACT, 3, None, "3", "3", "3 people", "3 особи", "3 особи"),
    (P.ABOUT, 21, None, "about 21", "близько 21", "about 21 people", "близько 21 особи", None),
    (P.ABOUT, 250, None, "about 250", "близько 250", "about 250 people", "близько 250 осіб", None),
    (P.OVER, 21, None, "over 21", "понад 21", "over 21 people", "понад 21 особу", None),
    (
        P.OVER,
        1000,
        None,
        "over 1,000",
        "понад 1 000",
        "over 1,000 people",
        "понад 1 000 осіб",
        None,
    ),
    (
        P.AT_LEAST,
        21,
        None,
        "at least 21",
        "щонайменше 21",
        "at least 21 people",
        "щонайменше 21 особу",
        "щонайменше 21 особа",
    ),
    (
        P.AT_LEAST,
        7000,
        None,
        "at least 7,000",
        "щонайменше 7 000",
        "at least 7,000 people",
        "щонайменше 7 000 осіб",
        "щонайменше 7 000 осіб",
    ),
    (
        P.NEARLY,
        21,
        None,
        "nearly 21",
        "майже 21",
        "nearly 21 people",
        "майже 21 особу",
        "майже 21 особа",
    ),
    (
        P.NEARLY,
        1000,
        None,
        "nearly 1,000",
        "майже 1 000",
        "nearly 1,000 people",
        "майже 1 000 осіб",
        "майже 1 000 осіб",
    ),
    (
        P.FEWER_THAN,
        22,
        None,
        "fewer than 22",
        "менше ніж 22",
        "fewer than 22 people",
        "менше ніж 22 особи",
        "менше ніж 22 особи",
    ),
    (
        P.FEWER_THAN,
        500,
        None,
        "fewer than 500",
        "менше ніж 500",
        "fewer than 500 people",
        "менше ніж 500 осіб",
        "менше ніж 500 осіб",
    ),
    (P.UP_TO, 21, None, "up to 21", "до 21", "up to 21 people", "до 21 особи", None),
    (P.UP_TO, 500, None, "up to 500", "до 500", "up to 500 people", "до 500 осіб", None),
    (P.BETWEEN, 20, 21, "20 to 21", "від 20 до 21", "20 to 21 people", "від 20 до 21 особи", None),
    (
        P.BETWEEN,
        1000,
        1200,
        "1,000 to 1,200",
        "від 1 000 до 1 200",
        "1,000 to 1,200 people",
        "від 1 000 до 1 200 осіб",
        None,
    ),
    (P.UNKNOWN, None, None, "not disclosed", "не розголошено", None, None, None),
]


@pytest.mark.parametrize(
    ("precision", "value", "upper", "en", "uk", "en_people", "uk_object", "uk_subject"), FIGURES
)
def test_every_qualifier_is_worded_as_stated_in_both_languages(
    precision, value, upper, en, uk, en_people, uk_object, uk_subject
):
    figure = Figure(value, precision, upper)
    assert figure.words("en") == en
    assert plain(figure.words("uk")) == uk
    assert {code: plain(words) for code, words in figure.display().items()} == {"en": en, "uk": uk}
    with translation.override("en"):
        assert people_words(figure) == en_people
    with translation.override("uk"):
        assert plain(people_words(figure, case="accusative")) == uk_object
        # Qualifiers that govern a case keep it whatever the sentence.
        assert plain(people_words(figure, case="nominative")) == (uk_subject or uk_object)


@pytest.mark.parametrize(
    ("figure", "en", "uk_nominative", "uk_genitive"),
    [
        (Figure(1), "1 exchange", "1 обмін", "1 обміну"),
        (Figure(66), "66 exchanges", "66 обмінів", "66 обмінів"),
        (Figure(3), "3 exchanges", "3 обміни", "3 обмінів"),
        (Figure(70, P.AT_LEAST), "at least 70 exchanges", "щонайменше 70 обмінів", None),
        (Figure(21, P.OVER), "over 21 exchanges", "понад 21 обмін", "понад 21 обмін"),
        (Figure(21, P.ABOUT), "about 21 exchanges", "близько 21 обміну", "близько 21 обміну"),
        (Figure(2, P.UP_TO), "up to 2 exchanges", "до 2 обмінів", "до 2 обмінів"),
        (Figure(60, P.BETWEEN, 62), "60 to 62 exchanges", "від 60 до 62 обмінів", None),
    ],
)
def test_exchanges_agree_with_the_number_and_the_qualifier(figure, en, uk_nominative, uk_genitive):
    with translation.override("en"):
        assert exchanges_words(figure) == en
    with translation.override("uk"):
        assert exchanges_words(figure) == uk_nominative
        assert exchanges_words(figure, case="genitive") == (uk_genitive or uk_nominative)


def test_value_qualifier_and_upper_must_agree():
    with pytest.raises(ValueError):
        Figure(None, P.EXACT)
    with pytest.raises(ValueError):
        Figure(10, P.UNKNOWN)
    with pytest.raises(ValueError):
        Figure(10, P.BETWEEN)
    with pytest.raises(ValueError):
        Figure(10, P.OVER, 20)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([Figure(10), Figure(5)], Figure(15)),
        ([Figure(10), Figure(5, P.ABOUT)], Figure(15, P.ABOUT)),
        ([Figure(10), Figure.unknown()], Figure(10, P.AT_LEAST)),
        ([Figure.unknown(), Figure.unknown()], Figure.unknown()),
        ([Figure(1000, P.OVER), Figure(5)], Figure(1005, P.OVER)),
        ([Figure(7000, P.AT_LEAST), Figure(250, P.ABOUT)], Figure(7000, P.AT_LEAST)),
        ([Figure(1000, P.OVER), Figure(250, P.ABOUT)], Figure(1000, P.OVER)),
        ([Figure(1000, P.BETWEEN, 1200), Figure(100)], Figure(1100, P.BETWEEN, 1300)),
        ([Figure(500, P.UP_TO), Figure(300, P.UP_TO)], Figure(800, P.UP_TO)),
        ([Figure(500, P.FEWER_THAN), Figure(300, P.UP_TO)], Figure(800, P.FEWER_THAN)),
        ([Figure(1000, P.NEARLY), Figure(200)], Figure(1200, P.NEARLY)),
        ([Figure(1000, P.NEARLY), Figure(200, P.ABOUT)], Figure(1200, P.ABOUT)),
        ([Figure(500, P.FEWER_THAN), Figure(10)], Figure(10, P.BETWEEN, 509)),
        ([Figure(500, P.UP_TO), Figure(1000, P.AT_LEAST)], Figure(1000, P.AT_LEAST)),
        ([], Figure(0)),
    ],
)
def test_a_sum_claims_no_more_than_its_parts(parts, expected):
    assert total(parts) == expected


@pytest.mark.parametrize(
    ("official", "recorded", "more", "fewer"),
    [
        # “At least 70 / at least 8,000” minus what is recorded: at least the rest.
        (Figure(70, P.AT_LEAST), Figure(16), Figure(54, P.AT_LEAST), None),
        (Figure(8000, P.AT_LEAST), Figure(3130), Figure(4870, P.AT_LEAST), None),
        (Figure(66), Figure(13), Figure(53), None),
        (Figure(13), Figure(66), None, Figure(53)),
        (Figure(66), Figure(66), Figure(0), Figure(0)),
        # Official 5,857 against “at least 2,687” recorded: cannot be told.
        (Figure(5857), Figure(2687, P.AT_LEAST), None, None),
        (Figure(1000, P.OVER), Figure(200), Figure(800, P.OVER), None),
        (Figure(300, P.ABOUT), Figure(100), Figure(200, P.ABOUT), None),
        (Figure(1000, P.BETWEEN, 1200), Figure(100), Figure(900, P.BETWEEN, 1100), None),
        (Figure(1000, P.UP_TO), Figure(100), None, None),
        (Figure.unknown(), Figure(100), None, None),
    ],
)
def test_a_difference_keeps_what_can_be_known(official, recorded, more, fewer):
    gap = difference(official, recorded)
    assert gap.figure() == more
    assert (-gap).figure() == fewer


@pytest.mark.parametrize(
    ("figure", "en", "uk"),
    [
        (Figure(66), "in 66 exchanges", "за 66 обмінів"),
        (Figure(21, P.ABOUT), "in about 21 exchanges", "приблизно за 21 обмін"),
        (Figure(21, P.OVER), "in over 21 exchanges", "більш ніж за 21 обмін"),
        (Figure(45, P.AT_LEAST), "in at least 45 exchanges", "щонайменше за 45 обмінів"),
        (Figure(70, P.NEARLY), "in nearly 70 exchanges", "майже за 70 обмінів"),
        (Figure(3, P.FEWER_THAN), "in fewer than 3 exchanges", "менш ніж за 3 обміни"),
        (Figure(21, P.UP_TO), "in up to 21 exchanges", "не більш ніж за 21 обмін"),
        (Figure(20, P.BETWEEN, 21), "in 20 to 21 exchanges", "за 20–21 обмін"),
        (Figure.unknown(), None, None),
    ],
)
def test_in_so_many_exchanges_puts_the_preposition_where_each_language_does(figure, en, uk):
    from exchanges.wording import in_exchanges_words

    with translation.override("en"):
        assert in_exchanges_words(figure) == en
    with translation.override("uk"):
        assert in_exchanges_words(figure) == uk
