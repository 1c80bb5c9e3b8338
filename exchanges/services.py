"""Writes that span several models."""

import reversion
from django.db import transaction

from .models import Correction, Status


@transaction.atomic
def correct_role(role, note_en, note_uk, user):
    """
    Apply a role's new titles to the published statements that cite it, as a
    public correction: each gets the note, a new version and a new history entry.
    Only that role is reworded; the rest of each attribution stays as published.
    """
    corrected = 0
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(f"Corrected: {note_en}")
        for statement in role.published_statements():
            if statement.status != Status.PUBLISHED:
                continue
            statement.reword_role(role)
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
