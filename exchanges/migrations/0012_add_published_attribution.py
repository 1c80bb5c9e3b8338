"""Statements keep the speaker's name and roles as they were published."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exchanges', '0011_add_statements_by_organisations'),
    ]

    operations = [
        migrations.AddField(
            model_name='quote',
            name='attribution',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text="The speaker's name and roles as they were published.", verbose_name='attribution as published'),
        ),
        migrations.AddField(
            model_name='tally',
            name='attribution',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text="The speaker's name and roles as they were published.", verbose_name='attribution as published'),
        ),
    ]
