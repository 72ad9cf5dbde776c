"""Languages: a BCP 47 primary code from a name in any script or a locale tag."""

from __future__ import annotations

import re
from collections.abc import Mapping

from catalog.normalize.primitives import _as_text, _never_raises, _none

# Names (casefolded, "|"-separated) in English, German, the language itself and other common ones.
_LANGUAGE_NAMES = {
    "en": (
        "english|englisch|anglais|inglés|ingles|inglese|inglês|engels|angielski|"
        "английский|英语|英文|英語|영어|अंग्रेज़ी|अंग्रेजी|الإنجليزية|الانجليزية|"
        "ingilizce|i̇ngilizce"
    ),
    "de": (
        "german|deutsch|allemand|alemán|aleman|tedesco|alemão|duits|niemiecki|"
        "немецкий|德语|德文|ドイツ語|독일어|जर्मन|الألمانية|almanca"
    ),
    "es": (
        "spanish|español|espanol|castellano|spanisch|espagnol|spagnolo|espanhol|"
        "spaans|hiszpański|испанский|西班牙语|西班牙文|スペイン語|스페인어|स्पेनिश|الإسبانية|"
        "ispanyolca"
    ),
    "fr": (
        "french|français|francais|französisch|francés|frances|francese|francês|"
        "frans|francuski|французский|法语|法文|フランス語|프랑스어|फ़्रेंच|फ्रेंच|الفرنسية|"
        "fransızca"
    ),
    "it": (
        "italian|italiano|italienisch|italien|italiaans|włoski|итальянский|意大利语|"
        "イタリア語|이탈리아어|الإيطالية|italyanca"
    ),
    "pt": (
        "portuguese|português|portugues|portugiesisch|portugais|portugués|"
        "portoghese|portugees|portugalski|португальский|葡萄牙语|ポルトガル語|포르투갈어|"
        "البرتغالية|portekizce"
    ),
    "nl": (
        "dutch|nederlands|niederländisch|holländisch|néerlandais|neerlandés|"
        "olandese|holenderski|нидерландский|荷兰语|オランダ語|네덜란드어|flemish|vlaams"
    ),
    "pl": ("polish|polski|polnisch|polonais|polaco|polacco|польский|波兰语|ポーランド語|폴란드어"),
    "ru": (
        "russian|русский|russisch|russe|ruso|russo|rosyjski|俄语|ロシア語|러시아어|रूसी|"
        "الروسية|rusça"
    ),
    "uk": "ukrainian|українська|ukrainisch|ukrainien|ucraniano|украинский",
    "zh": (
        "chinese|中文|汉语|漢語|华语|普通话|國語|简体中文|繁體中文|繁体中文|中文简体|中文繁體|mandarin|cantonese|"
        "chinesisch|chinois|chino|cinese|chinês|chinees|chiński|китайский|中国語|"
        "중국어|चीनी|الصينية|çince"
    ),
    "ja": (
        "japanese|日本語|japanisch|japonais|japonés|japones|giapponese|japonês|"
        "japans|japoński|японский|日语|일본어|जापानी|اليابانية|japonca"
    ),
    "ko": (
        "korean|한국어|조선말|koreanisch|coréen|coreano|koreański|корейский|韩语|韓国語|"
        "韓國語|कोरियाई|الكورية|korece"
    ),
    "hi": "hindi|हिन्दी|हिंदी",
    "ar": (
        "arabic|العربية|اللغة العربية|عربي|arabisch|arabe|árabe|arabo|arapça|"
        "арабский|阿拉伯语|アラビア語|아랍어"
    ),
    "he": "hebrew|עברית|hebräisch|hébreu|hebreo|ebraico",
    "tr": "turkish|türkçe|turkce|türkisch|turc|turco|турецкий|土耳其语|トルコ語",
    "id": "indonesian|bahasa indonesia|indonesisch|indonésien|indonesio",
    "ms": "malay|bahasa melayu|bahasa malaysia|malaiisch",
    "vi": "vietnamese|tiếng việt|tieng viet|vietnamesisch",
    "th": "thai|ไทย|ภาษาไทย|thailändisch",
    "sv": "swedish|svenska|schwedisch",
    "da": "danish|dansk|dänisch",
    "no": "norwegian|norsk|norwegisch",
    "nb": "norsk bokmål|bokmål",
    "fi": "finnish|suomi|finnisch",
    "cs": "czech|čeština|cestina|tschechisch",
    "sk": "slovak|slovenčina|slowakisch",
    "hu": "hungarian|magyar|ungarisch",
    "ro": "romanian|română|romana|rumänisch",
    "bg": "bulgarian|български|bulgarisch",
    "el": "greek|ελληνικά|griechisch",
    "hr": "croatian|hrvatski|kroatisch",
    "sr": "serbian|српски|srpski|serbisch",
    "sl": "slovenian|slovene|slovenščina|slowenisch",
    "et": "estonian|eesti|estnisch",
    "lv": "latvian|latviešu|lettisch",
    "lt": "lithuanian|lietuvių|litauisch",
    "fa": "persian|farsi|فارسی|persisch",
    "ur": "urdu|اردو",
    "bn": "bengali|bangla|বাংলা",
    "ta": "tamil|தமிழ்",
    "te": "telugu|తెలుగు",
    "mr": "marathi|मराठी",
    "gu": "gujarati|ગુજરાતી",
    "kn": "kannada|ಕನ್ನಡ",
    "ml": "malayalam|മലയാളം",
    "pa": "punjabi|ਪੰਜਾਬੀ",
    "sw": "swahili|kiswahili|suaheli",
    "ca": "catalan|català|katalanisch",
    "eu": "basque|euskara",
    "gl": "galician|galego",
    "tl": "tagalog",
    "fil": "filipino",
    "kk": "kazakh|қазақ тілі|қазақша",
    "az": "azerbaijani|azərbaycan",
    "ka": "georgian|ქართული",
    "hy": "armenian|հայերեն",
    "am": "amharic|አማርኛ",
    "af": "afrikaans",
    "is": "icelandic|íslenska",
    "ga": "irish|gaeilge",
    "cy": "welsh|cymraeg",
    "mn": "mongolian|монгол",
    "ne": "nepali|नेपाली",
    "si": "sinhala|සිංහල",
    "km": "khmer|ខ្មែរ",
    "my": "burmese|မြန်မာ",
    "uz": "uzbek|oʻzbek|o'zbek",
    "ha": "hausa",
    "yo": "yoruba|yorùbá",
    "zu": "zulu|isizulu",
    "la": "latin|latein|latina",
}
_NAME_TO_CODE = {name: code for code, names in _LANGUAGE_NAMES.items() for name in names.split("|")}
_KNOWN_CODES = frozenset(_LANGUAGE_NAMES)
# Deprecated and three-letter codes (ISO 639-2/3) seen in metadata; "cmn"/"yue" are Chinese.
_CODE_ALIASES = {
    "iw": "he", "in": "id", "mo": "ro", "eng": "en", "deu": "de", "ger": "de",
    "spa": "es", "fra": "fr", "fre": "fr", "ita": "it", "por": "pt", "nld": "nl", "dut": "nl",
    "pol": "pl", "rus": "ru", "ukr": "uk", "zho": "zh", "chi": "zh", "cmn": "zh", "yue": "zh",
    "jpn": "ja", "kor": "ko", "hin": "hi", "ara": "ar", "heb": "he", "tur": "tr", "ind": "id",
    "vie": "vi", "tha": "th", "swe": "sv", "dan": "da", "nor": "no", "nob": "nb", "fin": "fi",
    "ces": "cs", "cze": "cs", "hun": "hu", "ron": "ro", "rum": "ro", "ell": "el", "gre": "el",
    "fas": "fa", "per": "fa",
}  # fmt: skip
_TAG_RE = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
_PARENS_RE = re.compile(r"\s*[(（\[].*?[)）\]]\s*")


def _code_from_tag(text: str) -> str | None:
    match = _TAG_RE.fullmatch(text)
    if not match:
        return None
    primary = match.group(1).casefold()
    primary = _CODE_ALIASES.get(primary, primary)
    return primary if primary in _KNOWN_CODES else None


@_never_raises(_none)
def normalize_language(text: object) -> str | None:
    """A BCP 47 primary language code from a name in any script or a locale tag, else None.

    "English", "en-us", "en_US", "Español", "中文", "Chinese (Simplified)" -> zh,
    "Português (Brasil)" -> pt, "اللغة العربية" -> ar. Dicts (schema.org ``Language``) are read
    by their ``alternateName``/``name``.
    """
    if isinstance(text, Mapping):
        for key in ("alternateName", "identifier", "code", "name", "@value"):
            found = normalize_language(text.get(key))
            if found:
                return found
        return None
    raw = _as_text(text, 200)
    if raw is None:
        return None
    raw = re.sub(r"\s+", " ", raw.strip(" \"'.·:;"))
    candidates = [raw, _PARENS_RE.sub(" ", raw).strip(), re.split(r"\s+[-–—]\s+", raw)[0]]
    for candidate in candidates:
        code = _NAME_TO_CODE.get(candidate.casefold()) or _code_from_tag(candidate)
        if code:
            return code
    words = re.findall(r"[^\W\d_]+", _PARENS_RE.sub(" ", raw).casefold())
    if 1 < len(words) <= 4:  # "Simplified Chinese", "Brazilian Portuguese", "Chinese Simplified"
        for word in words:
            if word in _NAME_TO_CODE:
                return _NAME_TO_CODE[word]
    return None


_LIST_SPLIT_RE = re.compile(r"\s*(?:[,;/|\n、，]|\s(?:and|und|&|y|et)\s)\s*", re.IGNORECASE)


@_never_raises(list)
def normalize_languages(value: object) -> list[str]:
    """Codes for a language list: a str ("English, Español"), list, or mixed; deduped, in order."""
    items: list[object]
    if isinstance(value, list | tuple):
        items = list(value[:200])
    elif isinstance(value, str | bytes | bytearray):
        text = _as_text(value, 4000) or ""
        items = [part for part in _LIST_SPLIT_RE.split(text) if part]
    elif isinstance(value, Mapping):
        items = [value]
    else:
        return []
    codes: list[str] = []
    for item in items:
        found = (
            normalize_languages(item)
            if isinstance(item, list | tuple)
            else [normalize_language(item)]
        )
        for code in found:
            if code and code not in codes:
                codes.append(code)
    return codes
