"""The rule language: front-ends (.ie with lark, YAML), the AST (`nodes`), visitors, checking passes, lowering
to the IR (`ir`), the printer, lexicon loading, token definition, value types and built-in functions.
Nothing here knows how rules are compiled or run."""
