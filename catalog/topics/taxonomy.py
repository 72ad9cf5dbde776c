"""The taxonomy and its evidence rules: which topics a listing's title, categories, skill tags and
description give it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import chain
from typing import Any

from catalog.topics.folding import category_slug, fold_accents
from catalog.topics.keywords import _WORD, _KeywordIndex, _Match
from catalog.topics.scoping import scope_reason
from catalog.topics.topic import ADJACENT_TOPICS, TaxonomyError, Topic

# Different AI terms a description must name to put a listing in scope on its own.
DESCRIPTION_MIN_TERMS = 2
# Without a hint in the title, skill tags decide only when at least this many name AI and they
# are at least this share of all tags.
SKILLS_MIN_AI = 2
SKILLS_MIN_AI_SHARE = 0.25
# Sources list a course's most relevant skill tags first (Coursera's datasets: a few ranked tags,
# then the rest alphabetically). Topics are read from these first tags only, and two AI tags
# among them decide as a fair share of all tags does.
SKILLS_TOP = 5


@dataclass
class _Hits:
    """Keyword hits in one kind of text (title, skill tags or description)."""

    strong: dict[str, int] = field(default_factory=dict)  # slug -> occurrences
    weak: dict[str, int] = field(default_factory=dict)
    generic: int = 0
    terms: set[tuple[str, str]] = field(default_factory=set)  # distinct (slug, term), strong
    scope: set[str] = field(default_factory=set)  # slugs whose scope_keywords matched
    scope_veto: set[str] = field(default_factory=set)  # slugs whose scope_veto matched

    def merge(self, other: _Hits) -> None:
        for slug, count in other.strong.items():
            self.strong[slug] = self.strong.get(slug, 0) + count
        for slug, count in other.weak.items():
            self.weak[slug] = self.weak.get(slug, 0) + count
        self.generic += other.generic
        self.terms |= other.terms


@dataclass
class _Evidence:
    """What one listing says about each topic; built by :meth:`Taxonomy._evidence`."""

    title: _Hits = field(default_factory=_Hits)
    skills: _Hits = field(default_factory=_Hits)
    skill_count: int = 0
    ai_skill_count: int = 0  # skill tags that name an AI topic or AI in general
    top_skills: _Hits = field(default_factory=_Hits)  # hits in the first SKILLS_TOP tags
    ai_top_skill_count: int = 0
    desc: _Hits = field(default_factory=_Hits)
    cat_strong: set[str] = field(default_factory=set)
    cat_weak: set[str] = field(default_factory=set)
    cat_generic: bool = False


def _overlaps(match: _Match, spans: Sequence[tuple[int, int]]) -> bool:
    return any(match.start < end and start < match.end for start, end in spans)


class Taxonomy:
    """The loaded taxonomy: ordered topics plus the compiled index that classifies listings."""

    def __init__(
        self,
        topics: Sequence[Topic],
        exclude: Iterable[str] = (),
        category_parents: dict[str, Sequence[str]] | None = None,
    ) -> None:
        self.topics: list[Topic] = list(topics)
        self._parents = {
            category_slug(parent): {category_slug(child) for child in children}
            for parent, children in (category_parents or {}).items()
        }
        self._by_slug = {topic.slug: topic for topic in self.topics}
        self._order = {topic.slug: i for i, topic in enumerate(self.topics)}
        self._exclude = tuple(exclude)
        for keyword in chain(
            self._exclude,
            *(
                (*t.keywords, *t.weak_keywords, *t.generic_keywords, *t.veto, *t.scope_keywords)
                for t in self.topics
            ),
            *(t.scope_veto for t in self.topics),
        ):
            if not _WORD.search(fold_accents(keyword)):  # what _compile_keyword refuses
                raise TaxonomyError(f"keyword {keyword!r} has no letters or digits")
        self._categories: dict[str, dict[str, set[str]]] = {"strong": {}, "weak": {}, "generic": {}}
        for topic in self.topics:
            for tier, values in (
                ("strong", topic.categories),
                ("weak", topic.weak_categories),
                ("generic", topic.generic_categories),
            ):
                for value in values:
                    self._categories[tier].setdefault(category_slug(value), set()).add(topic.slug)
        self._generic_slugs = {
            t.slug for t in self.topics if t.generic_keywords or t.generic_categories
        }
        self._explain_cached = lru_cache(maxsize=256)(self._explain_cached)  # type: ignore[method-assign]

    @cached_property
    def _index(self) -> _KeywordIndex:
        """The keyword index (~850 keywords, ~20 ms; their regular expressions, ~0.3 s for
        all, compile only where a text needs one): built on the first classification, not for
        a front end that only lists slugs and labels."""
        index = _KeywordIndex()
        index.add("", "exclude", self._exclude)
        for topic in self.topics:
            index.add(topic.slug, "strong", topic.keywords)
            index.add(topic.slug, "weak", topic.weak_keywords)
            index.add(topic.slug, "generic", topic.generic_keywords)
            index.add(topic.slug, "veto", topic.veto)
            index.add(topic.slug, "scope", topic.scope_keywords)
            index.add(topic.slug, "scope_veto", topic.scope_veto)
        return index

    @property
    def slugs(self) -> list[str]:
        """Topic slugs in taxonomy order."""
        return [topic.slug for topic in self.topics]

    def get(self, slug: str) -> Topic:
        """The topic for ``slug``; a KeyError lists the valid slugs."""
        try:
            return self._by_slug[slug]
        except KeyError:
            raise KeyError(
                f"unknown topic {slug!r}; valid topics: {', '.join(self.slugs)}"
            ) from None

    def label(self, slug: str, lang: str = "en") -> str:
        """Display label of a topic in English or German."""
        return self.get(slug).label(lang)

    def topic_labels(self, lang: str = "en") -> dict[str, str]:
        """{slug: label} in taxonomy order, for filters and facet names."""
        return {topic.slug: topic.label(lang) for topic in self.topics}

    # -- classification -----------------------------------------------------------------------

    def classify(
        self,
        title: str,
        description: str | None = None,
        skills: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
    ) -> list[str]:
        """Topic slugs for a listing, in taxonomy order; empty means "not an AI/ML listing"."""
        found = self.explain(title, description, skills, categories)
        return sorted(found, key=lambda slug: self._order[slug])

    def in_scope(
        self,
        title: str,
        description: str | None = None,
        skills: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
    ) -> bool:
        """Whether a listing belongs in the catalog at all (see :meth:`why_in_scope`)."""
        return self.why_in_scope(title, description, skills, categories) is not None

    def why_in_scope(
        self,
        title: str,
        description: str | None = None,
        skills: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
    ) -> str | None:
        """Why a listing is in scope, in words; None when it is not (docs/scope.md).

        An AI topic puts it in scope; topics adjacent to AI (data science, maths, Python) do
        only when the title names a field of them that teaches ML ("Data Science", "Data
        Mining") and no subject without ML ("Statistics", "Visualization", "SQL").
        """
        try:
            key = (title, description, tuple(skills or ()), tuple(categories or ()))
            found, ev = self._explain_cached(key)
        except TypeError:
            found, ev = self._decide(title, description, skills, categories)
        return scope_reason(found, ev.title.scope, ev.title.scope_veto, self.label)

    def explain(
        self,
        title: str,
        description: str | None = None,
        skills: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
    ) -> dict[str, str]:
        """{slug: why} for every assigned topic; the reasons make taxonomy edits reviewable."""
        try:
            key = (title, description, tuple(skills or ()), tuple(categories or ()))
            return dict(self._explain_cached(key)[0])
        except TypeError:  # something unhashable was passed: no cache
            return self._decide(title, description, skills, categories)[0]

    def _explain_cached(self, key: tuple[Any, ...]) -> tuple[dict[str, str], _Evidence]:
        # Replaced per instance in __init__ by an LRU cache: a refresh asks twice about each
        # listing (classify() while normalising, in_scope() for the scope rule), and the
        # keyword scan of title, skills and description is most of a record's cost.
        return self._decide(*key)

    def _decide(
        self,
        title: str,
        description: str | None,
        skills: Sequence[str] | None,
        categories: Sequence[str] | None,
    ) -> tuple[dict[str, str], _Evidence]:
        ev = self._evidence(title, description, skills, categories)
        assigned: dict[str, str] = {}  # slug -> why, in the order the steps assign them
        title_sign = self._from_title_and_categories(ev, assigned)
        skills_decide = self._from_skill_tags(ev, assigned, title_sign)
        primary_generic = bool(
            ev.title.generic or ev.cat_generic or (ev.skills.generic and skills_decide)
        )
        primary_topics = set(assigned)
        if not set(assigned) - ADJACENT_TOPICS:
            self._from_description(ev, assigned, primary_generic)
        self._from_weak_title_words(ev, assigned, primary_generic)
        self._from_general_ai_terms(assigned, primary_topics, primary_generic)
        return assigned, ev

    def _from_title_and_categories(self, ev: _Evidence, assigned: dict[str, str]) -> bool:
        """Step 1: the title and the provider's categories say what a listing is about.
        True when either hints at AI at all (then skill tags may decide); a hint of an adjacent
        topic alone ("Data Analyst") is not one: the skill tags must then show AI on their own."""
        for slug in ev.title.strong:
            assigned.setdefault(slug, "title")
        for slug in sorted(ev.cat_strong):
            assigned.setdefault(slug, "provider category")
        core_weak = any(
            not self.get(slug).requires_context and slug not in ADJACENT_TOPICS
            for slug in ev.title.weak
        )
        return bool(
            set(ev.title.strong) - ADJACENT_TOPICS
            or ev.title.generic
            or core_weak
            or ev.cat_strong - ADJACENT_TOPICS
            or ev.cat_weak - ADJACENT_TOPICS
            or ev.cat_generic
        )

    @staticmethod
    def _from_skill_tags(ev: _Evidence, assigned: dict[str, str], title_sign: bool) -> bool:
        """Step 2: skill tags are strong evidence, but real sources tag generously ("Feature
        Engineering" on a CAD course, "Machine Learning" among the fifty skills of an MBA): they
        decide when the title hints at AI, when AI tags are several and a fair share of all tags,
        or when several of the first (most relevant) tags name AI. They give topics only when
        the title names none itself ("AI for Medicine", "Sequences, Time Series and
        Prediction"): next to "Generative AI with LLMs" a "Machine Learning" tag is background.
        Only the first tags give topics, and never an adjacent one: "Data Analysis" and "Python
        Programming" sit on most skill lists. True when they decided."""
        skills_decide = (
            title_sign
            or ev.ai_top_skill_count >= SKILLS_MIN_AI
            or (
                ev.ai_skill_count >= SKILLS_MIN_AI
                and ev.ai_skill_count >= ev.skill_count * SKILLS_MIN_AI_SHARE
            )
        )
        if skills_decide and not set(ev.title.strong) - ADJACENT_TOPICS:
            for slug in ev.top_skills.strong:
                if slug not in ADJACENT_TOPICS:
                    assigned.setdefault(slug, "skill tag")
        return skills_decide

    @staticmethod
    def _from_description(ev: _Evidence, assigned: dict[str, str], primary_generic: bool) -> None:
        """Step 3, when the steps before named no AI topic: the description says which kind of AI a
        generic "Artificial Intelligence" course teaches, confirms a weak hint ("Time Series
        Forecasting" + "data analytics"), or decides alone when it names at least two different AI
        terms. One passing "machine learning" in a chemistry course is not enough; "big data" plus
        "AI" in a FinTech blurb is not either. Next to a data-science title the description must
        name AI at least twice: "Data Science: R Basics" mentions the series' machine learning
        course once."""
        desc_alone = len(ev.desc.terms) >= DESCRIPTION_MIN_TERMS and any(
            slug not in ADJACENT_TOPICS for slug, _term in ev.desc.terms
        )
        ai_mentions = sum(n for slug, n in ev.desc.strong.items() if slug not in ADJACENT_TOPICS)
        if assigned and ai_mentions < DESCRIPTION_MIN_TERMS:
            return
        for slug in ev.desc.strong:
            if desc_alone or primary_generic or slug in ev.title.weak or slug in ev.cat_weak:
                assigned.setdefault(slug, "description")

    def _from_weak_title_words(
        self, ev: _Evidence, assigned: dict[str, str], primary_generic: bool
    ) -> None:
        """Step 4: weak title words ("Python", "Business", "Statistics") count in AI context,
        and for core topics also together with a matching broad provider category."""
        context = set(assigned)
        if primary_generic or (ev.desc.generic and assigned):
            context |= self._generic_slugs
        for slug in self.slugs:
            if slug in assigned or slug not in ev.title.weak:
                continue
            topic = self._by_slug[slug]
            if context & set(topic.context):
                assigned[slug] = "title word in AI context"
            elif not topic.requires_context and slug in ev.cat_weak:
                assigned[slug] = "title word and provider category"

    def _from_general_ai_terms(
        self, assigned: dict[str, str], primary_topics: set[str], primary_generic: bool
    ) -> None:
        """Step 5: "AI"/"KI" in the title means ai-fundamentals, unless the title says what kind
        of AI ("EU AI Act" is law, not basics). Topics read from the description do not count."""
        named = primary_topics | {s for s, why in assigned.items() if why.startswith("title")}
        if primary_generic and not (named - ADJACENT_TOPICS):
            for slug in sorted(self._generic_slugs):
                assigned.setdefault(slug, "general AI term")

    def _evidence(
        self,
        title: str,
        description: str | None,
        skills: Sequence[str] | None,
        categories: Sequence[str] | None,
    ) -> _Evidence:
        ev = _Evidence()
        self._scan(title or "", ev.title, weak=True)
        for skill in skills or []:
            if not skill or not skill.strip():
                continue
            ev.skill_count += 1
            one = _Hits()
            self._scan(skill, one, weak=False)
            names_ai = bool(one.generic or set(one.strong) - ADJACENT_TOPICS)
            ev.ai_skill_count += names_ai
            if ev.skill_count <= SKILLS_TOP:
                ev.ai_top_skill_count += names_ai
                ev.top_skills.merge(one)
            ev.skills.merge(one)
        if description:
            self._scan(description, ev.desc, weak=False)
        slugs = {category_slug(c) for c in categories or [] if isinstance(c, str)}
        # A broad parent says less than its child ("data-science" + "data-analysis").
        slugs -= {parent for parent, children in self._parents.items() if slugs & children}
        for slug in slugs:
            ev.cat_strong |= self._categories["strong"].get(slug, set())
            ev.cat_weak |= self._categories["weak"].get(slug, set())
            ev.cat_generic = ev.cat_generic or slug in self._categories["generic"]
        return ev

    def _scan(self, text: str, hits: _Hits, *, weak: bool) -> None:
        """Add the keyword hits of one text to ``hits``.

        Excluded phrases ("Standard ML") hide what they overlap; a topic's veto phrase in the
        text ("neuro-linguistic programming") silences that topic for the text; weak keywords
        count only outside strong and generic hits, so "Word Embeddings" (NLP) is not also
        "Word" (office tools).
        """
        matches = self._index.find(fold_accents(text))
        if not matches:
            return
        excluded = [(m.start, m.end) for m in matches if m.tier == "exclude"]
        vetoed = {m.slug for m in matches if m.tier == "veto"}
        kept = [
            m
            for m in matches
            if m.tier not in ("exclude", "veto")
            and m.slug not in vetoed
            and not (excluded and _overlaps(m, excluded))
        ]
        covered = [(m.start, m.end) for m in kept if m.tier in ("strong", "generic")]
        for m in kept:
            if m.tier == "strong":
                hits.strong[m.slug] = hits.strong.get(m.slug, 0) + 1
                hits.terms.add((m.slug, m.term))
            elif m.tier == "generic":
                hits.generic += 1
            elif m.tier == "scope":
                hits.scope.add(m.slug)
            elif m.tier == "scope_veto":
                hits.scope_veto.add(m.slug)
            elif weak and m.tier == "weak" and not _overlaps(m, covered):
                hits.weak[m.slug] = hits.weak.get(m.slug, 0) + 1
