"""The languages a family's letters can be in: ISO 639 codes, English and own names, writing direction and script.

A parent's `preferred_language` is what the coordinator typed ("Urdu", "urdu ", "Mirpuri/Urdu"); letters need a
code they can match a service's translated wording on, so the record keeps a normalised `letter_language` chosen
from this list (`referrals.models.Parent`). `match()` reads the typed names a hurried person uses; anything it
cannot read is left for a person to choose, never guessed.

The list holds the languages most often asked for in NHS interpreting in England. A language whose script the
letters carry no font for (`printable`) can be recorded, but a service cannot add wording in it until a font is
shipped (`letters.languages`): a family would otherwise get a letter of empty boxes.
"""

import re
from dataclasses import dataclass

ENGLISH = "en"


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1 where there is one, else ISO 639-3
    name: str  # in English
    own_name: str  # as its speakers write it
    script: str  # ISO 15924 name of its usual script
    rtl: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def printable(self) -> bool:
        """The letters' fonts cover its script: DejaVu Sans (Latin, Greek, Cyrillic) and Noto Naskh Arabic."""
        return self.script in PRINTABLE_SCRIPTS

    @property
    def label(self) -> str:
        return self.name if self.own_name == self.name else f"{self.name} – {self.own_name}"


PRINTABLE_SCRIPTS = {"Latin", "Greek", "Cyrillic", "Arabic"}

LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "English", "Latin", aliases=("eng", "british english")),
    Language("ar", "Arabic", "العربية", "Arabic", rtl=True, aliases=("ara", "arabic (modern standard)")),
    Language("ur", "Urdu", "اردو", "Arabic", rtl=True, aliases=("urd", "mirpuri urdu")),
    Language("fa", "Persian (Farsi)", "فارسی", "Arabic", rtl=True, aliases=("farsi", "persian", "fas", "per")),
    Language("prs", "Dari", "دری", "Arabic", rtl=True, aliases=("afghan persian",)),
    Language("ps", "Pashto", "پښتو", "Arabic", rtl=True, aliases=("pashtu", "pushto", "pus")),
    Language("ckb", "Kurdish (Sorani)", "کوردی", "Arabic", rtl=True, aliases=("sorani", "kurdish sorani")),
    Language("kmr", "Kurdish (Kurmanji)", "Kurmancî", "Latin", aliases=("kurmanji", "kurdish kurmanji")),
    Language("bn", "Bengali", "বাংলা", "Bengali", aliases=("bangla", "sylheti", "ben")),
    Language("pa", "Punjabi", "ਪੰਜਾਬੀ", "Gurmukhi", aliases=("panjabi", "pan")),
    Language("gu", "Gujarati", "ગુજરાતી", "Gujarati", aliases=("guj",)),
    Language("hi", "Hindi", "हिन्दी", "Devanagari", aliases=("hin",)),
    Language("ne", "Nepali", "नेपाली", "Devanagari", aliases=("nepalese",)),
    Language("ta", "Tamil", "தமிழ்", "Tamil", aliases=("tam",)),
    Language("pl", "Polish", "Polski", "Latin", aliases=("pol",)),
    Language("ro", "Romanian", "Română", "Latin", aliases=("ron", "rum", "moldovan")),
    Language("lt", "Lithuanian", "Lietuvių", "Latin", aliases=("lit",)),
    Language("lv", "Latvian", "Latviešu", "Latin", aliases=("lav",)),
    Language("bg", "Bulgarian", "Български", "Cyrillic", aliases=("bul",)),
    Language("ru", "Russian", "Русский", "Cyrillic", aliases=("rus",)),
    Language("uk", "Ukrainian", "Українська", "Cyrillic", aliases=("ukr",)),
    Language("cs", "Czech", "Čeština", "Latin", aliases=("ces", "cze")),
    Language("sk", "Slovak", "Slovenčina", "Latin", aliases=("slk", "slo")),
    Language("hu", "Hungarian", "Magyar", "Latin", aliases=("hun",)),
    Language("sq", "Albanian", "Shqip", "Latin", aliases=("sqi", "alb")),
    Language("pt", "Portuguese", "Português", "Latin", aliases=("por", "brazilian portuguese")),
    Language("es", "Spanish", "Español", "Latin", aliases=("spa", "castilian")),
    Language("fr", "French", "Français", "Latin", aliases=("fra", "fre")),
    Language("it", "Italian", "Italiano", "Latin", aliases=("ita",)),
    Language("tr", "Turkish", "Türkçe", "Latin", aliases=("tur",)),
    Language("so", "Somali", "Soomaali", "Latin", aliases=("som",)),
    Language("ti", "Tigrinya", "ትግርኛ", "Ethiopic", aliases=("tir", "tigrigna")),
    Language("am", "Amharic", "አማርኛ", "Ethiopic", aliases=("amh",)),
    Language("zh", "Chinese (Mandarin)", "中文", "Han", aliases=("mandarin", "chinese", "zho", "chi")),
    Language("yue", "Chinese (Cantonese)", "粵語", "Han", aliases=("cantonese",)),
    Language("cy", "Welsh", "Cymraeg", "Latin", aliases=("cym", "wel")),
)
BY_CODE = {language.code: language for language in LANGUAGES}
CHOICES = [(language.code, language.label) for language in LANGUAGES]
CODE_MAX_LENGTH = 8


def get(code: str) -> Language | None:
    return BY_CODE.get((code or "").strip().lower())


def _key(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.casefold()).strip()


def _names() -> dict[str, str]:
    """Every name, code and alias → code. A part of a name ("Persian (Farsi)" → "Persian", "Farsi") counts too,
    unless two languages share it ("Kurdish" is Sorani or Kurmanji: a person must choose)."""
    names = {}
    for language in LANGUAGES:
        for name in (language.code, language.name, language.own_name, *language.aliases):
            names[_key(name)] = language.code
    parts: dict[str, set[str]] = {}
    for language in LANGUAGES:
        for part in re.split(r"[()]", language.name):
            parts.setdefault(_key(part), set()).add(language.code)
    for part, codes in parts.items():
        if part and len(codes) == 1:
            names.setdefault(part, codes.pop())
    return names


_NAMES = _names()


def match(typed: str) -> str:
    """The code of the language a person typed ("Urdu", " URDU ", "urdu.", "ur", "اردو"), or "" if not sure.

    Two languages in one answer ("Urdu and English", "Polish/Russian") are not guessed between: "".
    """
    key = _key(typed or "")
    if not key:
        return ""
    if key in _NAMES:
        return _NAMES[key]
    # Within a longer answer only whole names count, never codes ("am", "so", "it", "uk" are words too).
    words = {_NAMES[word] for word in key.split() if len(word) > 3 and word in _NAMES}
    found = {_NAMES[name] for name in _NAMES if " " in name and f" {name} " in f" {key} "} | words
    return found.pop() if len(found) == 1 else ""
