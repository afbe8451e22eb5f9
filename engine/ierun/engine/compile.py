"""The compiler: IR -> an executable Plan. Each rule's pattern becomes one `regex` pattern over the raw
text (token boundaries as look-arounds, so matching runs in C); lexicons become token tries inside it;
each rule is gated by the trigger keys it needs (a rule whose trigger words are absent costs nothing).

Match semantics (README, "Match semantics"): between two elements any white space is skipped (`\\s*+`);
`~` removes that gap; `r/.../` matches raw characters where the previous element ended; a capture's span
and a match's span never start with white space.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from ..language import nodes as A
from ..language import ir
from ..language.tree import nullable, walk
from ..language.visit import IRPatternVisitor
from ..language.tokens import glued_tokens
from ..language.nlp import constraints
from .boundaries import BOUNDARY, TOKEN_CLASS_RE, boundary_after, boundary_before
from .lexscan import SCAN_MIN, SLOT, TEMPLATE_MAX, LexiconIndex, split_template
from .nlp import MARK_OPT, MARK_OPT_BEHIND, NOT_IN_MARK, token_regex as nlp_token_regex
from .regex_code import LIST_REF, compile_regex, from_code, regex_code
from .triggers import FACT_KEY, triggers

GAP = r"\s*+"
FACT_PAD = "\uf8ff"


def fact_marker(index: int) -> str:
    return chr(0xE000 + index)


def flag_group(body: str, flags: str) -> str:
    inline = "".join(c for c in flags if c in "imsx")
    return f"(?{inline}:{body})" if inline else f"(?:{body})"


def token_regex(tok: str) -> str:
    """One exact token, with the boundary assertions that keep it a whole token."""
    return boundary_before(tok[0]) + _token_end_regex(tok)


def _token_end_regex(tok: str) -> str:
    """A token after another one: only its end boundary (the token before ended at a boundary)."""
    return regex.escape(tok, special_only=True) + boundary_after(tok[-1])


def literal_regex(text: str, ignore_case: bool, mark: str = "") -> str:
    # after the first token, no start boundary: the token before ends at one, and after white space there is one
    # (`mark`: what may stand before each later token: an NLP token's mark, see engine/nlp.py)
    body = "".join(token_regex(t) if i == 0 else (GAP if not glued else "") + mark + _token_end_regex(t)
                   for i, (t, glued) in enumerate(glued_tokens(text)))
    return f"(?i:{body})" if ignore_case else body


LIST_MIN = 4  # a trie node's tokens, from this many on, are a named list (`\\L<name>`: a set, quick to compile)


def lexicon_regex(lex: ir.Lexicon, lists: dict[str, list[str]] | None = None, mark: str = "") -> str:
    """A trie over the lexicon's phrases (as tokens): one automaton-like alternation, longest first. With
    `lists`, the many tokens that end phrases at one node become a named list added to it. `mark`: what may
    stand before each token after the first (an NLP token's mark, see engine/nlp.py)."""
    trie: dict = {}
    for phrase in lex.phrases:
        node = trie
        toks = glued_tokens(phrase)
        for tok, glued in toks:
            key = (glued, tok if lex.case_sensitive else tok.casefold())
            node = node.setdefault(key, {})
        node[None] = True  # a phrase ends here

    def emit(node, first) -> str:
        alts = []
        leaves: dict[tuple, list[str]] = {}  # phrases ending here, grouped to share their boundary checks
        # no token checks its start boundary: the root's is factored out below (one check for all phrases),
        # and a later token follows one that ended at a boundary, or white space, which is one
        for key in sorted(k for k in node if k is not None):
            glued, tok = key
            child = node[key]
            lead = "" if first else ("" if glued else GAP) + mark
            if any(k is not None for k in child):
                head = lead + _token_end_regex(tok)
                rest = emit(child, False)
                alts.append(f"{head}(?:{rest})?" if None in child else head + rest)
            else:
                leaves.setdefault((lead, boundary_after(tok[-1])), []).append(tok)
        for (lead, after), toks in sorted(leaves.items()):
            if lists is not None and len(toks) >= LIST_MIN:
                name = f"lx{len(lists)}"
                lists[name] = sorted(toks)
                body = f"\\L<{name}>"
            else:
                bodies = [regex.escape(t, special_only=True) for t in toks]
                body = bodies[0] if len(bodies) == 1 else "(?:" + "|".join(bodies) + ")"
            alts.append(lead + body + after)
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    if not trie:
        return "(?!)"
    groups: dict[str, dict] = {}
    for key, child in trie.items():
        groups.setdefault(boundary_before(key[1][0]), {})[key] = child
    body = "|".join(before + emit(sub, True) for before, sub in sorted(groups.items()))
    body = body if len(groups) == 1 else f"(?:{body})"
    return body if lex.case_sensitive else f"(?i:{body})"


class Emitter(IRPatternVisitor):
    """Pattern IR -> regex source. `glued`: no white space may precede the element."""

    def __init__(self, ruleset: ir.RuleModel, fact_index: dict[str, int], drop_looks: bool = False,
                 lists: dict[str, list[str]] | None = None, scanned: frozenset = frozenset()):
        self.ruleset = ruleset
        self.scanned = scanned  # lexicons written as a slot, filled per document (lexscan.py)
        self.fact_index = fact_index
        self.drop_looks = drop_looks  # for a prefilter that matches a superset
        self.lex_cache: dict[str, str] = {}
        self.lists = lists  # where the named lists the regexes refer to go (None: plain alternations)
        self.behind = False  # inside a look-behind, which the regex module matches right to left
        self.mark = ""  # before each token: "" or, in a rule with token constraints, an optional mark (nlp.py)
        self.token_bits: dict[str, int] = {}  # that rule's constraints (by their text) -> their bits

    def use(self, pattern) -> "Emitter":
        """Write the regexes of this rule's pattern: with token constraints, every token may have a mark."""
        cons = constraints(pattern)
        self.mark = MARK_OPT if cons else ""
        self.token_bits = {str(c): bit for bit, c in enumerate(cons)}
        return self

    def _gap(self, glued: bool) -> str:
        return ("" if glued else GAP) + self.mark

    def _relaxed(self, source: str) -> str:
        """Inside a look-behind, possessive and atomic forms would cut the right-to-left search short:
        plain greedy forms match the same tokens there (token ends are checked by the boundaries)."""
        if not self.behind:
            return source
        if self.mark:
            source = source.replace(MARK_OPT, MARK_OPT_BEHIND)
        return source.replace("*+", "*").replace("++", "+").replace("(?>", "(?:")

    def __call__(self, node, glued: bool) -> str:
        return self._relaxed(self.visit(node, glued))

    def visit_Lit(self, node, glued):
        return self._gap(glued) + literal_regex(node.text, node.ignore_case, self.mark)

    def visit_TokenClass(self, node, glued):
        return self._gap(glued) + TOKEN_CLASS_RE[node.name]

    def visit_TokenConstraint(self, node, glued):
        return ("" if glued else GAP) + nlp_token_regex(self.token_bits[str(node)])

    def visit_Regex(self, node, glued):
        body = flag_group(node.source, node.flags)
        if node.raw:
            return f"(?>{body})"
        return f"{self._gap(glued)}{BOUNDARY}(?>{body}{BOUNDARY})"

    def visit_LexRef(self, node, glued):
        if node.name in self.scanned and not self.mark:  # a rule testing tokens keeps the named list
            return self._gap(glued) + SLOT + node.name + SLOT
        key = (node.name, self.mark)
        if key not in self.lex_cache:
            self.lex_cache[key] = lexicon_regex(self.ruleset.lexicons[node.name], self.lists, self.mark)
        return self._gap(glued) + self.lex_cache[key]

    def visit_FactRef(self, node, glued):
        return self._gap(glued) + f"(?>{regex.escape(fact_marker(self.fact_index[node.type]))}{FACT_PAD}*+)"

    def visit_Seq(self, node, glued):
        return "(?:" + "".join(self(item, node.item_glued(i, glued)) for i, item in enumerate(node.items)) + ")"

    def visit_Alt(self, node, glued):
        return "(?:" + "|".join(self(b, glued) for b in node.branches) + ")"

    def visit_Repeat(self, node, glued):
        hi = "" if node.max is None else str(node.max)
        if not glued:
            return f"(?:{self(node.item, False)}){{{node.min},{hi}}}"
        first, more = self(node.item, True), self(node.item, False)
        rest_hi = "" if node.max is None else str(node.max - 1)
        body = f"(?:{first}(?:{more}){{{max(node.min - 1, 0)},{rest_hi}}})"
        return body if node.min >= 1 else body + "?"

    def visit_Capture(self, node, glued):
        return f"(?P<{node.name}>{self(node.item, glued)})"

    def visit_Look(self, node, glued):
        if self.drop_looks:
            return ""
        if node.behind:
            outer, self.behind = self.behind, True
            try:
                inner = self(node.pattern, True) + r"\s*"
            finally:
                self.behind = outer
            return f"(?<{'!' if node.negate else '='}{inner})"
        inner = self(node.pattern, False)
        return f"(?{'!' if node.negate else '='}{inner})"


# ---- where a match can start ---------------------------------------------------------------------
class _MayStartRaw(IRPatternVisitor):
    """Can a raw regex be the first element to consume text? (Then a match may start at white space.)"""

    def visit_Lit(self, node):
        return False

    visit_TokenClass = visit_LexRef = visit_FactRef = visit_Look = visit_TokenConstraint = visit_Lit

    def visit_Regex(self, node):
        return node.raw

    def visit_Capture(self, node):
        return self.visit(node.item)

    visit_Repeat = visit_Capture

    def visit_Alt(self, node):
        return any(self.visit(b) for b in node.branches)

    def visit_Seq(self, node):
        for item in node.items:
            if self.visit(item):
                return True
            if not nullable(item):
                return False
        return False


class _StartsAtTextStart(IRPatternVisitor):
    """Does every match begin with a raw regex anchored at the start of the text (`r/\\A.../`)? Then only
    position 0 needs trying."""

    def visit_Lit(self, node):
        return False

    visit_TokenClass = visit_LexRef = visit_FactRef = visit_Look = visit_Repeat = visit_TokenConstraint = visit_Lit

    def visit_Regex(self, node):
        return node.raw and node.source.startswith(r"\A") and "|" not in node.source

    def visit_Capture(self, node):
        return self.visit(node.item)

    def visit_Alt(self, node):
        return all(self.visit(b) for b in node.branches)

    def visit_Seq(self, node):
        first = next((item for item in node.items if not isinstance(item, A.Look)), None)
        return first is not None and self.visit(first)


_MAY_START_RAW, _STARTS_AT_TEXT_START = _MayStartRaw(), _StartsAtTextStart()


def may_start_raw(node) -> bool:
    """Can a raw regex be the first element to consume text? (Then a match may start at white space.)"""
    return _MAY_START_RAW.visit(node)


def starts_at_text_start(node) -> bool:
    """Does every match begin with a raw regex anchored at the start of the text? (See _StartsAtTextStart.)"""
    return _STARTS_AT_TEXT_START.visit(node)


def rule_regex(emit: "Emitter", pattern) -> str:
    """A whole rule's pattern: a match starts at a token (not at white space) unless it opens with a raw regex."""
    body = emit(pattern, True)
    if emit.mark:  # a rule testing NLP tokens: its text has marks (engine/nlp.py)
        body = NOT_IN_MARK + body
    return body if may_start_raw(pattern) else r"(?!\s)" + body


# ---- the plan ------------------------------------------------------------------------------------
@dataclass
class CompiledRule:
    rule: ir.Rule
    source: str
    trigger: frozenset | None
    prefilter_source: str | None = None
    gate: int | None = None  # the number of the Plan's gate that finds where this rule can start
    anchored: bool = False   # it can match only at the start of the text
    lists: dict = field(default_factory=dict, repr=False)  # named lists (shared by the plan's rules)
    code: tuple | None = field(default=None, repr=False)  # the parsed regex (see `regex_code`)
    # with scanned lexicons (lexscan.py): the regex and prefilter with a slot for each, filled per document
    template: tuple | None = field(default=None, repr=False)
    prefilter_template: tuple | None = field(default=None, repr=False)
    _pattern: regex.Pattern | None = field(default=None, repr=False)
    _prefilter: regex.Pattern | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def pattern(self) -> regex.Pattern:
        """Built on first use, from the kept program when there is one (a cached plan pays only for the rules
        a run needs, and never for parsing)."""
        if self._pattern is None:
            self._pattern = (self.code is not None and from_code(self.code)) or compile_regex(self.source, self.lists)
        return self._pattern

    @property
    def prefilter(self) -> regex.Pattern | None:
        """For rules scoped to sentences, lines or paragraphs: the pattern without look-arounds, searched
        over the whole text to find the first range worth matching in. It matches wherever the rule can
        (ranges end at white space, so boundaries behave alike), so skipping ranges before its next match
        loses nothing."""
        if self._prefilter is None and self.prefilter_source is not None:
            self._prefilter = compile_regex(self.prefilter_source, self.lists)
        return self._prefilter

    def __getstate__(self):
        return {"rule": self.rule, "source": self.source, "trigger": self.trigger,
                "prefilter_source": self.prefilter_source, "gate": self.gate, "anchored": self.anchored,
                "lists": self.lists, "code": self.code, "template": self.template,
                "prefilter_template": self.prefilter_template, "_pattern": None, "_prefilter": None}

    def __setstate__(self, state):
        self.__dict__.update(state)


@dataclass
class Plan:
    ruleset: ir.RuleModel
    rules: list[CompiledRule]             # in phase order
    phase_of: list[int]                   # rule number -> phase number
    fact_index: dict[str, int]
    trigger_index: dict[str, tuple[int, ...]]  # key -> numbers of the rules it triggers
    ungated: tuple[int, ...]              # rules that always run
    gates: list = field(default_factory=list)  # gate.Gate objects, one Hyperscan scan each
    needs_keys: bool = True               # do some triggers name words (so documents' words are needed)?
    scanned: dict = field(default_factory=dict)  # lexicon name -> lexscan.LexiconIndex (big lexicons)

    @property
    def nlp_needs(self):
        """What the rules need from an NLP pipeline (language/nlp.py NlpNeeds), or None."""
        return self.ruleset.nlp

    @property
    def phases(self) -> list[list[CompiledRule]]:
        out: list[list[CompiledRule]] = [[] for _ in range(max(self.phase_of, default=-1) + 1)]
        for cr, p in zip(self.rules, self.phase_of):
            out[p].append(cr)
        return out


class Pieces:
    """Compiled pieces (a rule's parsed regex program, a gate's Hyperscan database) by what they are compiled
    from, so that a rule set compiled again after an edit compiles only what changed. `known` are pieces kept
    from before (pipeline.py keeps them in the plan cache, per rule file); `used` records, for each piece this
    compile used, the rule file it belongs to and its value."""

    def __init__(self, known: dict | None = None, salt: str = ""):
        self.known = dict(known or {})
        self.salt = salt  # the versions of ierun and its libraries: a piece is never used by another version
        self.used: dict[str, tuple[str, object]] = {}
        self.made = 0
        self.file = ""  # the rule file of the pieces asked for now

    def key(self, what) -> str:
        import hashlib
        return hashlib.sha256(repr((self.salt, what)).encode()).hexdigest()

    def get(self, what, make):
        key = self.key(what)
        if key in self.known:
            value = self.known[key]
        else:
            value = make()
            self.made += 1
        self.used[key] = (self.file, value)
        return value


def _file_of(rule) -> str:
    return rule.loc.path if rule.loc is not None else ""


def _uses_slot(pattern) -> bool:
    """Does the pattern itself hold the slot character (then its lexicons are written out, never slotted)?"""
    return any(isinstance(n, (A.Lit, A.Regex)) and SLOT in (n.text if isinstance(n, A.Lit) else n.source)
               for n in walk(pattern))


def compile_ruleset(ruleset: ir.RuleModel, pieces: Pieces | None = None, scan_min: int = SCAN_MIN) -> Plan:
    """The IR -> a Plan. Lexicons of `scan_min` phrases or more are scanned (lexscan.py) in the rules whose
    regex is short without them."""
    fact_index = {name: i for i, name in enumerate(sorted(ruleset.facts))}
    lists: dict[str, list[str]] = {}
    emit = Emitter(ruleset, fact_index, lists=lists)
    relaxed = Emitter(ruleset, fact_index, drop_looks=True, lists=lists)
    relaxed.lex_cache = emit.lex_cache  # a lexicon is written the same with or without look-arounds
    big = frozenset(name for name, lex in ruleset.lexicons.items() if len(lex.phrases) >= scan_min)
    slotted = Emitter(ruleset, fact_index, lists=lists, scanned=big)
    slotted_relaxed = Emitter(ruleset, fact_index, drop_looks=True, lists=lists, scanned=big)
    slotted.lex_cache = slotted_relaxed.lex_cache = emit.lex_cache
    scanned: dict = {}
    lexicon_keys: dict = {}
    by_name = {r.name: r for r in ruleset.rules}
    rules, phase_of = [], []
    for phase_no, names in enumerate(ruleset.phases):
        for name in names:
            rule = by_name[name]
            source = rule_regex(emit.use(rule.pattern), rule.pattern)
            template = None
            if big and not _uses_slot(rule.pattern) and not constraints(rule.pattern):
                template = split_template(rule_regex(slotted.use(rule.pattern), rule.pattern), big)
                if template is not None and sum(map(len, template[0::2])) > TEMPLATE_MAX:
                    template = None  # compiled for each document, its long regex would cost more than the lexicon
            if template is not None:  # the full regex is compiled only if asked for (explain): never for a run
                code = None
                for lex_name in template[1::2]:
                    if lex_name not in scanned:
                        scanned[lex_name] = LexiconIndex(ruleset.lexicons[lex_name])
            elif pieces is not None:
                pieces.file = _file_of(rule)
                used = sorted(set(LIST_REF.findall(source)))
                code = pieces.get(("re", source, [(n, lists[n]) for n in used]), lambda: regex_code(source, lists))
            else:
                code = regex_code(source, lists)
            rules.append(CompiledRule(rule, source, triggers(ruleset, rule.pattern, lexicon_keys),
                                      anchored=starts_at_text_start(rule.pattern), lists=lists, code=code,
                                      template=template))
            phase_of.append(phase_no)
    gates = _gates(ruleset, rules, pieces)
    index, ungated = {}, []
    for number, cr in enumerate(rules):
        rule = cr.rule
        if cr.gate is None and rule.scope.kind in ("sentence", "line", "paragraph") and rule.scope.n is None \
                and not any(isinstance(n, A.Regex) for n in walk(rule.pattern)):
            cr.prefilter_source = relaxed.use(rule.pattern)(rule.pattern, True)  # a gated rule is tried where the gate says
            if cr.template is not None:
                cr.prefilter_template = split_template(slotted_relaxed.use(rule.pattern)(rule.pattern, True), big)
        if cr.gate is not None and cr.trigger is not None and not all(k.startswith(FACT_KEY) for k in cr.trigger):
            cr.trigger = None  # the gate finds the rule's words itself (and where they are)
        if cr.trigger is None:
            ungated.append(number)
        else:
            for key in cr.trigger:
                index.setdefault(key, []).append(number)
    needs_keys = any(not k.startswith(FACT_KEY) for k in index)
    return Plan(ruleset, rules, phase_of, fact_index, {k: tuple(v) for k, v in index.items()}, tuple(ungated),
                gates, needs_keys, scanned)


def _gates(ruleset: ir.RuleModel, rules: list[CompiledRule], pieces: Pieces | None = None) -> list:
    """One gate for each group of rules that see the same text (the same consumed facts masked) and come
    from the same rule file (so that editing one file compiles its gates only). Rules anchored at the start
    of the text need none: they are tried there once."""
    from . import gate
    if not gate.enabled():
        return []
    groups: dict[tuple, list[int]] = {}
    for number, cr in enumerate(rules):
        if not cr.anchored and not constraints(cr.rule.pattern):  # a rule testing NLP tokens reads marks
            groups.setdefault((cr.rule.consumes, _file_of(cr.rule)), []).append(number)
    out = []
    for (_, file), numbers in groups.items():
        if pieces is not None:
            pieces.file = file
        g = gate.build(ruleset, [(i, rules[i].rule.pattern, may_start_raw(rules[i].rule.pattern)) for i in numbers],
                       pieces)
        if g is not None:
            for i in g.modes:
                rules[i].gate = len(out)
            out.append(g)
    return out


def pattern_regex(ruleset: ir.RuleModel, pattern) -> str:
    """The regex source for one pattern, lexicons written out (for reading)."""
    return rule_regex(Emitter(ruleset, {name: i for i, name in enumerate(sorted(ruleset.facts))}).use(pattern), pattern)


def compile_pattern(ruleset: ir.RuleModel, pattern) -> regex.Pattern:
    """One pattern compiled as the engine compiles it (used by tests)."""
    lists: dict[str, list[str]] = {}
    fact_index = {name: i for i, name in enumerate(sorted(ruleset.facts))}
    source = rule_regex(Emitter(ruleset, fact_index, lists=lists).use(pattern), pattern)
    return compile_regex(source, lists)
