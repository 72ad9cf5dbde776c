# ruff: noqa: E501 - sentences of a preset table read better unbroken
"""Quick starts for freelancers who feel automation first: one preset per role.

Defined here, as data, in one place. Each preset is the set of topics (taxonomy slugs)
a person in that role would start with; applying one replaces the topic filter and
keeps everything else, and every filter stays editable afterwards. A test checks the
slugs exist in the taxonomy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from catalog.search import Query


@dataclass(frozen=True)
class Preset:
    key: str
    label: dict[str, str]
    topics: tuple[str, ...]
    why: dict[str, str]
    costs: tuple[str, ...] = ()


PRESETS: tuple[Preset, ...] = (
    Preset(
        "writing",
        {"en": "Writing & content", "de": "Texten & Content"},
        ("llm-and-generative-ai", "prompt-engineering", "nlp", "ai-productivity-tools"),
        {
            "en": "Language models write drafts now: learn to direct them and to check them.",
            "de": "Sprachmodelle schreiben Entwürfe: lernen, sie zu steuern und zu prüfen.",
        },
    ),
    Preset(
        "data",
        {"en": "Data & statistics", "de": "Daten & Statistik"},
        ("data-science", "machine-learning", "python-for-ai", "math-for-ml"),
        {
            "en": "From spreadsheets and reports to models that predict.",
            "de": "Von Tabellen und Berichten zu Modellen, die vorhersagen.",
        },
    ),
    Preset(
        "finance",
        {"en": "Accounting & finance", "de": "Buchhaltung & Finanzen"},
        ("ai-for-business", "data-science", "ai-productivity-tools", "ai-fundamentals"),
        {
            "en": "Automated bookkeeping is here: know what AI does with numbers and where it errs.",
            "de": "Automatisierte Buchhaltung ist da: wissen, was KI mit Zahlen macht und wo sie irrt.",
        },
    ),
    Preset(
        "webdev",
        {"en": "Web development", "de": "Webentwicklung"},
        ("llm-and-generative-ai", "mlops", "prompt-engineering", "python-for-ai"),
        {
            "en": "Build AI features into the sites and apps clients order.",
            "de": "KI-Funktionen in die Websites und Apps einbauen, die Kunden bestellen.",
        },
    ),
    Preset(
        "electronics",
        {"en": "Electronics", "de": "Elektronik"},
        ("machine-learning", "deep-learning", "computer-vision", "reinforcement-learning"),
        {
            "en": "Sensors, vision and control: machine learning on devices.",
            "de": "Sensorik, Bildverarbeitung und Regelung: maschinelles Lernen auf Geräten.",
        },
    ),
    Preset(
        "consulting",
        {"en": "Consulting & coaching", "de": "Beratung & Coaching"},
        ("ai-for-business", "ai-ethics-law", "ai-fundamentals", "ai-productivity-tools"),
        {
            "en": "Advise clients on AI: strategy, the EU AI Act, what tools can do.",
            "de": "Kunden zu KI beraten: Strategie, EU AI Act, was Werkzeuge können.",
        },
    ),
    Preset(
        "design",
        {"en": "Design", "de": "Design"},
        ("llm-and-generative-ai", "computer-vision", "prompt-engineering", "ai-productivity-tools"),
        {
            "en": "Image generators are changing briefs: learn the tools and their limits.",
            "de": "Bildgeneratoren verändern Aufträge: Werkzeuge und Grenzen kennenlernen.",
        },
    ),
)
BY_KEY = {p.key: p for p in PRESETS}


def apply(preset: Preset, query: Query) -> Query:
    """``query`` with the preset's topics (and costs, if it sets any), back on page 1."""
    changes: dict[str, object] = {"topics": preset.topics, "page": 1}
    if preset.costs:
        changes["costs"] = preset.costs
    return replace(query, **changes)  # type: ignore[arg-type]


def matching(query: Query) -> str | None:
    """The key of the preset the query's topics equal, to show it as chosen."""
    for preset in PRESETS:
        if set(preset.topics) == set(query.topics) and (
            not preset.costs or set(preset.costs) == set(query.costs)
        ):
            return preset.key
    return None
