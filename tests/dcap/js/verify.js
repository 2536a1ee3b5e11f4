#!/usr/bin/env node
// Reference verdict from Phala's @phala/dcap-qvl (pure JS) for tests/dcap and bench/: one JSON line
// {"ok", "status", "advisoryIds", "error"} for QUOTE (binary, hex or 0x-hex) + COLLATERAL at NOW,
// against ROOT_DER (default: the Intel root the package pins).
// usage: verify.js QUOTE COLLATERAL NOW [ROOT_DER] [--repeat N]
'use strict';
const fs = require('fs');
const { verify, QuoteVerifier } = require('@phala/dcap-qvl/src/verify');

function readQuote(path) {
  const raw = fs.readFileSync(path);
  const text = raw.toString('latin1').trim().replace(/^0x/i, '');
  return /^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0 ? new Uint8Array(Buffer.from(text, 'hex')) : new Uint8Array(raw);
}

const args = process.argv.slice(2);
let repeat = 1;
const at = args.indexOf('--repeat');
if (at >= 0) { repeat = parseInt(args[at + 1], 10); args.splice(at, 2); }
const [quotePath, collPath, now, rootPath] = args;
const quote = readQuote(quotePath);
const collateral = JSON.parse(fs.readFileSync(collPath, 'utf8'));
const verifier = rootPath ? QuoteVerifier.newWithRootCa(fs.readFileSync(rootPath)) : null;
let out;
for (let i = 0; i < repeat; i++) {
  try {
    const r = verifier ? verifier.verify(quote, collateral, Number(now)) : verify(quote, collateral, Number(now));
    out = { ok: true, status: r.status, advisoryIds: r.advisory_ids || r.advisoryIds || [] };
  } catch (e) {
    out = { ok: false, error: e.message };
  }
}
console.log(JSON.stringify(out));
