from django.db import models


class Sector(models.Model):
    """A heavy-industry sector (iron and steel, cement, aluminium, chemicals, …)."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name
