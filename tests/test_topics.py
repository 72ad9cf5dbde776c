"""The topic taxonomy: hand-checked titles in English and German, the matching rules, and the
scope rule measured on the real listings in shared/realdata (read from beside the repository,
never copied; those tests skip where it is absent).

The expected topics below were decided by reading each title (and, for the real listings, the
provider's categories and description); they are the reference the taxonomy file is tuned to.
"""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from catalog import topics
from catalog.topics import TaxonomyError, category_slug, classify, folding, in_scope, load_taxonomy
from catalog.topics import default as topics_default
from tests.support.overlap import Overlap

REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"

SLUGS = [
    "machine-learning",
    "deep-learning",
    "nlp",
    "llm-and-generative-ai",
    "prompt-engineering",
    "computer-vision",
    "reinforcement-learning",
    "mlops",
    "data-science",
    "ai-ethics-law",
    "ai-for-business",
    "ai-productivity-tools",
    "ai-fundamentals",
    "math-for-ml",
    "python-for-ai",
]


# -- the taxonomy file ----------------------------------------------------------------------------


def test_topics_are_the_fixed_slugs_in_order_with_both_labels() -> None:
    tax = load_taxonomy()
    assert [t.slug for t in tax.topics] == SLUGS
    for topic in tax.topics:
        assert topic.label_en and topic.label_de
        assert topic.keywords or topic.generic_keywords
    assert tax.label("machine-learning") == "Machine Learning"
    assert tax.label("machine-learning", "de") == "Maschinelles Lernen"
    assert tax.label("ai-fundamentals", "de-DE") == "KI-Grundlagen"
    assert list(topics.topic_labels("de")) == SLUGS
    assert topics.topic_labels("en")["nlp"] == "Natural Language Processing"
    assert topics.label("llm-and-generative-ai", "de") == "Sprachmodelle & generative KI"


def test_unknown_slug_names_the_valid_ones() -> None:
    with pytest.raises(KeyError, match="valid topics: machine-learning"):
        topics.label("generative-ai")


def test_default_taxonomy_is_loaded_once() -> None:
    assert topics.default_taxonomy() is topics.default_taxonomy()


def test_default_taxonomy_is_loaded_once_by_threads_asking_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(topics_default, "_DEFAULT", None)
    loads = Overlap(monkeypatch, topics_default, "load_taxonomy")
    got: list[topics.Taxonomy] = []
    threads = [
        threading.Thread(target=lambda: got.append(topics.default_taxonomy())) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 4 and all(t is got[0] for t in got)
    assert (loads.calls, loads.most) == (1, 1)


def test_load_taxonomy_from_another_file(tmp_path: Path) -> None:
    path = tmp_path / "tax.toml"
    path.write_text(
        '[[topics]]\nslug = "robotics"\nlabel_en = "Robotics"\nlabel_de = "Robotik"\n'
        'keywords = ["robot*", "ROS"]\n',
        encoding="utf-8",
    )
    tax = load_taxonomy(path)
    assert tax.classify("Robotik: Roboter programmieren") == ["robotics"]
    assert tax.classify("Introduction to ROS 2") == ["robotics"]
    assert tax.classify("Pros and cons") == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[topics]]\nslug = "x"\nlabel_en = "X"\nlabel_de = "X"\nkeywrds = ["x"]\n',
            "unknown keys",
        ),
        ('[[topics]]\nslug = "x"\nlabel_en = "X"\nkeywords = ["x"]\n', "label_de"),
        ('[[topics]]\nslug = "x"\nlabel_en = "X"\nlabel_de = "X"\nkeywords = "x"\n', "list"),
        ('[[topics]]\nslug = "x"\nlabel_en = "X"\nlabel_de = "X"\ncontext = ["y"]\n', "unknown"),
        (
            '[[topics]]\nslug = "x"\nlabel_en = "X"\nlabel_de = "X"\n'
            '[[topics]]\nslug = "x"\nlabel_en = "X"\nlabel_de = "X"\n',
            "duplicate",
        ),
        ("[exclude]\nphrases = []\n", "no topics"),
        # refused when the file is read, though keywords are compiled on first use
        ('[[topics]]\nslug = "x"\nlabel_en = "X"\nlabel_de = "X"\nveto = ["*-*"]\n', "no letters"),
    ],
)
def test_malformed_taxonomy_is_refused(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(path)


def test_category_slugs() -> None:
    assert category_slug("Data Analysis & Statistics") == "data-analysis-and-statistics"
    assert category_slug("Künstliche Intelligenz") == "kunstliche-intelligenz"
    assert category_slug("data-science/machine-learning") == "data-science/machine-learning"
    assert category_slug("  School of Data Science ") == "school-of-data-science"


# -- hand-checked titles -------------------------------------------------------------------------

TITLES: list[tuple[str, list[str]]] = [
    # German
    ("Einführung in die KI", ["ai-fundamentals"]),
    ("Maschinelles Lernen mit Python", ["machine-learning", "python-for-ai"]),
    ("Grundlagen der künstlichen Intelligenz", ["ai-fundamentals"]),
    ("Künstliche Intelligenz", ["ai-fundamentals"]),
    ("Kuenstliche Intelligenz Grundlagen", ["ai-fundamentals"]),
    ("Neuronale Netze von Grund auf", ["deep-learning"]),
    ("Große Sprachmodelle verstehen", ["llm-and-generative-ai"]),
    ("Generative KI im Marketing", ["llm-and-generative-ai", "ai-for-business"]),
    ("Prompting für Einsteiger", ["prompt-engineering"]),
    ("Datenwissenschaft mit R", ["data-science"]),
    ("Python für Datenanalyse", ["data-science", "python-for-ai"]),
    ("Statistik für Data Science", ["data-science", "math-for-ml"]),
    ("Mathematik für maschinelles Lernen", ["machine-learning", "math-for-ml"]),
    ("Bilderkennung mit Deep Learning", ["deep-learning", "computer-vision"]),
    ("Maschinelles Sehen", ["computer-vision"]),
    ("Reinforcement Learning: Bestärkendes Lernen", ["reinforcement-learning"]),
    ("MLOps: Modelle in Produktion bringen", ["mlops"]),
    ("Verarbeitung natürlicher Sprache mit Transformern", ["deep-learning", "nlp"]),
    ("KI und DSGVO: Datenschutz bei KI-Anwendungen", ["ai-ethics-law"]),
    ("KI-Verordnung für Unternehmen", ["ai-ethics-law", "ai-for-business"]),
    ("Ethik der KI", ["ai-ethics-law"]),
    ("KI im Mittelstand", ["ai-for-business"]),
    ("Künstliche Intelligenz für Führungskräfte", ["ai-for-business"]),
    ("ChatGPT im Büro: produktiver arbeiten", ["llm-and-generative-ai", "ai-productivity-tools"]),
    ("Microsoft 365 Copilot für Einsteiger", ["ai-productivity-tools"]),
    ("KI-Tools für Freelancer", ["ai-for-business", "ai-productivity-tools"]),
    ("Machine-Learning-Grundlagen", ["machine-learning"]),
    # English
    ("ChatGPT Prompt Engineering for Developers", ["llm-and-generative-ai", "prompt-engineering"]),
    ("Neural Networks and Deep Learning", ["deep-learning"]),
    ("EU AI Act", ["ai-ethics-law"]),
    ("Explainable AI (XAI)", ["ai-ethics-law"]),
    ("AI for Everyone", ["ai-for-business", "ai-fundamentals"]),
    ("Machine Learning for Trading", ["machine-learning", "ai-for-business"]),
    ("Generative AI with Large Language Models", ["llm-and-generative-ai"]),
    ("Retrieval Augmented Generation (RAG) with LangChain", ["llm-and-generative-ai"]),
    ("LLMs in Production", ["llm-and-generative-ai", "mlops"]),
    ("Computer Vision with OpenCV", ["computer-vision"]),
    ("Statistics for Data Science", ["data-science", "math-for-ml"]),
    ("Linear Algebra for Machine Learning", ["machine-learning", "math-for-ml"]),
    ("Python for AI", ["ai-fundamentals", "python-for-ai"]),
    ("Data Science for Business", ["data-science", "ai-for-business"]),
    ("Introduction to Biostatistics and Machine Learning", ["machine-learning", "data-science"]),
    # Russian titles are common on Coursera
    ("Нейронные сети и глубокое обучение", ["deep-learning"]),
    # out of scope
    ("Kilometer-Rechner", []),
    ("HTML5 basics", []),
    ("DSGVO für Einsteiger", []),
    ("Introduction to Accounting", []),
    ("Astrodynamics", []),
    ("A History of the World since 1300", []),
    ("RNA-seq data analysis workshop", []),
    ("Linear Algebra", []),
    ("Python Programming Basics", []),
    ("Skiing for beginners", []),
    ("Business Intelligence with Power BI", []),
]


# Titles whose topics are only adjacent to AI (data science, maths, Python) and that the scope
# rule (docs/scope.md) keeps out: statistics, R or data analysis without machine learning.
ADJACENT_ONLY_OUT = {
    "Datenwissenschaft mit R",
    "Python für Datenanalyse",
    "Statistik für Data Science",
    "Statistics for Data Science",
}


@pytest.mark.parametrize(("title", "expected"), TITLES)
def test_hand_checked_titles(title: str, expected: list[str]) -> None:
    assert classify(title) == expected
    assert in_scope(title) is (bool(expected) and title not in ADJACENT_ONLY_OUT)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # "AI" is a word, not a substring; an acronym counts only in capitals.
        ("AI for Everyone", True),
        ("What the teacher said", False),
        ("Ai Weiwei: Art and Activism", False),  # a name
        # Italian "ai" is no AI; big-data tooling without ML is out of scope (docs/scope.md)
        ("Introduzione ai Big Data", False),
        ("Introduzione ai database", False),
        ("5 ml pipette calibration", False),
        ("ML Kit for Android", True),
        ("XML and UML for beginners", False),
        ("Standard ML programming", False),  # the programming language SML
        ("Kilometer und Skifahren", False),
        ("KI-Grundlagen", True),
        ("NLP Practitioner: Neuro-Linguistic Programming", False),
        ("Rag rug making", False),
        ("Shakespeare the Bard", False),
        ("Power Transformers maintenance", False),
    ],
)
def test_word_aware_matching(title: str, expected: bool) -> None:
    assert in_scope(title) is expected, classify(title)


def test_italian_ai_is_no_ai_but_big_data_is_data_science() -> None:
    assert classify("Introduzione ai Big Data") == ["data-science"]


def test_fold_accents_is_decomposition_without_combining_marks() -> None:
    """fold_accents() works on the non-ASCII runs only; the result must be what decomposing the
    whole text and dropping its combining marks gives."""
    import unicodedata

    def reference(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.translate(folding._FOLD_TABLE))
        return "".join(ch for ch in decomposed if not unicodedata.combining(ch))

    samples = [
        "Künstliche Intelligenz – Grundlagen für Einsteiger…",
        "e\u0301cole, a\u0308\u0323 and \ufb01nance: ﬁ, Ĳ, ǆ, ², ½, Ⅻ",
        "Straße, ÆØÅ, łódź, Œuvre, ð, þ: 한국어 日本語 עִבְרִית العربية",
        "".join(chr(code) for code in range(0x80, 0x2FFF) if not 0xD800 <= code < 0xE000),
    ]
    for text in samples:
        assert topics.fold_accents(text) == reference(text)
    assert topics.fold_accents("Künstliche Intelligenz") == "Kunstliche Intelligenz"
    assert topics.fold_accents("ASCII stays") == "ASCII stays"


def test_folding_spelling_and_case_variants() -> None:
    for title in (
        "Künstliche Intelligenz",
        "Kunstliche Intelligenz",
        "KÜNSTLICHE INTELLIGENZ",
        "künstliche intelligenz",
    ):
        assert classify(title) == ["ai-fundamentals"], title
    for title in ("Machine Learning", "machine-learning", "MachineLearning", "MACHINE LEARNING"):
        assert classify(title) == ["machine-learning"], title
    assert classify("Maschinellen Lernens Grundkurs") == ["machine-learning"]
    for dash in map(chr, range(0x2010, 0x2016)):  # hyphen .. horizontal bar
        assert classify(f"Machine{dash}Learning") == ["machine-learning"], hex(ord(dash))
        assert classify(f"Machine {dash} Learning Basics") == ["machine-learning"], hex(ord(dash))
    assert classify("Deep-Learning mit neuronalen Netzen") == ["deep-learning"]


def test_remembered_words_give_what_a_fresh_look_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyword index remembers what it found at each word; once it holds WORDS_KEPT words
    it starts afresh. Neither may change a match: each text is scanned three ways."""
    texts = [
        "Machine Learning with Python and machine-learning pipelines",
        "MachineLearning, Deep-Learning mit neuronalen Netzen und KI",
        "Ai Weiwei, AI and the XML of Standard ML; NLP: Neuro-Linguistic Programming",
        "Maschinellen Lernens Grundkurs: machine learning, Machine   Learning",
    ] * 3

    def matches(index: Any, text: str) -> list[tuple[Any, ...]]:
        found = index.find(topics.fold_accents(text))
        return sorted((m.slug, m.tier, m.start, m.end, m.term) for m in found)

    fresh = [matches(load_taxonomy()._index, text) for text in texts]  # a new index each
    remembering = load_taxonomy()._index
    assert [matches(remembering, text) for text in texts] == fresh
    forgetful = load_taxonomy()._index
    monkeypatch.setattr(forgetful, "WORDS_KEPT", 5)
    assert [matches(forgetful, text) for text in texts] == fresh
    assert len(forgetful._memo.by_word) <= 5 + len(set(texts[-1].split()))
    assert any(fresh) and fresh[0] != fresh[2]


def test_html_is_not_ml_even_with_context() -> None:
    assert "machine-learning" not in classify("HTML5 basics", "Build web pages with HTML5 and CSS.")


def test_weak_words_need_ai_context() -> None:
    assert classify("Python Programming") == []
    assert classify("Marketing Strategy") == []
    assert classify("Data Protection (GDPR) for Small Businesses") == []
    assert classify("AI in Marketing") == ["ai-for-business"]
    assert classify("Python for Machine Learning") == ["machine-learning", "python-for-ai"]
    # Data-science context does not make Excel an AI productivity tool.
    assert classify("Data Analysis with Excel") == ["data-science"]


# -- skills, categories and descriptions ---------------------------------------------------------


def test_categories_decide_or_need_a_title_word() -> None:
    # Coursera: the subdomain decides over its domain.
    assert classify("Massive Graphs", categories=["data-science", "machine-learning"]) == [
        "machine-learning"
    ]
    assert (
        classify("Qualitative Research Methods", categories=["data-science", "data-analysis"]) == []
    )
    assert classify("Statistical Inference", categories=["data-science", "data-analysis"]) == [
        "data-science"
    ]
    # Class Central's subject alone is strong.
    assert classify("R Programming", categories=["data-science"]) == ["data-science"]
    # edX subject: a title word and the broad subject together.
    assert classify("Introduction to Statistics", categories=["Data Analysis & Statistics"]) == [
        "data-science"
    ]
    assert classify("Introduction to Statistics", categories=["Math"]) == []
    # Generic AI categories (Class Central "ai", Microsoft Learn, Xikolo, Udacity schools).
    assert classify("Principles of Autonomy", categories=["Artificial Intelligence"]) == [
        "ai-fundamentals"
    ]
    assert classify("Was kann sie?", categories=["Künstliche Intelligenz"]) == ["ai-fundamentals"]
    assert classify("Future of Work", categories=["KI und Gesellschaft"]) == ["ai-ethics-law"]


def test_skills_decide_with_a_title_hint_or_when_ai_tags_dominate() -> None:
    assert classify("Sequence Models", skills=["Deep Learning", "Tensorflow", "NLP"]) == [
        "deep-learning",
        "nlp",
    ]
    assert classify(
        "Time Series and Prediction", skills=["Machine Learning", "Communication", "Writing"]
    ) == ["machine-learning", "data-science"]
    many = ["Leadership and Management", "Accounting", "Finance", "Strategy", "Marketing"] * 10
    assert classify("Master of Science in Management", skills=[*many, "Machine Learning"]) == []
    assert classify("Autodesk AutoCAD Exam", skills=["Feature Engineering", "CAD"]) == []
    assert classify("Marketing Strategy", skills=["Data Analysis", "Marketing"]) == []


def test_description_fills_in_but_a_passing_mention_does_not_count() -> None:
    passing = (
        "Molecules, bonds and reactions. We also glance at how machine learning helps chemists."
    )
    assert classify("Organic Chemistry", passing) == []
    twice = "Build predictive models with supervised learning and evaluate them on held-out data."
    assert classify("Model Building and Validation", twice) == ["machine-learning"]
    fintech = "Big data and AI are changing banking, payments and lending."
    assert classify("Introduction to FinTech", fintech) == []
    generic = "You will meet search, planning and self-driving cars."
    assert classify("Artificial Intelligence for Robotics", generic) == [
        "machine-learning",
        "computer-vision",
        "ai-fundamentals",
    ]
    # A title that names its topic is not diluted by what the description mentions.
    assert classify("Deep Learning", "Part of the Machine Learning Engineer Nanodegree.") == [
        "deep-learning"
    ]


# -- real listings --------------------------------------------------------------------------------


def _require(*relative: str) -> list[Path]:
    paths = [REALDATA / r for r in relative]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        pytest.skip(f"real data not found (shared/realdata beside the repo): {', '.join(missing)}")
    return paths


def _coursera_api() -> list[dict[str, Any]]:
    out = []
    for path in _require(
        "coursera/coursera_api_courses.v1_start0_2016.json",
        "coursera/coursera_api_courses.v1_start100_2016.json",
    ):
        for element in json.loads(path.read_text(encoding="utf-8"))["elements"]:
            categories: list[str] = []  # as scrapers/coursera.py passes domainTypes
            for domain in element.get("domainTypes", []):
                for key in ("domainId", "subdomainId"):
                    if domain[key] not in categories:
                        categories.append(domain[key])
            out.append(
                {
                    "title": element["name"],
                    "description": element.get("description"),
                    "categories": categories,
                }
            )
    return out


def _edx_2016() -> list[dict[str, Any]]:
    (path,) = _require("edx/edx_search_api_all_2016.json")
    items = json.loads(path.read_text(encoding="utf-8"))
    return [{"title": e["l"], "categories": e.get("subjects", [])} for e in items]


def _futurelearn() -> list[dict[str, Any]]:
    (path,) = _require("futurelearn/futurelearn_api_v1_courses_2017.json")
    return [
        {
            "title": e["name"],
            "description": f"{e.get('introduction') or ''} {e.get('description') or ''}",
            "categories": e.get("categories", []),
        }
        for e in json.loads(path.read_text(encoding="utf-8"))
    ]


def _csv(name: str) -> Iterator[dict[str, str]]:
    (path,) = _require(f"datasets/{name}")
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _edx_csv() -> list[dict[str, Any]]:
    return [
        {
            "title": r["title"],
            "description": f"{r['summary']} {r['course_description']}",
            "categories": [r["subject"]] if r["subject"] else [],
        }
        for r in _csv("edx_courses.csv")
    ]


def _coursera_csv() -> list[dict[str, Any]]:
    return [{"title": r["course_title"]} for r in _csv("coursera_data.csv") if r["course_title"]]


def _coursera_partner_csv() -> list[dict[str, Any]]:
    return [
        {
            "title": r["course"],
            "skills": [s.strip() for s in r["skills"].split(",") if s.strip() not in ("", "None")],
        }
        for r in _csv("coursera_courses_partner_level_certificate_duration.csv")
    ]


def _topics_of(rows: list[dict[str, Any]], title: str) -> list[str]:
    matches = [r for r in rows if r["title"].strip() == title]
    assert matches, f"{title!r} not in the data"
    row = matches[0]
    return classify(row["title"], row.get("description"), row.get("skills"), row.get("categories"))


REAL_CASES: list[tuple[str, str, list[str]]] = [
    # Coursera courses.v1 (2016), with domainTypes and descriptions
    ("coursera", "Machine Learning", ["machine-learning"]),
    ("coursera", "機器學習基石 (Machine Learning Foundations)", ["machine-learning"]),
    (
        "coursera",
        "Machine Learning Capstone: An Intelligent Application with Deep Learning",
        ["machine-learning", "deep-learning"],
    ),
    ("coursera", "Mining Massive Datasets", ["machine-learning", "data-science"]),
    ("coursera", "Introduction to Big Data", ["data-science"]),
    ("coursera", "Regression Models", ["data-science"]),
    ("coursera", "Statistics: Making Sense of Data", ["data-science", "math-for-ml"]),
    ("coursera", "Qualitative Research Methods", []),  # filed under data-analysis, not data science
    ("coursera", "Discrete Optimization", []),  # filed under probability-and-statistics
    ("coursera", "Magic in the Middle Ages", []),
    ("coursera", "Ancient Egypt", []),
    ("coursera", "Understanding China, 1700-2000: A Data Analytic Approach, Part 1", []),
    ("coursera", "Technology and Ethics", []),
    ("coursera", "Algorithms: Design and Analysis, Part 1", []),
    # edX search API (2016): titles and subjects only
    ("edx2016", "Artificial Intelligence", ["ai-fundamentals"]),
    ("edx2016", "Distributed Machine Learning with Spark", ["machine-learning", "data-science"]),
    ("edx2016", "Introduction to Python for Data Science", ["data-science", "python-for-ai"]),
    (
        "edx2016",
        "Introducción a la visión por computador: desarrollo de aplicaciones con OpenCV",
        ["computer-vision"],
    ),
    ("edx2016", "Data Science Ethics", ["data-science", "ai-ethics-law"]),
    ("edx2016", "Introduction to Statistics: Descriptive Statistics", ["data-science"]),
    ("edx2016", "Autonomous Mobile Robots", []),
    ("edx2016", "Introduction to Computer Science", []),
    ("edx2016", "Circuits and Electronics 1: Basic Circuit Analysis", []),
    # FutureLearn feed (2017), with HTML descriptions
    (
        "futurelearn",
        "Big Data: Statistical Inference and Machine Learning",
        ["machine-learning", "data-science", "math-for-ml"],
    ),
    ("futurelearn", "Data Mining with Weka", ["data-science"]),
    ("futurelearn", "Shakespeare and his World", []),  # "the Bard" is no chatbot
    ("futurelearn", "Introduction to Linked Data and the Semantic Web", []),
    ("futurelearn", "Begin Robotics", []),
    # edx_courses.csv, with long descriptions
    (
        "edxcsv",
        "CS50's Introduction to Artificial Intelligence with Python",
        ["ai-fundamentals", "python-for-ai"],
    ),
    ("edxcsv", "Deep Learning with Python and PyTorch", ["deep-learning", "python-for-ai"]),
    ("edxcsv", "AI for Everyone: Master the Basics", ["ai-for-business", "ai-fundamentals"]),
    ("edxcsv", "Computer Vision Fundamentals with Watson and OpenCV", ["computer-vision"]),
    ("edxcsv", "How to Learn Online", []),
    ("edxcsv", "Introduction to FinTech", []),  # its description only mentions big data and AI
    ("edxcsv", "Digital Biomaterials", []),
    # coursera_data.csv: titles only
    ("coursera_csv", "Neural Networks and Deep Learning", ["deep-learning"]),
    ("coursera_csv", "Natural Language Processing in TensorFlow", ["deep-learning", "nlp"]),
    ("coursera_csv", "Machine Learning for Trading", ["machine-learning", "ai-for-business"]),
    # Not computer vision alone (issue 15): the programme teaches learning for driving too.
    ("coursera_csv", "Introduction to Self-Driving Cars", ["machine-learning", "computer-vision"]),
    ("coursera_csv", "Fundamentals of Reinforcement Learning", ["reinforcement-learning"]),
    ("coursera_csv", "A Law Student's Toolkit", []),
    ("coursera_csv", "Introduction to Financial Accounting", []),
    ("coursera_csv", "Python for Everybody", []),
    # the partner dataset: titles with long skill lists
    ("partner", "Google Data Analytics", ["data-science"]),
    (
        "partner",
        "Generative AI for Everyone",
        ["llm-and-generative-ai", "ai-for-business", "ai-fundamentals"],
    ),
    ("partner", "Prompt Engineering for ChatGPT", ["llm-and-generative-ai", "prompt-engineering"]),
    (
        "partner",
        "Sequences, Time Series and Prediction",
        ["machine-learning", "deep-learning", "data-science"],
    ),
    ("partner", "Google Cybersecurity", []),
    ("partner", "Renewable Energy", []),
    ("partner", "Master of Science in Management", []),  # 133 skills, a few of them ML
]

LOADERS = {
    "coursera": _coursera_api,
    "edx2016": _edx_2016,
    "futurelearn": _futurelearn,
    "edxcsv": _edx_csv,
    "coursera_csv": _coursera_csv,
    "partner": _coursera_partner_csv,
}


@pytest.mark.parametrize(("dataset", "title", "expected"), REAL_CASES)
def test_real_titles(dataset: str, title: str, expected: list[str]) -> None:
    assert _topics_of(LOADERS[dataset](), title) == expected


# Shares measured on the data (in scope / all), with bounds set after reading the in-scope list
# and a sample of the rest of each dataset: the 2016-2017 catalogs are mostly not AI.
SHARES = {
    # Measured after the scope rule stopped counting data science alone (docs/scope.md):
    # statistics, BI, SQL and visualisation courses left; the labelled set
    # (tests/data/scope_labels.csv) holds 52 in / 974 for edx_courses.csv and 65 / 891 for
    # coursera_data.csv.
    "coursera": (0.01, 0.06),  # measured 5/200 = 2.5%
    "edx2016": (0.005, 0.04),  # measured 10/893 = 1.1% (titles and subjects only)
    "futurelearn": (0.005, 0.04),  # measured 7/514 = 1.4%
    "edxcsv": (0.03, 0.09),  # measured 54/975 = 5.5%
    "coursera_csv": (0.05, 0.11),  # measured 67/891 = 7.5%
    "partner": (0.10, 0.20),  # measured 158/1139 = 13.9% (a recent, data-heavy catalog)
}


@pytest.mark.parametrize("dataset", list(SHARES))
def test_scope_share_of_real_catalogs(dataset: str) -> None:
    rows = LOADERS[dataset]()
    inside = [
        r
        for r in rows
        if in_scope(r["title"], r.get("description"), r.get("skills"), r.get("categories"))
    ]
    share = len(inside) / len(rows)
    print(f"{dataset}: {len(inside)}/{len(rows)} in scope = {share:.1%}")
    low, high = SHARES[dataset]
    assert low <= share <= high


def test_nbis_course_instances() -> None:
    (path,) = _require("schemaorg-course-other/nbis_course_instances_jsonld.json")
    items = json.loads(path.read_text(encoding="utf-8"))
    by_name = {i["name"]: i for i in items if i.get("name")}

    def tags(name: str) -> list[str]:
        return classify(name, by_name[name].get("description"))

    assert tags("Neural Networks and Deep Learning") == ["deep-learning"]
    assert tags("Introduction to Biostatistics and Machine Learning") == [
        "machine-learning",
        "data-science",
    ]
    for workshop in (
        "RNA-seq data analysis",
        "Single cell RNA-seq data analysis",
        "Epigenomics Data Analysis: from Bulk to Single Cell",
        "Spatial omics data analysis",
        "Tools for Reproducible Research",
        "Python programming with applications to bioinformatics",
    ):
        assert tags(workshop) == [], workshop


def test_mit_ocw_aeronautics_listing_is_out_of_scope() -> None:
    bs4 = pytest.importorskip("bs4")
    listing, course = _require(
        "mit-ocw/mit_ocw_courses_listing_2015.html",
        "mit-ocw/mit_ocw_course_16-346-astrodynamics_2015.html",
    )
    soup = bs4.BeautifulSoup(listing.read_bytes(), "lxml")
    titles = [
        " ".join(cells[1].get_text(" ").split())
        for row in soup.select("table.courseList tr")
        if len(cells := row.find_all("td")) >= 2
    ]
    assert len(titles) == 79
    assert "Astrodynamics" in titles
    # "Principles of Autonomy and Decision Making" and "Cognitive Robotics" teach AI planning,
    # but nothing in a bare title says so: without categories they stay out, by design.
    assert [t for t in titles if in_scope(t)] == []
    page = bs4.BeautifulSoup(course.read_bytes(), "lxml")
    description = page.find(attrs={"itemprop": "description"}).get_text(" ")
    assert not in_scope("Astrodynamics", description)
