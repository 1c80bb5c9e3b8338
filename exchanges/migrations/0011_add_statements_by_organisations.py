"""A tally or a quote may be stated by an organisation itself, with no named person."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exchanges', '0010_keep_over_as_over'),
    ]

    operations = [
        migrations.AddField(
            model_name='quote',
            name='speaker_organisation',
            field=models.ForeignKey(blank=True, help_text="When an organisation's statement is quoted, with no named spokesperson.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='quotes', to='exchanges.organisation', verbose_name='speaker (organisation)'),
        ),
        migrations.AddField(
            model_name='tally',
            name='stated_by_organisation',
            field=models.ForeignKey(blank=True, help_text='When an organisation made the statement itself, e.g. “the Coordination Headquarters reported”, with no named spokesperson.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tallies', to='exchanges.organisation', verbose_name='stated by (organisation)'),
        ),
        migrations.AlterField(
            model_name='quote',
            name='speaker',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='quotes', to='exchanges.person', verbose_name='speaker (person)'),
        ),
        migrations.AlterField(
            model_name='tally',
            name='stated_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tallies', to='exchanges.person', verbose_name='stated by (person)'),
        ),
        migrations.AddConstraint(
            model_name='quote',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('speaker__isnull', False), ('speaker_organisation__isnull', True)), models.Q(('speaker__isnull', True), ('speaker_organisation__isnull', False)), _connector='OR'), name='quote_has_one_speaker', violation_error_message='A quote has one speaker: a person or an organisation.'),
        ),
        migrations.AddConstraint(
            model_name='tally',
            constraint=models.CheckConstraint(condition=models.Q(('stated_by__isnull', True), ('stated_by_organisation__isnull', True), _connector='OR'), name='tally_stated_by_one_speaker', violation_error_message='Choose who said it: a person or an organisation, not both.'),
        ),
    ]
