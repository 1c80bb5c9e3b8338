"""Source names in English and Ukrainian, as every other editor-typed text."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('exchanges', '0013_freeze_published_attribution'),
    ]

    operations = [
        migrations.AddField(
            model_name='agreement',
            name='source_name_en',
            field=models.CharField(blank=True, help_text='Outlet or document and date, e.g. “TRT World, 2025-05-16”.', max_length=200, null=True, verbose_name='source'),
        ),
        migrations.AddField(
            model_name='agreement',
            name='source_name_uk',
            field=models.CharField(blank=True, help_text='Outlet or document and date, e.g. “TRT World, 2025-05-16”.', max_length=200, null=True, verbose_name='source'),
        ),
        migrations.AddField(
            model_name='exchange',
            name='source_name_en',
            field=models.CharField(blank=True, help_text='Outlet or document and date, e.g. “TRT World, 2025-05-16”.', max_length=200, null=True, verbose_name='source'),
        ),
        migrations.AddField(
            model_name='exchange',
            name='source_name_uk',
            field=models.CharField(blank=True, help_text='Outlet or document and date, e.g. “TRT World, 2025-05-16”.', max_length=200, null=True, verbose_name='source'),
        ),
        migrations.AddField(
            model_name='quote',
            name='source_name_en',
            field=models.CharField(blank=True, help_text='Outlet or document and date, e.g. “TRT World, 2025-05-16”.', max_length=200, null=True, verbose_name='source'),
        ),
        migrations.AddField(
            model_name='quote',
            name='source_name_uk',
            field=models.CharField(blank=True, help_text='Outlet or document and date, e.g. “TRT World, 2025-05-16”.', max_length=200, null=True, verbose_name='source'),
        ),
        migrations.AddField(
            model_name='tally',
            name='source_name_en',
            field=models.CharField(blank=True, help_text='Outlet or document and date, e.g. “TRT World, 2025-05-16”.', max_length=200, null=True, verbose_name='source'),
        ),
        migrations.AddField(
            model_name='tally',
            name='source_name_uk',
            field=models.CharField(blank=True, help_text='Outlet or document and date, e.g. “TRT World, 2025-05-16”.', max_length=200, null=True, verbose_name='source'),
        ),
    ]
