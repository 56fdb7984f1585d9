"""A world map drawn as SVG on the server: countries filled by category, points (plants,
projects) as small shapes, a legend — no tile server, no CDN, no script.

The country shapes come from the npm package ``world-atlas`` (TopoJSON of Natural Earth's
public-domain 1:110m countries, ISC licence), installed by ``npm ci`` into
``node_modules/`` and never copied into the repository. Its arcs are decoded here, projected
with the Equal Earth projection (equal-area, so large countries do not look more important
than they are) and kept in memory. Without the package the map is a message saying so,
never an error.

Like :mod:`leadit.charts`: ``role="img"`` with a ``<title>`` and a generated ``<desc>``,
patterns as well as colours, every name escaped, no ``style=``, deterministic output.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django_countries import countries as iso_countries

from .chart_parts import INK_SOFT, PAD, _chart_id, _n, _shorten, _svg, _text, _text_width
from .chart_parts import empty_chart as _empty_chart

GEOMETRY_NOT_INSTALLED = (
    "The map is not available: its geometry (the npm package world-atlas) is not installed."
)
MAP_WIDTH = 960
TOP_LATITUDE = 84.0
BOTTOM_LATITUDE = -57.0  # Antarctica is left out: the map is about countries' policies.
NO_CATEGORY_FILL = "#e4e8ec"
BORDER = "#ffffff"
CATEGORY_BORDER = "#4a5663"  # countries that have a category stand out from the rest
OCEAN = "#eaf2f8"
SHAPES = ("circle", "square", "triangle", "diamond")
LEGEND_FONT_SIZE = 15  # larger than the charts': the map is wide and drawn smaller


@dataclass(frozen=True)
class MapCategory:
    """A legend entry: countries (``pattern``) or points (``shape``) of one kind.

    ``key`` goes into class names (``map__country--<key>``), so keep it a slug."""

    key: str
    label: str
    fill: str
    pattern: str = ""  # "", "diagonal", "dots", "cross", "horizontal"
    shape: str = "circle"  # for points: circle, square, triangle, diamond


@dataclass(frozen=True)
class MapPoint:
    """A place drawn as a small shape; ``label`` is its tooltip (name, status…)."""

    latitude: float
    longitude: float
    label: str
    category: str = ""


def geometry_file() -> Path:
    """Where the country geometry is expected (``MAP_GEOMETRY_FILE`` overrides it)."""
    default = Path(settings.BASE_DIR) / "node_modules" / "world-atlas" / "countries-110m.json"
    return Path(getattr(settings, "MAP_GEOMETRY_FILE", default))


def world_map(
    *,
    title: str,
    description: str = "",
    countries: Mapping[str, str] | None = None,
    categories: Sequence[MapCategory] = (),
    points: Sequence[MapPoint] = (),
    point_categories: Sequence[MapCategory] = (),
    other_label: str = "",
    chart_id: str | None = None,
    legend: str = "svg",
) -> SafeString:
    """The world with each country of ``countries`` (ISO alpha-2 → category key) filled as
    its category, the others plain grey (``other_label`` names them in the legend), and
    ``points`` drawn on top as the shapes of their ``point_categories``.

    The map is one image (``role="img"``) to assistive technology, so it holds no links:
    the page should list the same countries in text, with their links (a table).

    ``legend="svg"`` draws the key inside the picture (for print and PDFs, where the map is
    page-wide); ``legend="html"`` puts it after the picture as an HTML list
    (:func:`map_key`), whose text keeps its size when the map shrinks to a phone's width.
    """
    countries = {code.upper(): key for code, key in (countries or {}).items()}
    cid = chart_id or _chart_id(
        "map", title, sorted(countries.items()), categories, _point_data(points),
        point_categories, other_label,
    )  # fmt: skip
    shapes = _shapes(str(geometry_file()))
    if shapes is None:
        return _empty_chart(title=title, message=GEOMETRY_NOT_INSTALLED, description=description)

    drawn = {code for code, _, _ in shapes}
    not_drawn = sorted(
        (iso_countries.name(code) or code) for code in countries if code not in drawn
    )
    if not description:
        description = _describe(countries, categories, points, point_categories, not_drawn)

    map_height = _project(0, BOTTOM_LATITUDE)[1]
    defs = f'<clipPath id="{cid}-clip"><path d="{_outline()}"/></clipPath>' + "".join(
        _pattern(f"{cid}-{c.key}", c.fill, c.pattern) for c in categories if c.pattern
    )
    parts = [
        f'<path class="map__sphere" d="{_outline()}" fill="{OCEAN}" stroke="{INK_SOFT}" '
        'stroke-width="0.5"/>',
        _countries_group(cid, shapes, countries, categories, other_label),
    ]
    if points:
        point_by_key = {category.key: category for category in point_categories}
        parts.append('<g class="map__points">')
        for point in sorted(points, key=lambda p: (-float(p.latitude), float(p.longitude))):
            parts.append(_point(point, point_by_key.get(point.category)))
        parts.append("</g>")
    point_categories = point_categories if points else ()

    if legend == "html":
        height = map_height + PAD
        svg = _svg(cid, "map", title, description, MAP_WIDTH, height, "".join(parts), defs=defs)
        key = map_key(
            cid,
            categories=categories,
            other_label=other_label,
            point_categories=point_categories,
            not_drawn=not_drawn,
        )
        return mark_safe(svg + key)  # noqa: S308 - both parts escape their text
    legend_svg, legend_height = _legend(
        cid, categories, other_label, point_categories, y=map_height + 10
    )
    parts.append(legend_svg)
    height = map_height + 10 + legend_height + PAD
    if not_drawn:
        note = "Too small to draw at this scale: " + ", ".join(not_drawn) + "."
        parts.append(_text(PAD, height + 6, _shorten(note, 120), klass="map__note", size=13))
        height += 18
    return _svg(cid, "map", title, description, MAP_WIDTH, height, "".join(parts), defs=defs)


def _point_data(points: Sequence[MapPoint]) -> list[tuple]:
    return [(p.latitude, p.longitude, p.label, p.category) for p in points]


def _countries_group(
    cid: str,
    shapes: tuple[tuple[str, str, str], ...],
    countries: Mapping[str, str],
    categories: Sequence[MapCategory],
    other_label: str,
) -> str:
    """Every country's shape, filled as its category (named in its tooltip) or plain grey."""
    by_key = {category.key: category for category in categories}
    parts = [f'<g class="map__countries" clip-path="url(#{cid}-clip)">']
    for code, name, path in shapes:
        category = by_key.get(countries.get(code, ""))
        if category:
            fill = f"url(#{cid}-{category.key})" if category.pattern else category.fill
            klass = f"map__country map__country--{category.key}"
            label = f"{name}: {category.label}"
            border = f'stroke="{CATEGORY_BORDER}" stroke-width="0.5"'
        else:
            fill, klass = NO_CATEGORY_FILL, "map__country"
            label = f"{name}: {other_label}" if other_label else name
            border = f'stroke="{BORDER}" stroke-width="0.6"'
        parts.append(
            f'<path class="{klass}" data-country="{escape(code)}" d="{path}" fill="{fill}" '
            f"{border}><title>{escape(label)}</title></path>"
        )
    parts.append("</g>")
    return "".join(parts)


# --- Geometry ---------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _shapes(path: str) -> tuple[tuple[str, str, str], ...] | None:
    """``(alpha-2 or "", name, SVG path data)`` for each country of the TopoJSON file at
    ``path``, projected and rounded, sorted by name; None if the file is missing or bad."""
    try:
        topology = json.loads(Path(path).read_text(encoding="utf-8"))
        collection = topology["objects"]["countries"]["geometries"]
        arcs = _decode_arcs(topology)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    shapes = []
    for geometry in collection:
        numeric = geometry.get("id")
        code = iso_countries.alpha2(numeric) if numeric and str(numeric).isdigit() else ""
        if code == "AQ":  # Antarctica, below the map's edge
            continue
        name = (iso_countries.name(code) if code else "") or geometry.get("properties", {}).get(
            "name", ""
        )
        if geometry.get("type") == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry.get("type") == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        data = "".join(
            _ring_path(copy)
            for polygon in polygons
            for ring in polygon
            for copy in _antimeridian_copies(_ring(arcs, ring))
        )
        if data:
            shapes.append((code, str(name), data))
    shapes.sort(key=lambda shape: (shape[1], shape[0]))
    return tuple(shapes)


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs as (longitude, latitude) lists: undo the delta encoding and the
    quantisation transform."""
    transform = topology.get("transform")
    decoded = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc]
        decoded.append(points)
    return decoded


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    """A closed ring from arc indexes (``~i``, i.e. ``-i - 1``, is arc i reversed); each arc
    after the first starts where the previous one ended, so that point is dropped."""
    ring: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc[1:] if ring else arc)
    return ring


def _antimeridian_copies(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring that crosses the ±180° meridian (Russia, Fiji) made continuous, plus a copy
    shifted by 360° so that both sides are drawn; the map's outline clips what sticks out."""
    unwrapped, offset, previous = [], 0.0, None
    for longitude, latitude in ring:
        if previous is not None and abs(longitude - previous) > 180:
            offset += 360 if previous > longitude else -360
        previous = longitude
        unwrapped.append((longitude + offset, latitude))
    if not offset and all(-180 <= lon <= 180 for lon, _ in unwrapped):
        return [ring]
    copies = [unwrapped]
    if min(lon for lon, _ in unwrapped) < -180:
        copies.append([(lon + 360, lat) for lon, lat in unwrapped])
    if max(lon for lon, _ in unwrapped) > 180:
        copies.append([(lon - 360, lat) for lon, lat in unwrapped])
    return copies


@lru_cache(maxsize=1)
def _outline() -> str:
    """The edge of the map: the ±180° meridians between the top and bottom latitudes."""
    steps = 40
    span = TOP_LATITUDE - BOTTOM_LATITUDE
    left = [(-180.0, TOP_LATITUDE - span * i / steps) for i in range(steps + 1)]
    right = [(180.0, BOTTOM_LATITUDE + span * i / steps) for i in range(steps + 1)]
    return _ring_path(left + right)


def _ring_path(ring: list[tuple[float, float]]) -> str:
    """Absolute start, then relative steps on a 0.1 grid (compact, no drift)."""
    previous = None
    out = []
    for longitude, latitude in ring:
        x, y = _project(longitude, latitude)
        point = (round(x * 10), round(y * 10))
        if point == previous:
            continue
        if previous is None:
            out.append(f"M{_tenths(point[0])} {_tenths(point[1])}")
        else:
            out.append(f"l{_tenths(point[0] - previous[0])} {_tenths(point[1] - previous[1])}")
        previous = point
    if len(out) < 3:
        return ""
    return "".join(out) + "z"


def _tenths(value: int) -> str:
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    return f"{sign}{whole}.{tenth}" if tenth else f"{sign}{whole}"


# Equal Earth (Šavrič, Patterson & Jenny, 2018).
_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2
_X_EXTENT = 2.7066297319215575  # x at longitude 180°, latitude 0°


def _equal_earth(longitude: float, latitude: float) -> tuple[float, float]:
    lam, phi = math.radians(longitude), math.radians(latitude)
    theta = math.asin(_M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


_SCALE = (MAP_WIDTH / 2 - 2) / _X_EXTENT
_Y_TOP = _equal_earth(0, TOP_LATITUDE)[1]


def _project(longitude: float, latitude: float) -> tuple[float, float]:
    """Map coordinates in the SVG's user units: x from 0 to MAP_WIDTH, y down from the
    top latitude."""
    x, y = _equal_earth(longitude, latitude)
    return MAP_WIDTH / 2 + x * _SCALE, (_Y_TOP - y) * _SCALE


# --- Drawing ----------------------------------------------------------------------------


def _point(point: MapPoint, category: MapCategory | None) -> str:
    x, y = _project(float(point.longitude), float(point.latitude))
    if category is None:
        fill, shape, klass = "#000000", "circle", "map__point"
    else:
        fill, shape = category.fill, category.shape
        klass = f"map__point map__point--{category.key}"
    return (
        f'<g class="{klass}"><title>{escape(point.label)}</title>'
        + _shape(shape, x, y, 3.2, fill)
        + "</g>"
    )


def _shape(shape: str, x: float, y: float, r: float, fill: str) -> str:
    common = f'fill="{fill}" stroke="#ffffff" stroke-width="0.8"'
    if shape == "square":
        return (
            f'<rect x="{_n(x - r * 0.9)}" y="{_n(y - r * 0.9)}" width="{_n(r * 1.8)}" '
            f'height="{_n(r * 1.8)}" {common}/>'
        )
    if shape == "triangle":
        return (
            f'<path d="M{_n(x)} {_n(y - r * 1.15)}L{_n(x + r)} {_n(y + r * 0.75)}'
            f'L{_n(x - r)} {_n(y + r * 0.75)}z" {common}/>'
        )
    if shape == "diamond":
        return (
            f'<path d="M{_n(x)} {_n(y - r * 1.2)}L{_n(x + r * 1.2)} {_n(y)}L{_n(x)} '
            f'{_n(y + r * 1.2)}L{_n(x - r * 1.2)} {_n(y)}z" {common}/>'
        )
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" {common}/>'


def _pattern(pattern_id: str, colour: str, kind: str) -> str:
    marks = {
        "diagonal": '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2"/>',
        "cross": '<path d="M0,0 l6,6 M6,0 l-6,6"/>',
        "horizontal": '<path d="M0,3 h6"/>',
        "dots": '<circle cx="3" cy="3" r="1.1" fill="#1d2630" stroke="none"/>',
    }.get(kind, '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2"/>')
    return (
        f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="6" height="6">'
        f'<rect width="6" height="6" fill="{colour}"/>'
        f'<g stroke="#1d2630" stroke-width="1" stroke-opacity="0.45" fill-opacity="0.5">'
        f"{marks}</g></pattern>"
    )


def _legend(cid, categories, other_label, point_categories, *, y: float) -> tuple[str, float]:
    parts = ['<g class="map__legend">']
    x, row, line_height = PAD, 0, 26
    entries = [("country", c) for c in categories]
    if other_label:
        entries.append(("other", MapCategory("other", other_label, NO_CATEGORY_FILL)))
    entries += [("point", c) for c in point_categories]
    for kind, category in entries:
        label = _shorten(category.label, 48)
        width = 18 + 7 + _text_width(label, LEGEND_FONT_SIZE) + 24
        if x > PAD and x + width > MAP_WIDTH - PAD:
            x, row = PAD, row + 1
        top = y + row * line_height
        if kind == "point":
            swatch = _shape(category.shape, x + 9, top + 9, 6, category.fill)
        else:
            fill = f"url(#{cid}-{category.key})" if category.pattern else category.fill
            swatch = (
                f'<rect x="{_n(x)}" y="{_n(top)}" width="18" height="18" fill="{fill}" '
                f'stroke="{INK_SOFT}" stroke-width="0.6"/>'
            )
        parts.append(
            f'<g class="map__legend-item">{swatch}'
            + _text(x + 25, top + 14.5, label, size=LEGEND_FONT_SIZE)
            + "</g>"
        )
        x += width
    parts.append("</g>")
    return "".join(parts), (row + 1) * line_height


def map_key(
    cid: str,
    *,
    categories: Sequence[MapCategory],
    other_label: str = "",
    point_categories: Sequence[MapCategory] = (),
    not_drawn: Sequence[str] = (),
) -> str:
    """The map's key as HTML: a list of swatches (colour *and* pattern or shape, each a
    tiny SVG hidden from assistive technology) with their labels in page-sized text."""
    items = []
    entries = [("country", c) for c in categories]
    if other_label:
        entries.append(("other", MapCategory("other", other_label, NO_CATEGORY_FILL)))
    entries += [("point", c) for c in point_categories]
    for kind, category in entries:
        defs = ""
        if kind == "point":
            swatch = _shape(category.shape, 9, 9, 6, category.fill)
        else:
            fill = category.fill
            if category.pattern:
                pattern_id = f"{cid}-key-{category.key}"
                defs = f"<defs>{_pattern(pattern_id, category.fill, category.pattern)}</defs>"
                fill = f"url(#{pattern_id})"
            swatch = (
                f'<rect x="0.5" y="0.5" width="17" height="17" fill="{fill}" '
                f'stroke="{INK_SOFT}" stroke-width="0.8"/>'
            )
        items.append(
            f'<li class="map-key__item map-key__item--{kind}">'
            f'<svg xmlns="http://www.w3.org/2000/svg" class="map-key__swatch" '
            f'viewBox="0 0 18 18" aria-hidden="true" focusable="false">{defs}{swatch}</svg> '
            f"<span>{escape(category.label)}</span></li>"
        )
    note = (
        '<p class="map-key__note">Too small to draw at this scale: '
        + escape(", ".join(not_drawn))
        + ".</p>"
        if not_drawn
        else ""
    )
    return (
        f'<div class="map-key" id="{cid}-key"><p class="map-key__title">Key to the map</p>'
        f'<ul class="map-key__list">{"".join(items)}</ul>{note}</div>'
    )


def _describe(countries, categories, points, point_categories, not_drawn) -> str:
    counts = Counter(countries.values())
    pieces = [
        f"{counts.get(c.key, 0)} {'country' if counts.get(c.key, 0) == 1 else 'countries'}: "
        f"{c.label}"
        for c in categories
    ]
    text = "World map. " + ("; ".join(pieces) + "." if pieces else "")
    if points:
        point_counts = Counter(point.category for point in points)
        described = [f"{point_counts.get(c.key, 0)} {c.label.lower()}" for c in point_categories]
        text += f" {len(points)} {'point' if len(points) == 1 else 'points'}"
        text += f" ({', '.join(described)})." if described else "."
    if not_drawn:
        text += " Too small to draw at this scale: " + ", ".join(not_drawn) + "."
    return text.strip()
