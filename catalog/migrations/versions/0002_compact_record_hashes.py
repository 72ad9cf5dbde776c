"""Listing content hashes over compact canonical JSON.

The store now serialises records with orjson (sorted keys, no spaces) instead of the json
module's ``", "``/``": "`` spelling, so a hash made before would differ from today's for
the same record, and the next refresh would rewrite every listing and count it as
updated. This recomputes the hash of every listing whose hash is still the old one (the
hash of exactly its stored text), from its record and raw values; the stored text itself
stays (any JSON spelling reads back the same).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH = 2000
# A frozen copy of catalog.store.dumps as of this revision: a migration must not change
# when the application's code does.
_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_FALLBACK = json.JSONEncoder(
    sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":")
).encode


def _canonical(value: Any) -> str:
    try:
        return orjson.dumps(value, default=str, option=_OPTIONS).decode()
    except TypeError:
        return _FALLBACK(value)


def _sha1(*blobs: str) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    for blob in blobs:
        digest.update(blob.encode())
    return digest.hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    # PostgreSQL's json type keeps the text as written; ::text gives it back verbatim.
    text = "CAST({} AS TEXT)" if bind.dialect.name == "postgresql" else "{}"
    select = sa.text(
        f"SELECT id, {text.format('record')}, {text.format('raw')}, content_hash "
        "FROM listing WHERE id > :after ORDER BY id LIMIT :n"
    )
    update = sa.text("UPDATE listing SET content_hash = :h WHERE id = :i")
    after = 0
    while True:
        rows = bind.execute(select, {"after": after, "n": BATCH}).all()
        if not rows:
            return
        after = rows[-1][0]
        changes = []
        for listing_id, record, raw, old in rows:
            record, raw = record or "{}", raw or "{}"
            if old != _sha1(record, raw):
                continue  # not the old spelling's hash (written elsewhere): leave it
            try:
                new = _sha1(_canonical(json.loads(record)), _canonical(json.loads(raw)))
            except ValueError:
                continue  # unreadable text: the next refresh rewrites the listing
            if new != old:
                changes.append({"h": new, "i": listing_id})
        if changes:
            bind.execute(update, changes)


def downgrade() -> None:
    """Nothing to undo: an old hash only costs one rewrite of the listing."""
