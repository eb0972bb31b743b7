"""The project's face templates between the store and a running desk's gallery.

Another process (`cme-kiosk face withdraw`, a roster pull) changes templates in the store and
bumps one meta key; a running station reads that key every few seconds and follows.
"""

from __future__ import annotations

import logging
import time

from drivers.face.gallery import Gallery, GalleryError
from sync.store import Store, templates_revision_key

__all__ = ["bump_revision", "templates_revision_key"]

log = logging.getLogger(__name__)


def bump_revision(store: Store, project: str) -> str:
    """Tell processes following the store that the project's templates changed."""
    value = str(time.time_ns())
    store.set_meta(templates_revision_key(project), value)
    return value


def _add(gallery: Gallery, project: str, person: str, blob: bytes) -> None:
    try:
        gallery.add_template(person, blob, project=project)
    except GalleryError as exc:  # a damaged template: that person uses the card
        log.warning("face template of attendee %s skipped: %s", person, exc)


def load_gallery(store: Store, project: str) -> Gallery:
    """The project's templates as a gallery; a damaged one is skipped with a log line."""
    gallery = Gallery()
    for person, blob in store.records.face_templates(project).items():
        _add(gallery, project, person, blob)
    return gallery


def follow_store(gallery: Gallery, store: Store, project: str) -> bool:
    """Make the gallery hold exactly the store's templates; True if anything changed."""
    held = store.records.face_templates(project)
    have = gallery.people(project=project)
    for person in have - held.keys():
        gallery.remove(person, project=project)
        log.info("face template of attendee %s left the gallery (withdrawn)", person)
    for person in held.keys() - have:
        _add(gallery, project, person, held[person])
    return have != set(held)
