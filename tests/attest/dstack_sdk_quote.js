// Phala's own JS client (@phala/dstack-sdk) against `teebuild tee-sim`, reached through
// DSTACK_SIMULATOR_ENDPOINT exactly as a dstack app would reach its agent.
// Usage: DSTACK_SIMULATOR_ENDPOINT=SOCKET node dstack_sdk_quote.js
'use strict';
const { DstackClient } = require('@phala/dstack-sdk');

function fail(msg) {
  console.error(`dstack-sdk: ${msg}`);
  process.exit(1);
}

(async () => {
  const client = new DstackClient();
  const asked = Buffer.from('teebuild asks for a quote');
  const q = await client.getQuote(asked);
  const want = asked.toString('hex').padEnd(128, '0');
  if (q.report_data !== want) fail(`report_data ${q.report_data}, want ${want}`);
  const quote = Buffer.from(q.quote, 'hex');
  if (quote.readUInt16LE(0) !== 4 || quote.readUInt32LE(4) !== 0x81) fail('not a TDX v4 quote');
  if (quote.subarray(568, 632).toString('hex') !== want) fail("the quote's report_data is not the padded request");
  const rtmrs = q.replayRtmrs();
  if (quote.subarray(520, 568) /* RTMR3 */.toString('hex') !== rtmrs[3]) fail('event log does not replay to RTMR3');
  const info = await client.info();
  if (info.tee !== 'simulated' || typeof info.tcb_info.mrtd !== 'string') fail('Info does not say simulated');
  const k1 = await client.getKey('wallet/eth');
  const k2 = await client.getKey('wallet/eth');
  if (Buffer.compare(Buffer.from(k1.key), Buffer.from(k2.key)) !== 0 || k1.key.length !== 32) fail('GetKey');
  let refused = false;
  try {
    await client.getQuote(Buffer.alloc(65));
  } catch (e) {
    refused = true;
  }
  if (!refused) fail('65 bytes of report_data were accepted');
  console.log(`dstack-sdk: quote of ${quote.length} bytes carries ${want.slice(0, 16)}..., padded; Info and GetKey work`);
})().catch((e) => fail(e.stack || String(e)));
