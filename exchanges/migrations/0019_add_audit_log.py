"""
The audit log (workflow moves, corrections, reverts, sign-ins, partner keys),
readable by editors; nobody edits it. (Partner managers see keys, not who
signed in from where or what drafts exist.)
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


READERS = ["Editor"]


def let_editors_read(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need this one now.
    app_config = apps.get_app_config("exchanges")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="exchanges", codename="view_auditevent")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=READERS):
        group.permissions.add(view)


class Migration(migrations.Migration):

    dependencies = [
        ('exchanges', '0018_accept_only_web_links'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='at')),
                ('action', models.CharField(choices=[('submit', 'submitted for review'), ('publish', 'published'), ('unpublish', 'unpublished'), ('return_to_draft', 'returned to draft'), ('correct', 'corrected'), ('revert', 'reverted'), ('recover', 'recovered as a draft'), ('delete', 'deleted'), ('login', 'signed in'), ('login_failed', 'failed to sign in'), ('locked_out', 'locked out'), ('logout', 'signed out'), ('key_used', 'used a partner key'), ('key_created', 'partner key created'), ('key_revoked', 'partner key revoked')], db_index=True, max_length=20, verbose_name='action')),
                ('username', models.CharField(blank=True, max_length=150, verbose_name='who')),
                ('subject_kind', models.CharField(blank=True, max_length=40, verbose_name='kind')),
                ('subject_uuid', models.UUIDField(blank=True, null=True, verbose_name='UUID')),
                ('subject', models.CharField(blank=True, max_length=200, verbose_name='what')),
                ('detail', models.TextField(blank=True, verbose_name='detail')),
                ('address', models.GenericIPAddressField(blank=True, null=True, verbose_name='address')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'verbose_name': 'audit event',
                'verbose_name_plural': 'audit log',
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['subject_kind', 'subject_uuid'], name='audit_subject')],
            },
        ),
        migrations.RunPython(let_editors_read, migrations.RunPython.noop),
    ]
