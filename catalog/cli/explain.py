"""``courseradar explain ID-or-title``: why a course is in scope and why it has each topic."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from catalog.cli import common
from catalog.cli.common import LangChoice, UserError, check_lang, out, plain


def explain_command(
    what: Annotated[str, typer.Argument(help="A course id (see `search`) or title.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    lang: LangChoice = "en",
) -> None:
    """Say why a course is in the catalog and why it has each topic (docs/scope.md).

    A title that names no course in the catalog is explained as a title alone.
    """
    from catalog.explaining import ExplainError, explain

    check_lang(lang)
    try:
        found = explain(common.engine(), what, lang)
    except ExplainError as exc:
        raise UserError(str(exc)) from None
    if as_json:
        out.print_json(
            json.dumps(
                {
                    "course_id": found.course_id,
                    "title": found.title,
                    "in_scope": found.in_scope is not None,
                    "why_in_scope": found.in_scope,
                    "topics": found.topics,
                    "stored_topics": found.stored_topics,
                    "read": found.evidence,
                }
            )
        )
        return
    where = f"course {found.course_id}" if found.course_id is not None else "not in the catalog"
    out.print(plain(f"{found.title} ({where}; read: {', '.join(found.evidence)})"))
    if found.in_scope is not None:
        out.print(plain(f"in scope: {found.in_scope}"))
    elif found.topics:
        out.print(
            plain(
                "not in scope: its topics are adjacent to AI only; they count alone where the"
                " title names data science as a whole and no subject taught without ML"
                " (docs/scope.md)"
            )
        )
    else:
        out.print(plain("not in scope: it names no AI topic (docs/scope.md)"))
    for label, why in found.topics.items():
        out.print(plain(f"  topic {label}: {why}"))
    if found.course_id is not None:
        out.print(
            plain(f"the catalog holds the topics: {', '.join(found.stored_topics) or 'none'}")
        )
