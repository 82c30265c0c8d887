"""Image references as text, the same for every language the tool reads."""

from __future__ import annotations


def repository(image: str) -> str:
    """`localhost/acme/app:v1@sha256:...` -> `acme/app`: the path without host prefix and tag."""
    image = image.split("@", 1)[0]
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        image = image[:colon]
    return image.removeprefix("localhost/")
