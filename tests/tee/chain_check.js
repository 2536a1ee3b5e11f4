// An independent check of a teebuild bundle's tee.keySignatureChain with @noble/curves (not our
// libsecp256k1/Botan code): each link recovered as dstack's own SDK verifies GetKey chains, the
// last one ending at the KMS root the simulator's GetKey chain (fetched with @phala/dstack-sdk)
// ends at. Usage: DSTACK_SIMULATOR_ENDPOINT=SOCKET node chain_check.js BUNDLE
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { secp256k1 } = require('@noble/curves/secp256k1');
const { keccak_256 } = require('@noble/hashes/sha3');
const { DstackClient } = require('@phala/dstack-sdk');

const hex = (b) => Buffer.from(b).toString('hex');
function fail(msg) {
  console.error(`chain_check: ${msg}`);
  process.exit(1);
}
function recover(message, sig) {
  const s = secp256k1.Signature.fromCompact(sig.subarray(0, 64)).addRecoveryBit(sig[64]);
  return Buffer.from(s.recoverPublicKey(keccak_256(message)).toRawBytes(true));
}
const kmsMessage = (appId, appPub) => Buffer.concat([Buffer.from('dstack-kms-issued:'), appId, appPub]);

(async () => {
  const bundle = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const c = bundle.tee.keySignatureChain;
  const spki = crypto.createPublicKey(bundle.verificationMaterial.publicKey).export({ type: 'spki', format: 'der' });
  const spkiHash = crypto.createHash('sha256').update(spki).digest('hex');
  const derived = recover(Buffer.from(`teebuild-signing-key:${spkiHash}`), Buffer.from(c.keyLinkSignature, 'hex'));
  if (hex(derived) !== c.derivedPublicKey) fail('the key link does not recover derivedPublicKey');
  const appPub = recover(Buffer.from(`${c.purpose}:${c.derivedPublicKey}`), Buffer.from(c.signatureChain[0], 'hex'));
  const root = recover(kmsMessage(Buffer.from(c.appId, 'hex'), appPub), Buffer.from(c.signatureChain[1], 'hex'));

  // The same simulator's chain for another path, as Phala's SDK gets it, ends at the same root.
  const client = new DstackClient();
  const info = await client.info();
  if (info.app_id !== c.appId) fail(`Info app_id ${info.app_id}, chain appId ${c.appId}`);
  const k = await client.getKey('some/other/path', 'sdk-check');
  const sdkDerived = Buffer.from(secp256k1.getPublicKey(Buffer.from(k.key).subarray(0, 32), true));
  const sdkApp = recover(Buffer.from(`sdk-check:${hex(sdkDerived)}`), Buffer.from(k.signature_chain[0]));
  const sdkRoot = recover(kmsMessage(Buffer.from(info.app_id, 'hex'), sdkApp), Buffer.from(k.signature_chain[1]));
  if (!sdkApp.equals(appPub)) fail('the SDK chain has another app key');
  if (!sdkRoot.equals(root)) fail(`KMS roots differ: bundle ${hex(root)}, SDK ${hex(sdkRoot)}`);
  console.log(hex(root));
})().catch((e) => fail(e.stack || String(e)));
