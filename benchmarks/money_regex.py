"""One hand-written money pattern, the way an analyst would write it without ierun: the `regex` module, case
ignored, a currency symbol, ISO code or currency word with a number and an optional scale word, in either
order. The fair counterpart of the CLI: JSON Lines in (the `text` and `id` of each record), JSON Lines out
(one line per match). benchmarks/vs_regex.py times it against the full pack.

Usage: python benchmarks/money_regex.py IN.jsonl [IN2.jsonl ...] -o OUT.jsonl"""
import argparse
import json

import regex

SYMBOL = r"(?:US\$|U\.S\.\s?\$|C\$|A\$|HK\$|NZ\$|\$|€|£|¥|₹|R\$|Rs\.?|SFr\.?)"
CODE = r"(?:USD|EUR|GBP|JPY|CAD|AUD|CHF|CNY|HKD|INR|SEK|NOK|DKK|NZD|ZAR|RUB|BRL|MXN|SGD|KRW)"
WORD = (r"(?:(?:U\.S\.|US|Canadian|Australian|Hong\s+Kong|New\s+Zealand)\s+)?"
        r"(?:dollars?|dlrs?|euros?|pounds?\s+sterling|pounds?|stg|sterling|yen|yuan|francs?|marks?|lire|"
        r"guilders?|crowns?|kroner|rupees?|riyals?|pesos?|rand|roubles?|rubles?|won|cents?|cts|pence)")
NUMBER = r"\d+(?:[.,]\d+)*"
SCALE = r"(?:trillion|billion|million|thousand|bln|mln|bn|tn|m|k)\b"
MONEY = regex.compile(
    rf"(?:{SYMBOL}\s?{NUMBER}(?:\s*{SCALE})?"            # $1.8 billion, US$5m, €250
    rf"|\b{CODE}\s?{NUMBER}(?:\s*{SCALE})?"              # USD 200, GBP3.01
    rf"|\b{NUMBER}(?:\s*{SCALE})?\s*(?:{CODE}|{WORD})\b"  # 300 mln dlrs, 5 mln USD, 16 billion yen
    rf"|\b{NUMBER}\s?(?:{SYMBOL}))",                       # 20€
    regex.IGNORECASE)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    encode = json.JSONEncoder(ensure_ascii=False).encode
    with open(a.output, "w", encoding="utf-8") as out:
        for path in a.inputs:
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    rec = json.loads(line)
                    text, doc = rec["text"], rec.get("id")
                    out.write("".join(encode({"doc": doc, "type": "Money", "start": m.start(), "end": m.end(),
                                              "text": m.group()}) + "\n" for m in MONEY.finditer(text)))


if __name__ == "__main__":
    main()
