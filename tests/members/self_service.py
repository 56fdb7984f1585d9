"""What the self-service tests share: the edit pages' addresses and what their forms post."""

import io
import os

from django.urls import reverse
from django.utils import timezone
from PIL import Image

TODAY = timezone.localdate()


def edit_url(name, member, pk=None):
    kwargs = {"slug": member.slug}
    if pk is not None:
        kwargs["pk"] = pk
    return reverse(f"members:{name}", kwargs=kwargs)


def png_bytes(size=(40, 20), noise=False) -> bytes:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (11, 93, 122))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def profile_data(**overrides):
    data = {
        "description": "We make **green steel** policy.",
        "website": "https://www.example.org/",
        "contact_details_public": "on",
    }
    data.update(overrides)
    return data


def commitment_formset_data(rows, **changes):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data[f"form-{i}-id"] = str(row.pk)
        data[f"form-{i}-status"] = row.status
        data[f"form-{i}-evidence"] = row.evidence
        data[f"form-{i}-evidence_links"] = row.evidence_links
    data.update(changes)
    return data
