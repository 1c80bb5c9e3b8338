# Web links (sources' links, organisations' websites) accept only plain http(s)
# addresses: see exchanges.validators. A validator lives in Python, so no table
# changes; links stored before are left as they are, and every output skips
# those that are not http(s) (public_url).

from django.db import migrations, models

import exchanges.validators


def web_link(verbose_name, **options):
    return models.URLField(
        blank=True,
        validators=[exchanges.validators.validate_web_link],
        verbose_name=verbose_name,
        **options,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('exchanges', '0017_index_api_order'),
    ]

    operations = [
        *[
            migrations.AlterField(
                model_name=model_name,
                name='source_url',
                field=web_link('source link', max_length=500),
            )
            for model_name in ('agreement', 'exchange', 'quote', 'tally')
        ],
        migrations.AlterField(
            model_name='organisation',
            name='url',
            field=web_link('website'),
        ),
    ]
