"""People in schedules: names, affiliations, pronouns, and who is the same person.

The conventions come from real files (shared/data and the Congress, FOSDEM and
KubeCon schedules an outside review quoted):

- pretalx writes an affiliation in square brackets after the name, "Jane Doe
  [Ohio Supercomputer Center]"; the company may hold brackets or parentheses
  of its own: "Jesse Butler [Amazon Elastic Kubernetes Service (EKS)]".
- Parentheses are never an affiliation. They hold pronouns ("melzai
  (she/her)"), a nickname or handle ("Zhang Zhen (Jason)", "PhD (Philipp)",
  "Vaclav (Oisin) Haken") or a real name; all of that is the name.
- Speakers with no employer write what they are in the company's place:
  "Contributor", "Independent", "Student", "N/A". None of these is a company.
"""

from __future__ import annotations

import re
import unicodedata

from sessions.importers.base import ParsedPerson

# Words said in the company's place by someone who has no employer to name: a role
# or a status. They become the person's job title, never a Company with a page.
ROLES = frozenset(
    {
        "contributor",
        "maintainer",
        "core maintainer",
        "reviewer",
        "approver",
        "committer",
        "independent",
        "independent contributor",
        "independent consultant",
        "independent researcher",
        "individual",
        "individual contributor",
        "student",
        "phd student",
        "retired",
        "self",
        "self-employed",
        "self employed",
        "freelance",
        "freelancer",
        "unaffiliated",
        "unemployed",
        "hobbyist",
        "volunteer",
        "private",
        "private person",
    }
)
# Said in the company's place to say nothing at all.
PLACEHOLDERS = frozenset(
    {"n/a", "na", "n.a", "none", "nil", "null", "unknown", "tbd", "tba", "?"}
    | {"-", "\u2013", "\u2014"}  # hyphen, en dash, em dash
)

# Words that make up pronoun sets: "she/her", "they/them", "he/they", "any/all",
# "xe/xem", "er/ihm" (German), "iel" (French), "any pronouns", "use my name".
PRONOUN_WORDS = frozenset(
    {
        *("she", "her", "hers", "herself", "he", "him", "his", "himself"),
        *("they", "them", "their", "theirs", "themself", "themselves"),
        *("xe", "xem", "xyr", "xyrs", "xir", "xirs", "ze", "zir", "zirs", "hir", "hirs", "zie"),
        *("ey", "em", "eir", "eirs", "fae", "faer", "faers", "e", "it", "its"),
        *("any", "all", "ask", "name", "use", "my", "no", "pronouns", "pronoun"),
        *("er", "ihn", "ihm", "sein", "sie", "ihr", "dey", "dem", "deren", "iel", "elle"),
    }
)
# At least one of these must be there: "(all)" or "(my name)" alone say nothing about pronouns.
CORE_PRONOUNS = frozenset(
    {"she", "he", "they", "xe", "ze", "zie", "ey", "fae", "it", "any", "er", "sie", "dey", "iel"}
    | {"elle", "pronouns", "pronoun"}
)
_PRONOUN_SPLIT = re.compile(r"[\s/,;:&+|]+|\band\b")
_HANDLE = re.compile(r"@[\w.-]+(@[\w.-]+)?")
# "(she/her)" or "[they/them]" anywhere in a name, for a person's identity.
_BRACKETED = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]")


def clean(text: str) -> str:
    """Unicode NFC and single spaces: the same name typed twice is the same text."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def is_pronouns(text: str) -> bool:
    """'she/her', 'They/Them', 'he/they', 'any/all', 'any pronouns'."""
    words = [w for w in _PRONOUN_SPLIT.split(text.casefold()) if w]
    return bool(words) and all(w in PRONOUN_WORDS for w in words) and bool(CORE_PRONOUNS & {*words})


def is_handle(text: str) -> bool:
    """'@melzai' or '@liv@chaos.social'."""
    return bool(_HANDLE.fullmatch(text.strip()))


def _key(text: str) -> str:
    return " ".join(text.casefold().strip().rstrip(".").split())


def _is_role(key: str) -> bool:
    """A role or status word, or one misspelt by a letter ("Indpendent" in KubeCon's
    export): long words only, so that no short company name is taken for one."""
    return key in ROLES or (
        len(key) >= 8 and any(len(role) >= 8 and _one_edit_apart(key, role) for role in ROLES)
    )


def _one_edit_apart(a: str, b: str) -> bool:
    """One letter left out, added or changed."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            rest = index if len(a) < len(b) else index + 1
            return a[rest:] == b[index + 1 :]
    return True


def is_company(text: str) -> bool:
    """Whether the text in an affiliation's place names an organisation."""
    key = _key(text)
    return bool(key) and not _is_role(key) and key not in PLACEHOLDERS and not is_pronouns(key)


def with_affiliation(person: ParsedPerson, affiliation: str) -> ParsedPerson:
    """The person with what the source gives as their company, put where it belongs.

    A role or status ("Contributor", "Independent") becomes the job title if
    there is none yet; a placeholder ("N/A") is dropped; pronouns go with the name.
    """
    affiliation = clean(affiliation)
    key = _key(affiliation)
    if not key or key in PLACEHOLDERS:
        return person
    if is_pronouns(affiliation):
        person.name = f"{person.name} ({affiliation})"
    elif _is_role(key):
        person.job_title = person.job_title or affiliation
    else:
        person.company = affiliation
    return person


def split_affiliation(text: str) -> tuple[str, str | None]:
    """'Jane Doe [Acme (EU)]' → ('Jane Doe', 'Acme (EU)'); (text, None) without one.

    Only a trailing, balanced pair of square brackets is an affiliation; what
    it holds may nest brackets and parentheses. The scan is linear, so a name
    made of thousands of brackets costs no more than any other.
    """
    if not text.endswith("]"):
        return text, None
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char == "]":
            depth += 1
        elif char == "[":
            depth -= 1
            if depth == 0:
                name = text[:index].strip()
                # "[Acme]" alone names nobody: it stays the text it is.
                return (name, text[index + 1 : -1].strip()) if name else (text, None)
    return text, None


def person(text: str) -> ParsedPerson:
    """A person as frab, pretalx and calendar attendees write them: 'Name [Company]'.

    Pronouns stay in the display name, in parentheses, as the speaker chose
    to publish them: a reader introducing or addressing the speaker wants
    them, and people_key() keeps "melzai (she/her)" and "melzai" one speaker.
    "liv [she/her]" (which an older export of this guide wrote) reads as
    "liv (she/her)".
    """
    text = clean(text)
    name, affiliation = split_affiliation(text)
    if affiliation is None:
        return ParsedPerson(name=text)
    return with_affiliation(ParsedPerson(name=name), affiliation)


def person_key(name: str) -> str:
    """Who a speaker is, for matching the same person across sessions, files and events.

    The name as written, after Unicode NFC and spacing, and without pronouns
    or handles in parentheses. Case counts: "Eli" and "eli" are two people
    as far as a file can tell, and merging them would put one person's talks
    on the other's page; editors merge real duplicates in the admin.
    """
    without = _BRACKETED.sub(
        lambda m: "" if is_pronouns(m[1]) or is_handle(m[1]) else m[0], clean(name)
    )
    return clean(without) or clean(name)
