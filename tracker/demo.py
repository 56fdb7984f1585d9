from .models import Sector

SECTORS = [
    ("Iron and steel", "steel"),
    ("Cement and concrete", "cement"),
    ("Aluminium", "aluminium"),
    ("Chemicals", "chemicals"),
    ("Aviation", "aviation"),
    ("Shipping", "shipping"),
    ("Heavy-duty road transport", "road-transport"),
]


def seed_demo() -> list:
    for order, (name, slug) in enumerate(SECTORS, start=1):
        Sector.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})
    return []
