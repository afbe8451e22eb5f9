// Tokenizes .ie files with the TextMate grammar as VS Code does (vscode-textmate + the Oniguruma regex engine)
// and fails when a non-blank piece of text gets no scope of its own:
//     cd editors/vscode && npm install && npm run check            (the pack's rules and the examples)
//     node check-grammar.js FILE.ie...
const fs = require("fs"), path = require("path");
const vsctm = require("vscode-textmate"), oniguruma = require("vscode-oniguruma");

const root = path.join(__dirname, "..", "..");
const grammarPath = path.join(__dirname, "..", "ierun.tmLanguage.json");
const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
const onigLib = oniguruma.loadWASM(wasm).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));

function ruleFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? ruleFiles(path.join(dir, e.name)) : e.name.endsWith(".ie") ? [path.join(dir, e.name)] : []);
}

const files = process.argv.length > 2 ? process.argv.slice(2)
  : [...ruleFiles(path.join(root, "rules")), ...ruleFiles(path.join(root, "examples"))];
const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, "utf8"), grammarPath),
});
registry.loadGrammar("source.ierun").then((grammar) => {
  let unscoped = 0;
  for (const file of files) {
    let state = vsctm.INITIAL;
    fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      const r = grammar.tokenizeLine(line, state);
      for (const t of r.tokens) {
        const text = line.slice(t.startIndex, t.endIndex), scope = t.scopes[t.scopes.length - 1];
        if (text.trim() && (scope === "source.ierun" || scope.startsWith("meta."))) {
          unscoped++;
          console.log(`${file}:${i + 1}:${t.startIndex + 1}: no scope for ${JSON.stringify(text)} (${t.scopes.join(" ")})`);
        }
      }
      state = r.ruleStack;
    });
  }
  console.log(`${files.length} files, ${unscoped} pieces of text without a scope`);
  process.exit(unscoped ? 1 : 0);
});
