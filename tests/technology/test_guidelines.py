"""The technical guidelines library /technology/guidelines/ and one guideline: filters,
visibility, versions newest first with the older ones superseded, downloads that respect
visibility and never reach the public /media/ URL."""

import datetime
import io
import logging

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfWriter

from technology.models import GuidelineVersion, Visibility
from tests.factories.members import EditorFactory, SectorFactory
from tests.factories.technology import GuidelineVersionFactory, TechnicalGuidelineFactory
from tests.factories.tracker import TechnologyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

LIST_URL = reverse("technology:guidelines")
Status = GuidelineVersion.RenderStatus


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def uploaded_version(guideline, version="1.0", published_on=datetime.date(2025, 3, 1)):
    row = GuidelineVersionFactory(
        guideline=guideline,
        version=version,
        published_on=published_on,
        body="",
        render_status=Status.UPLOADED,
        pdf=ContentFile(pdf_bytes(), name=f"{guideline.slug}-{version}-abc123.pdf"),
    )
    return row


def _page(client, url=LIST_URL, **query):
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_library_filters_by_sector_technology_and_words(client):
    cement = SectorFactory(name="Cement", slug="cement")
    steel = SectorFactory(name="Iron and steel", slug="steel")
    clay = TechnologyFactory(name="Calcined clay", slug="calcined-clay")
    dri = TechnologyFactory(name="H2-DRI", slug="h2-dri")
    kiln = TechnicalGuidelineFactory(
        title="Kiln conversion handbook", sectors=[cement], technologies=[clay], is_demo=True
    )
    TechnicalGuidelineFactory(title="Shaft furnace safety", sectors=[steel], technologies=[dri])
    uploaded_version(kiln, "2.1", datetime.date(2025, 9, 30))

    everything = _page(client)
    assert "2 guidelines" in everything
    assert "Demo record (invented)" in everything
    assert "v2.1 of" in everything and "30 September 2025" in everything
    assert "CC BY 4.0" in everything
    assert kiln.member.name in everything

    by_sector = _page(client, sector="cement")
    assert "Kiln conversion handbook" in by_sector and "Shaft furnace safety" not in by_sector
    assert "Sector: Cement" in by_sector
    by_technology = _page(client, technology="h2-dri")
    assert "Shaft furnace safety" in by_technology and "Kiln conversion" not in by_technology
    by_words = _page(client, q="handbook")
    assert "Kiln conversion handbook" in by_words and "Shaft furnace" not in by_words
    unknown = _page(client, sector="planet")
    assert "2 guidelines" in unknown and "is not one of the choices" in unknown


def test_a_members_only_guideline_is_hidden_from_the_public_and_shown_to_members(client):
    public = TechnicalGuidelineFactory(title="Open guideline")
    secret = TechnicalGuidelineFactory(title="Members guideline", visibility=Visibility.MEMBERS)

    anonymous = _page(client)
    assert "Open guideline" in anonymous and "Members guideline" not in anonymous
    assert client.get(secret.get_absolute_url()).status_code == 404
    assert client.get(public.get_absolute_url()).status_code == 200

    client.force_login(EditorFactory())
    member_page = _page(client)
    assert "Members guideline" in member_page and "Visible to:" in member_page
    assert client.get(secret.get_absolute_url()).status_code == 200


def test_versions_newest_first_with_older_ones_superseded(client):
    guideline = TechnicalGuidelineFactory(title="Clinker substitution guide")
    uploaded_version(guideline, "1.0", datetime.date(2024, 2, 1))
    uploaded_version(guideline, "1.1", datetime.date(2024, 11, 5))
    GuidelineVersionFactory(guideline=guideline, version="2.0",
                            published_on=datetime.date(2025, 6, 1))  # fmt: skip
    GuidelineVersionFactory(guideline=guideline, version="2.1", render_status=Status.FAILED,
                            published_on=datetime.date(2025, 7, 1))  # fmt: skip

    page = _page(client, guideline.get_absolute_url())

    order = [page.index(f"<h3>Version {label}") for label in ("2.1", "2.0", "1.1", "1.0")]
    assert order == sorted(order)
    assert "Superseded by v2.1" in page and "Superseded by v2.0" in page
    assert "Superseded by v1.1" in page
    assert page.count("Superseded by") == 3
    assert "Rendering failed" in page
    assert "Being prepared" in page
    assert page.count("Download version") == 2


def test_the_download_serves_the_pdf_as_an_attachment(client):
    guideline = TechnicalGuidelineFactory(slug="kiln-guide")
    version = uploaded_version(guideline, "1.0")

    response = client.get(
        reverse("technology:guideline_download", args=[guideline.slug, version.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="kiln-guide-v1-0.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    response.close()


def test_a_members_only_download_answers_404_to_the_public_and_is_logged(client, caplog):
    guideline = TechnicalGuidelineFactory(visibility=Visibility.MEMBERS)
    version = uploaded_version(guideline)
    url = reverse("technology:guideline_download", args=[guideline.slug, version.pk])

    with caplog.at_level(logging.WARNING, logger="leadit.access"):
        assert client.get(url).status_code == 404
    assert "Refused technical guideline version" in caplog.text

    client.force_login(EditorFactory())
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    response.close()


def test_a_version_of_another_guideline_or_without_pdf_answers_404(client):
    guideline = TechnicalGuidelineFactory()
    other = uploaded_version(TechnicalGuidelineFactory())
    queued = GuidelineVersionFactory(guideline=guideline)

    for pk in (other.pk, queued.pk):
        url = reverse("technology:guideline_download", args=[guideline.slug, pk])
        assert client.get(url).status_code == 404


def test_the_stored_pdf_is_not_served_at_the_public_media_url(client, staff_user):
    version = uploaded_version(TechnicalGuidelineFactory())
    assert version.pdf.name.startswith("technology/guidelines/")
    media_url = f"{settings.MEDIA_URL}{version.pdf.name}"

    assert client.get(media_url).status_code == 404
    client.force_login(staff_user)
    assert client.get(media_url).status_code == 404


def _list_queries(client, count: int) -> int:
    sector, technology = SectorFactory(), TechnologyFactory()
    for _ in range(count):
        guideline = TechnicalGuidelineFactory(sectors=[sector], technologies=[technology])
        GuidelineVersionFactory(guideline=guideline)
    with CaptureQueriesContext(connection) as queries:
        _page(client)
    return len(queries)


def test_library_queries_stay_flat_between_few_and_many_guidelines(client):
    few = _list_queries(client, 3)
    many = _list_queries(client, 20)
    assert many == few


def test_guideline_page_queries_stay_flat_between_few_and_many_versions(client):
    guideline = TechnicalGuidelineFactory(sectors=[SectorFactory()])

    def queries(count):
        for _ in range(count):
            GuidelineVersionFactory(guideline=guideline)
        with CaptureQueriesContext(connection) as captured:
            _page(client, guideline.get_absolute_url())
        return len(captured)

    assert queries(2) == queries(20)
