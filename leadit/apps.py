from django.apps import AppConfig


class LeaditConfig(AppConfig):
    name = "leadit"
    verbose_name = "LeadIT portal infrastructure"
