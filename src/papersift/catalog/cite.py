"""Citations: a BibTeX entry for a paper, as arXiv's own "Export BibTeX citation" writes one, safe to paste
into any bibliography whatever the paper's metadata holds.

Titles, names and journal references come from sources papersift does not control, and a .bib file is read by
BibTeX and then by LaTeX, so every field value is written so that neither can be made to do anything else:

- braces: BibTeX ends a ``{...}`` value at the brace that balances its opening one, counting every brace,
  escaped or not. A value whose braces do not nest properly (``x}, url={javascript:...}, note={``, which is
  balanced in count) could close the field and forge others, or a whole ``@misc{evil, ...}`` entry. Only braces
  that nest are kept; a stray ``}`` or an unclosed ``{`` is dropped.
- backslashes: a LaTeX command in a field runs when the bibliography is typeset (``\\input{/etc/passwd}``,
  ``\\write18``). Commands that only typeset (Greek letters, math symbols, font and accent commands: the TeX
  of real titles) are kept; any other backslash is written as ``\\textbackslash{}``, which prints a backslash.
- carets: TeX reads ``^^5c`` as a backslash, so ``^^`` is written ``^{}^``.
- names: a comma in an author's name is braced, so it cannot split the name into "Last, First" parts.
- the values are one line each (white space runs become one space), so nothing can start a new entry line.
- fields with a known shape are written only when they have it: ``primaryClass`` an arXiv category, ``doi`` a
  DOI, ``eprint`` an arXiv id; another value is left out rather than escaped into something else.
"""

from __future__ import annotations

import re
import unicodedata

from papersift.catalog.models import Paper

STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "towards", "toward", "via", "is"}

GREEK = ("alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi "
         "rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma "
         "Upsilon Phi Psi Omega")
MATH = ("mathcal mathbb mathbf mathrm mathit mathsf mathtt mathfrak boldsymbol bm operatorname text mbox frac "
        "dfrac tfrac sqrt sum prod int oint infty partial nabla cdot cdots ldots dots vdots times div pm mp leq geq "
        "le ge neq ne ll gg approx sim simeq cong equiv propto in notin ni subset subseteq supset supseteq cup cap "
        "setminus emptyset forall exists neg land lor to rightarrow leftarrow leftrightarrow Rightarrow Leftarrow "
        "Leftrightarrow mapsto log exp ln lg sin cos tan arg max min sup inf lim det dim ker Pr deg ell hbar imath "
        "prime circ star ast bullet langle rangle lfloor rfloor lceil rceil left right big Big bigg Bigg hat bar "
        "tilde vec dot ddot widehat widetilde overline underline overrightarrow mid vert Vert parallel perp top bot "
        "oplus otimes odot wedge vee quad qquad colon")
TEXT = ("textbf textit textsc textrm textsf texttt textsuperscript textsubscript emph em it bf sc rm sf tt "
        "textendash textemdash textbackslash textasciitilde textasciicircum textquoteleft textquoteright "
        "ss o O ae AE oe OE aa AA l L i j S P dag ddag copyright pounds LaTeX TeX c v u H k r d b t")
SAFE_COMMANDS = frozenset((GREEK + " " + MATH + " " + TEXT).split())
SAFE_SYMBOLS = frozenset("&%$#_'\"`^~=.,;:!| -")     # \& \% \' \" \^ \, ...: escapes and accents (not \{ \})
CARETS = re.compile(r"\^(?=\^)")
COMMAND = re.compile(r"\\([A-Za-z]+|.?)", re.S)
CATEGORY = re.compile(r"[a-z][a-z\-]*(?:\.[A-Za-z\-]{2,})?")
DOI = re.compile(r"10\.\d{4,9}/[\x21-\x5b\x5d-\x7a\x7c\x7e]+")   # printable ASCII but \ { }: nothing that ends a field
ARXIV_ID = re.compile(r"\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}")


def _ascii_word(text: str) -> str:
    """Lower-case ASCII letters and digits only; accents come off (NFKD splits them from their letter)."""
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).lower())


def cite_key(paper: Paper) -> str:
    """``huang2026envharness``: first author's family name, year, first significant title word."""
    family = _ascii_word(paper.authors[0].split()[-1]) if paper.authors and paper.authors[0].split() else "anon"
    year = str(paper.published.year) if paper.published else ""
    words = [w for w in (_ascii_word(t) for t in paper.title.split()) if w and w not in STOPWORDS]
    return f"{family or 'anon'}{year}{words[0] if words else ''}"


def _commands(value: str) -> str:
    """Keep the backslash of typesetting commands and escapes; any other becomes ``\\textbackslash{}``."""
    def one(match: re.Match) -> str:
        name = match.group(1)
        if name in SAFE_COMMANDS or (len(name) == 1 and name in SAFE_SYMBOLS):
            return match.group(0)
        if name == "\\":                       # `\\input`: two printed backslashes, then plain text
            return r"\textbackslash{}\textbackslash{}"
        return r"\textbackslash{}" + name
    return COMMAND.sub(one, value)


def _nested(value: str) -> str:
    """Only the braces that nest: a ``}`` closing nothing and a ``{`` never closed are dropped."""
    out = list(value)
    opened: list[int] = []
    for i, char in enumerate(value):
        if char == "{":
            opened.append(i)
        elif char == "}":
            if opened:
                opened.pop()
            else:
                out[i] = ""
    for i in opened:
        out[i] = ""
    return "".join(out)


def braced(value: str) -> str:
    """A field value that can sit inside ``{...}`` in a .bib file and be nothing but text to BibTeX and LaTeX."""
    # In this order: dropping a brace must not join what it separated (`\i}nput` would become \input, `^}^` a
    # TeX `^^` escape), so braces go first; the later passes only add `{}` pairs, which nest, and remove nothing.
    # TeX reads `^^5c` as a backslash (`^^5cinput` is \input): no two carets stay next to each other.
    # White space after the braces: a dropped brace must not leave a value ending in `\ ` (a control space that a
    # name parser strips to a bare backslash).
    return _commands(CARETS.sub("^{}", " ".join(_nested(str(value)).split())))


def bibtex(paper: Paper) -> str:
    # In a name list a comma at brace level 0 separates "Last, First": a name's own commas are braced.
    names = [braced(name.replace(",", "{,}")) for name in paper.authors]
    fields = [("title", braced(paper.title)), ("author", " and ".join(name for name in names if name))]
    if paper.published:
        fields.append(("year", str(paper.published.year)))
    if paper.is_arxiv and ARXIV_ID.fullmatch(paper.arxiv_id):
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
        if paper.primary_category and CATEGORY.fullmatch(paper.primary_category):
            fields.append(("primaryClass", paper.primary_category))
    if paper.doi and DOI.fullmatch(paper.doi):
        fields.append(("doi", paper.doi))
    if paper.journal_ref:
        fields.append(("journal", braced(paper.journal_ref)))
    url = paper.abs_url
    if url.startswith(("https://arxiv.org/abs/", "https://doi.org/10.")) and not re.search(r"[\s{}\\]", url):
        fields.append(("url", url))
    entry = "@article" if paper.journal_ref else "@misc"
    body = ",\n".join(f"  {name}={{{value}}}" for name, value in fields if value)
    return f"{entry}{{{cite_key(paper)},\n{body}\n}}"
