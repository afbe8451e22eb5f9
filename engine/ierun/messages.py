"""Every error ierun reports, in one catalogue (spaCy's `class Errors`): a stable code, the message as a
template, and a hint (a template too, or None when the place that reports it computes the hint, e.g. the
closest known name). Stages report `problems.error(Errors.UNKNOWN_FACT, loc, hint, type=name)`; nothing
writes a message inline. The codes' meanings are `CODES`; tests/test_errors.py renders every entry."""
from __future__ import annotations

from dataclasses import dataclass
from string import Formatter


@dataclass(frozen=True, slots=True)
class Message:
    code: str
    template: str
    hint: str | None = None

    def fields(self) -> set[str]:
        """The names the templates need."""
        return {f for text in (self.template, self.hint or "") for _, f, _, _ in Formatter().parse(text) if f}

    def render(self, **values) -> tuple[str, str | None]:
        """(message, hint) with the values filled in."""
        return self.template.format(**values), self.hint.format(**values) if self.hint else None


# The stable codes: what each means.
CODES = {
    "E001": "syntax error in a rule file",
    "E002": "YAML syntax error",
    "E003": "wrong structure in a YAML rule file",
    "E004": "unreadable rule file",
    "E101": "unknown fact type",
    "E102": "duplicate name",
    "E103": "unknown lexicon",
    "E104": "unknown named pattern",
    "E105": "unknown capture",
    "E106": "missing required field",
    "E107": "unknown field",
    "E108": "type mismatch",
    "E109": "invalid currency code",
    "E110": "cycle",
    "E111": "invalid regular expression",
    "E112": "missing lexicon file",
    "E113": "lexicon file outside the rules directory",
    "E114": "example does not type-check",
    "E115": "unknown function or wrong arguments",
    "E116": "unknown type",
    "E117": "bad lexicon entry",
    "E118": "pattern can match empty text",
    "E119": "bad option value",
    "E120": "unknown fact field",
    "E121": "no rule files",
    "E122": "a rule too large: nested too deeply or repeated too many times",
    "E150": "bad scoring scheme",
    "E201": "a rule ran out of time on a document",
    "E301": "a request ierun explain cannot answer",
    # lint warnings (`ierun check`; errors with --strict; `# allow Wxxx` on the rule's line keeps one quiet)
    "W301": "an embedded regex or a pattern open to catastrophic backtracking",
    "W302": "a rule shadowed by another",
    "W303": "an unused lexicon or named pattern",
    "W304": "a lexicon entry listed twice with different values",
    "W305": "a rule with fewer than two examples",
    "W306": "a rule without a counter-example",
    "W307": "a capitalized-word name that can swallow a sentence-initial function word",
}


class Errors:
    # ---- reading rule files (pipeline)
    NO_RULE_FILES = Message("E121", "no rule files (*.ie, *.yaml, *.yml) in directory {path}")
    NO_SUCH_PATH = Message("E004", "{path}: no such rule file or directory")
    UNREADABLE = Message("E004", "{path}: cannot read rule file: {reason}")
    NOT_UTF8 = Message("E004", "rule file is not UTF-8 (byte {offset}: {byte})")
    # ---- the .ie front-end
    QUANTIFIER_BELOW = Message("E001", "bad quantifier {quantifier}: the maximum is below the minimum",
                               "write {{m,n}} with m <= n")
    QUANTIFIER_NOTHING = Message("E001", "bad quantifier {quantifier}: it repeats nothing", "use a maximum of at least 1")
    EMPTY_LITERAL = Message("E001", "an empty literal matches nothing", "write the text to match between the quotes")
    NO_MATCH = Message("E001", "rule '{rule}' has no 'match' pattern", "add: match PATTERN")
    UNEXPECTED_CHARACTER = Message("E001", "unexpected character {found!r} in {what}")
    UNEXPECTED_END = Message("E001", "unexpected end of {what}")
    UNEXPECTED_TOKEN = Message("E001", "unexpected {found} in {what}")
    # ---- YAML
    YAML_SYNTAX = Message("E002", "YAML: {problem}",
                          "check the indentation, the brackets and the quotes of this line and the one above")
    YAML_UNCLOSED = Message("E002", "unclosed '{open}': no '{close}' before {where}",
                            "close the {what} with '{close}' on the line it starts ({example}), or write its items "
                            "on lines of their own")
    YAML_STRAY_CLOSE = Message("E002", "'{char}' closes nothing", "remove it, or open the list with '[' before it")
    YAML_INDENT = Message("E002", "indentation: this line does not line up with the block that starts on line {line}",
                          "start the keys of one mapping, or the items '- ...' of one list, in the same column "
                          "(with spaces); one block cannot mix '- item' and 'key: value'")
    YAML_INDENTED_MORE = Message("E002", "indentation: this line is indented more than the line above, so it is read "
                                 "as the rest of that line's value", "start the keys of one mapping in the same column")
    YAML_NO_COLON = Message("E002", "this line is neither 'key: value' nor a list item '- ...'",
                            "write the key, a ':' and a space, then the value")
    YAML_SECOND_COLON = Message("E002", "a second ': ' on one line: {value!r} would be read as a key and a value",
                                "quote a value that contains ': ', e.g. {key}: \"{value}\"")
    YAML_ESCAPE = Message("E002", "'\\{char}' is not an escape inside double quotes",
                          "inside \"...\" write a backslash as \\\\, or quote the text with single quotes '...'")
    YAML_TAB = Message("E002", "a tab character: YAML indents with spaces only", "replace the tab with spaces")
    YAML_UNCLOSED_QUOTE = Message("E002", "unclosed quote: the text that starts here has no closing {quote}",
                                  "close it with {quote} on the same line")
    YAML_NOT_MAPPING = Message("E003", "{what} must be a mapping (key: value)")
    YAML_KEY_NOT_STRING = Message("E003", "a key in {what} must be a plain string")
    YAML_UNKNOWN_KEY = Message("E003", "unknown key '{key}' in {what}")
    YAML_DUPLICATE_KEY = Message("E102", "duplicate key '{key}' in {what}")
    YAML_NOT_SCALAR = Message("E003", "{what} must be a single value, not a {found}")
    YAML_NOT_BOOL = Message("E003", "{what} must be true or false")
    YAML_NOT_INT = Message("E003", "{what} must be a whole number")
    YAML_BAD_VALUE = Message("E003", "a value must be a string, number, true/false or null")
    YAML_INEXACT_NUMBER = Message("E003", "'{value}' is not an exact number", "quote it to make it a string")
    YAML_FACT_NAME = Message("E001", "fact type name '{name}' must start with a capital letter")
    YAML_ENTRIES = Message("E003", "'entries' must be a list or a mapping")
    YAML_LEXICON_ENTRY = Message("E003", "a lexicon entry is a phrase, 'phrase: value', or {{phrases: [...], value: ...}}")
    YAML_FILE_AND_ENTRIES = Message("E003", "lexicon '{name}' has both 'file' and 'entries'", "keep one of them")
    YAML_EXAMPLES_LIST = Message("E003", "'{key}' must be a list")
    YAML_EXAMPLE_TEXT = Message("E003", "an example needs 'text'")
    YAML_RULE_EMITS = Message("E003", "rule '{rule}' needs 'emits: FactType'")
    YAML_RULE_MATCH = Message("E003", "rule '{rule}' needs 'match: PATTERN'")
    # ---- names and types
    DUPLICATE = Message("E102", "duplicate {what} '{name}'", "first defined at {first}")
    DUPLICATE_FIELD = Message("E102", "duplicate field '{field}' in fact type '{fact}'")
    SECOND_PUBLISHER = Message("E102", "fact type '{fact}' also publishes the date; only one fact type may",
                               "'{first}' already does")
    FIELD_SET_TWICE = Message("E102", "field '{field}' is set twice in rule '{rule}'")
    UNKNOWN_TYPE = Message("E116", "unknown type '{type}'")
    UNKNOWN_PUBLISHED_FIELD = Message("E120", "fact type '{fact}' publishes unknown field '{field}'")
    PUBLISHES_NON_DATE = Message("E108", "'publishes {field}' needs a date field, not '{type}'")
    UNKNOWN_LEXICON = Message("E103", "unknown lexicon '@{name}'")
    UNKNOWN_PATTERN = Message("E104", "unknown named pattern '%{name}'")
    UNKNOWN_FACT = Message("E101", "unknown fact type '{type}'")
    # ---- patterns
    BAD_REGEX = Message("E111", "invalid regular expression: {reason}")
    BAD_REGEX_VERSION = Message("E111", "invalid regular expression: {reason}",
                                "ierun compiles every regex with the regex module's version 0 behaviour: remove (?V1)")
    BAD_REGEX_UNCLOSED = Message("E111", "invalid regular expression: {reason}",
                                 "this '{char}' is never closed: add '{close}', or write \\{char} for a literal '{char}'")
    TOKEN_REGEX_SPACE = Message("E111", "a token regex must not match white space",
                                "use r/.../ to match raw characters, white space included")
    PATTERN_CYCLE = Message("E110", "named patterns refer to each other in a cycle: {cycle}",
                            "a named pattern cannot contain itself")
    MATCHES_EMPTY = Message("E118", "{what} can match empty text", "make at least one element required")
    REPEATS_EMPTY = Message("E118", "a repeated element can match empty text", "make the repeated element required")
    # ---- bounds (language/limits.py)
    TOO_DEEP = Message("E122", "{what} nested deeper than {limit} levels",
                       "split the pattern into a few named patterns of moderate depth, or flatten the groups")
    PATTERN_TOO_DEEP = Message("E122", "{what} nested deeper than {limit} levels (with the named patterns it uses)",
                               "split the pattern into a few named patterns of moderate depth, or flatten the groups")
    YAML_TOO_DEEP = Message("E122", "YAML nested deeper than {limit} levels", "a rule file needs only a few levels")
    REPEAT_BOUND = Message("E122", "a repetition bound of {bound} is more than {limit}",
                           "bound a repetition by at most {limit} (or use + or * for 'any number')")
    REGEX_REPEAT_BOUND = Message("E122", "a repetition bound of {bound} in a regex is more than {limit}",
                                 "bound a repetition by at most {limit} (or use + or * for 'any number')")
    REPEAT_PRODUCT = Message("E122", "repetitions inside repetitions repeat {product:,} times, more than {limit:,}",
                             "bound the inner or the outer repetition more tightly")
    # ---- expressions and fields
    UNKNOWN_CAPTURE = Message("E105", "unknown capture '{name}'")
    TEXT_HAS_NO_FIELD = Message("E120", "'{capture}' captures text, not a fact, so it has no field '{field}'",
                                "capture a fact with {capture}:<FactType>")
    UNKNOWN_FACT_FIELD = Message("E120", "fact type '{fact}' has no field '{field}'")
    UNKNOWN_FUNCTION = Message("E115", "unknown function '{name}'")
    WRONG_ARGUMENTS = Message("E115", "{name}() takes {want} argument{s}, {given} given")
    CANNOT_NEGATE = Message("E108", "cannot negate a '{type}'", "convert text with number(...)")
    COALESCE_TYPES = Message("E108", "'??' joins a '{left}' and a '{right}'", "both sides need the same type")
    ARITHMETIC_TYPE = Message("E108", "arithmetic '{op}' on a '{type}'")
    SCOPE_FIRST_ZERO = Message("E119", "scope 'first 0' leaves no text to match",
                               "give the number of characters from the start, e.g. scope first 300")
    UNKNOWN_FIELD = Message("E107", "fact type '{fact}' has no field '{field}'")
    FIELD_TYPE = Message("E108", "field '{field}': {problem}")
    BAD_CURRENCY = Message("E109", "{reason}", "ISO 4217 codes are three capital letters: USD, EUR, GBP")
    MISSING_FIELD = Message("E106", "rule '{rule}' does not set the required field '{field}' of '{fact}'",
                            "add: {field} = ...")
    # ---- examples
    EXAMPLE_PUBLISHED = Message("E114", "example's published date: {reason}")
    EXAMPLE_UNKNOWN_FIELD = Message("E114", "example names unknown field '{field}' of '{fact}'")
    EXAMPLE_FIELD = Message("E114", "example field '{field}': {reason}")
    # ---- cascades
    FACT_CYCLE = Message("E110", "rules consume facts in a cycle: {cycle}",
                         "rule '{rule}' emits {fact} from <{consumed}>; a fact type cannot depend on itself")
    # ---- lexicons
    TSV_LINE = Message("E117", "a .tsv lexicon line is 'phrase<TAB>value' (synonyms joined by '|')")
    LEXICON_UNREADABLE = Message("E112", "cannot read lexicon file '{file}': {reason}")
    LEXICON_NEEDS_VALUE = Message("E117", "lexicon '{name}' of type '{type}' needs a value here",
                                  "write \"phrase\" => value")
    LEXICON_VALUE = Message("E108", "lexicon '{name}': {reason}")
    LEXICON_CURRENCY = Message("E109", "lexicon '{name}': {reason}")
    LEXICON_UNTYPED_VALUE = Message("E117", "lexicon '{name}' has no value type, but this entry has a value",
                                    "declare it as 'lexicon {name}: TYPE'")
    LEXICON_EMPTY_PHRASE = Message("E117", "empty phrase in lexicon '{name}'")
    LEXICON_SUFFIX = Message("E112", "lexicon file '{file}' must end in .txt, .tsv, .yaml or .yml")
    LEXICON_OUTSIDE = Message("E113", "lexicon file '{file}' is outside the rules directory {root}",
                              "keep lexicon files next to the rules that use them")
    LEXICON_MISSING = Message("E112", "lexicon file '{file}' not found (looked for {path})")
    # ---- scoring schemes (ierun eval)
    SCORING_NOT_TOML = Message("E150", "scoring file is not TOML: {reason}")
    SCORING_UNKNOWN_FACT = Message("E150", "scoring scheme for unknown fact type '{fact}'")
    SCORING_SHAPE = Message("E150", "scoring scheme '{fact}' needs gold = \"KEY\" and a [{fact}.measures] table")
    SCORING_BAD_SHAPE = Message("E150", "scoring scheme '{fact}': shape must be one of {shapes}, not {shape!r}")
    SCORING_ITEM = Message("E150", "measure '{fact}.{measure}': each item is \"FIELD:NORMALIZER\", the normalizer "
                                   "one of {normalizers}")
    SCORING_UNKNOWN_FIELD = Message("E150", "measure '{fact}.{measure}' names unknown field '{field}' of '{fact}'")
    SCORING_TWICE = Message("E150", "{path}: a second scoring scheme for fact type '{fact}'")
    # ---- lint warnings (language/lint.py)
    BACKTRACKING = Message("W301", "{what} is open to catastrophic backtracking: {why}",
                           "make the repetitions unambiguous: one way to split a text between them")
    SHADOWED = Message("W302", "rule '{rule}' is shadowed by '{other}': each of its examples yields a fact of "
                               "'{other}' instead", "give '{rule}' a higher priority, or narrow '{other}'")
    UNUSED_LEXICON = Message("W303", "lexicon '{name}' is never used", "use it as @{name}, or remove it")
    UNUSED_PATTERN = Message("W303", "named pattern '{name}' is never used", "use it as %{name}, or remove it")
    LEXICON_CONFLICT = Message("W304", "lexicon '{name}': '{phrase}' is listed twice with different values "
                                       "({first} and {second})", "the first value wins: keep one entry ({where})")
    FEW_EXAMPLES = Message("W305", "rule '{rule}' has {n} example{s}", "give at least two examples of what it finds")
    NO_COUNTER = Message("W306", "rule '{rule}' has no counter-example",
                         "add: counter \"a text it must not match\"")
    SWALLOWS_FUNCTION_WORD = Message("W307", "rule '{rule}' starts with a capitalized-word name that can swallow a "
                                             "sentence-initial function word ({words})",
                                     "exclude them first: (?! \"But\" | \"On\" | ...) CAPWORD, or a lexicon of them")
    # ---- running
    TIMEOUT = Message("E201", "rule '{rule}' ran out of time ({seconds:g} s) on document {doc}; its matches in this "
                              "document are skipped",
                      "the limit is {seconds:g} s plus {seconds:g} s per {chars:,} characters ({budget:.3g} s here), "
                      "for all of the rule's matching in the document together; an embedded regex that backtracks "
                      "catastrophically needs unambiguous repetitions (raise --timeout if the rule is only slow)")
    # ---- explaining (ierun explain, RuleSet.explain)
    EXPLAIN_UNKNOWN_RULE = Message("E301", "no rule named {name!r} (known: {known})")
    EXPLAIN_UNKNOWN_TYPE = Message("E301", "no fact type {name!r} (known: {known})")
    EXPLAIN_NOT_FOUND = Message("E301", "--find: {text!r} does not occur in the text")
    EXPLAIN_OFFSET = Message("E301", "--at {at}: outside the text (0-{length})")


def entries() -> dict[str, Message]:
    """Every message of the catalogue, by name."""
    return {name: m for name, m in vars(Errors).items() if isinstance(m, Message)}


# ---- NLP pipelines: `uses nlp`, annotation facts, token constraints (issue 17) ----------------------
CODES.update({
    "E131": "unknown token attribute or value",
    "E132": "a wrong NLP declaration (`uses nlp`)",
    "E202": "rules need an NLP pipeline and none was given",
    "W401": "rules skipped: no NLP pipeline was given for their optional `uses nlp` declaration",
})
Errors.TOKEN_ATTR = Message("E131", "unknown token attribute '{attr}'", "token attributes are pos, tag and lemma")
Errors.TOKEN_POS = Message("E131", "unknown part of speech '{value}' (pos takes a Universal Dependencies tag)")
Errors.TOKEN_REGEX_VALUE = Message("E111", "invalid regular expression in a token test: {reason}")
Errors.NLP_LABEL_IS_FACT = Message("E132", "'{label}' is both an NLP entity label and a fact type declared at {where}",
                                   "rename the fact type: entity labels become fact types of their own")
Errors.NLP_EMITS_ENTITY = Message("E132", "rule '{rule}' emits '{label}', an NLP entity label: entities come from the "
                                          "pipeline only", "emit a fact type of your own, e.g. fact Person {{...}}")
Errors.NLP_UNDECLARED_TOKENS = Message("E132", "rule '{rule}' tests NLP tokens, but its file has no 'uses nlp' "
                                               "declaration", "add: uses nlp tokens (or 'uses nlp tokens optional')")
Errors.NLP_MISSING = Message("E202", "the rules need an NLP pipeline ({what}, declared here) and none was given",
                             "run with --nlp NAME (an installed spaCy pipeline, e.g. en_core_web_sm) or --nlp record, "
                             "pass annotations=..., or mark the declaration 'optional'")
Errors.NLP_SKIPPED = Message("W401", "no NLP pipeline: {n} rule{s} needing one skipped ({rules})",
                             "run with --nlp NAME or --nlp record to use them")
Errors.TOKEN_WITH_REGEX = Message("E132", "rule '{rule}' tests NLP tokens and uses a regex: a regex would read the "
                                          "marks of the pipeline's tokens",
                                  "write it with literals, token classes or lexicons, or match it in a rule of its "
                                  "own whose facts this rule consumes")
Errors.TOKEN_TOO_MANY = Message("E132", "rule '{rule}' tests {n} different token constraints, more than {limit}",
                                "split the rule, or join tests with '&' or a regex value: [tag=/^(NN|NNP)$/]")

# ---- NLP pipelines that cannot be loaded (nlp.py: --nlp, ierun.load(nlp=)) ------------------------------
CODES.update({"E401": "an NLP pipeline that cannot be loaded"})
Errors.NLP_NO_SPACY = Message("E401", "--nlp {spec}: spaCy is not installed",
                              "install ierun[spacy]: pip install 'ierun[spacy]'")
Errors.NLP_CANNOT_LOAD = Message("E401", "--nlp {spec}: cannot load the NLP pipeline: {reason}")
