"""Writes that span several models."""

from django.db import transaction

from .models import Correction, Status


@transaction.atomic
def correct_attributions(statements, note_en, note_uk, user):
    """
    Apply today's names and role titles to published statements, as a public
    correction: each gets the note, a new version and a new attribution.
    """
    corrected = 0
    for statement in statements:
        if statement.status != Status.PUBLISHED:
            continue
        statement.attribution = statement.attribution_now()
        statement.save()
        Correction.objects.create(
            record=statement,
            note_en=note_en,
            note_uk=note_uk,
            fields=["attribution"],
            corrected_by=user,
        )
        corrected += 1
    return corrected
