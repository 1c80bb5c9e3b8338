from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Newsroom demo site"
    default = True


class NewsroomAdminConfig(admin_apps.AdminConfig):
    """Django's admin, on the newsroom's site: a second factor for those who publish."""

    default = False
    default_site = "newsroom.admin.NewsroomAdminSite"
