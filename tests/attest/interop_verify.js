// Verify a teebuild DSSE envelope with sigstore-js's own PAE and crypto helpers (@sigstore/core).
// Usage: node interop_verify.js OUT
'use strict';
const fs = require('fs');
const { crypto, dsse } = require('@sigstore/core');

const out = process.argv[2];
const bundle = JSON.parse(fs.readFileSync(`${out}/teebuild.bundle.json`, 'utf8'));
const env = bundle.dsseEnvelope;
const payload = Buffer.from(env.payload, 'base64');
const pae = dsse.preAuthEncoding(env.payloadType, payload);
const key = crypto.createPublicKey(bundle.verificationMaterial.publicKey);
const sig = Buffer.from(env.signatures[0].sig, 'base64');
if (!crypto.verify(pae, key, sig, 'sha256')) {
  console.error('@sigstore/core: DSSE signature does NOT verify');
  process.exit(1);
}
const tampered = Buffer.from(payload);
tampered[10] ^= 1;
if (crypto.verify(dsse.preAuthEncoding(env.payloadType, tampered), key, sig, 'sha256')) {
  console.error('@sigstore/core: a tampered payload verified');
  process.exit(1);
}
console.log('@sigstore/core: DSSE signature verifies; a tampered payload does not');
