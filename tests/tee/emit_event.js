// Phala's own JS client (@phala/dstack-sdk) emits events into `teebuild tee-sim` and checks that the
// next quote's RTMR3 is the replay of the served event log, with the events last and in order.
// Usage: DSTACK_SIMULATOR_ENDPOINT=SOCKET node emit_event.js OUT_JSON
// Writes the GetQuote response after the events to OUT_JSON, for `teebuild quote verify`.
'use strict';
const fs = require('fs');
const { DstackClient } = require('@phala/dstack-sdk');

function fail(msg) {
  console.error(`dstack-sdk: ${msg}`);
  process.exit(1);
}
const rtmr3 = (q) => Buffer.from(q.quote, 'hex').subarray(520, 568).toString('hex');

(async () => {
  const client = new DstackClient();
  const before = await client.getQuote(Buffer.from('before'));
  if (before.replayRtmrs()[3] !== rtmr3(before)) fail('the boot log does not replay to RTMR3');
  await client.emitEvent('teebuild-test', 'first payload');
  await client.emitEvent('teebuild-test-bytes', Buffer.from([0, 1, 2, 255]));
  // an app restating its identity: logged and measured, but after system-ready
  await client.emitEvent('compose-hash', Buffer.alloc(32, 0xee));
  const after = await client.getQuote(Buffer.from('after'));
  if (after.replayRtmrs()[3] !== rtmr3(after)) fail('the log after EmitEvent does not replay to RTMR3');
  if (rtmr3(after) === rtmr3(before)) fail('EmitEvent did not extend RTMR3');
  const log = JSON.parse(after.event_log);
  const tail = log.slice(-4).map((e) => [e.event, e.event_payload, e.imr]);
  const want = [['system-ready', '', 3], ['teebuild-test', Buffer.from('first payload').toString('hex'), 3],
                ['teebuild-test-bytes', '000102ff', 3], ['compose-hash', 'ee'.repeat(32), 3]];
  if (JSON.stringify(tail) !== JSON.stringify(want)) fail(`log tail ${JSON.stringify(tail)}`);
  const info = await client.info();
  if (info.tcb_info.rtmr3 !== rtmr3(after)) fail("Info's rtmr3 is not the quote's");
  fs.writeFileSync(process.argv[2], JSON.stringify(after));
  console.log(`dstack-sdk: 3 events emitted; RTMR3 ${rtmr3(after).slice(0, 16)}... replays from the log`);
})().catch((e) => fail(e.stack || String(e)));
