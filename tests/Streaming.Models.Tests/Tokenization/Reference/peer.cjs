// The tokenizer tests' reference: Hugging Face's JavaScript tokenizers (@huggingface/tokenizers).
// stdin:  {"peer": "<build/node-peer>", "tokenizer": "<tokenizer.json>", "texts": [...], "addSpecialTokens": bool}
// stdout: {"ids": [[...], ...], "decoded": ["...", ...]}
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

const request = JSON.parse(fs.readFileSync(0, "utf8"));
const peerRequire = createRequire(path.join(request.peer, "package.json"));
const { Tokenizer } = peerRequire("@huggingface/tokenizers");

const tokenizer = new Tokenizer(JSON.parse(fs.readFileSync(request.tokenizer, "utf8")), {});
const ids = request.texts.map((text) => tokenizer.encode(text, { add_special_tokens: request.addSpecialTokens }).ids);
const decoded = ids.map((x) => (x.length === 0 ? "" : tokenizer.decode(x, { skip_special_tokens: false, clean_up_tokenization_spaces: false })));
process.stdout.write(JSON.stringify({ ids, decoded }));
