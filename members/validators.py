from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

LOGO_MAX_BYTES = 1024 * 1024
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}


def validate_logo(file) -> None:
    """A logo must really be a PNG, JPEG or WebP image of at most 1 MB — never SVG, which
    can carry script."""
    try:
        size = file.size
    except OSError as exc:  # a stored logo whose file has gone missing
        raise ValidationError("The logo file cannot be read; upload it again.") from exc
    if size > LOGO_MAX_BYTES:
        raise ValidationError(
            "The logo is %(size)s KB; the limit is 1024 KB.", params={"size": size // 1024}
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError("The logo must be a PNG, JPEG or WebP image.") from exc
    finally:
        file.seek(position)
    if image_format not in LOGO_FORMATS:
        raise ValidationError("The logo must be a PNG, JPEG or WebP image.")
