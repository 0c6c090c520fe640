// src/streaming/ft-heartbeat.ts: the FT heartbeat as the Go server sends
// it. The time bytes are checked against Go's time.MarshalBinary of a known
// instant (2020-01-02T03:04:05.123456789Z, UTC, version 1: the seconds since
// year 1, the nanoseconds, the zone offset in minutes, -1 for UTC), and the
// CtrlMsg against its fields.

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CtrlMsg, CtrlMsgType } from '../../src/pb/spb.js';
import { decodeFtHeartbeat, encodeFtHeartbeat, ftSubject, goTimeBinary, parseGoTimeBinary } from '../../src/streaming/ft-heartbeat.js';

/** 2020-01-02T03:04:05.123456789Z in Unix ns. */
const INSTANT_NS = BigInt(Date.UTC(2020, 0, 2, 3, 4, 5)) * 1_000_000n + 123_456_789n;
/** Go 1.19: time.Date(2020, 1, 2, 3, 4, 5, 123456789, time.UTC).MarshalBinary(). */
const GO_BYTES = '010000000ed59f54a5075bcd15ffff';

test('subject: _STAN.ft.<cluster id>.<group>', () => {
  assert.is(ftSubject('test-cluster', 'grp'), '_STAN.ft.test-cluster.grp');
});

test('time bytes: Go MarshalBinary, both ways', () => {
  assert.is(Buffer.from(goTimeBinary(INSTANT_NS, -1)).toString('hex'), GO_BYTES);
  assert.is(parseGoTimeBinary(Buffer.from(GO_BYTES, 'hex')), INSTANT_NS);
  // Version 2 carries one more byte (seconds of the zone offset).
  assert.is(parseGoTimeBinary(Buffer.from(`02${GO_BYTES.slice(2)}00`, 'hex')), INSTANT_NS);
  for (const bad of ['', '01', `03${GO_BYTES.slice(2)}`, `${GO_BYTES}00`]) {
    assert.throws(() => parseGoTimeBinary(Buffer.from(bad, 'hex')), /invalid length or version/);
  }
});

test('heartbeat: a CtrlMsg FTHeartbeat with the server ID and activation time', () => {
  const m = CtrlMsg.decode(encodeFtHeartbeat('SRV1', INSTANT_NS));
  assert.is(m.MsgType, CtrlMsgType.FTHeartbeat);
  assert.is(m.ServerID, 'SRV1');
  assert.is(parseGoTimeBinary(m.Data), INSTANT_NS);
  assert.equal(decodeFtHeartbeat(encodeFtHeartbeat('SRV1', INSTANT_NS)), { serverId: 'SRV1', activatedNs: INSTANT_NS });
});

test('decode: other messages are ignored, a bad time is reported as unknown', () => {
  assert.is(decodeFtHeartbeat(Buffer.from('garbage\xff\xff')), undefined);
  assert.is(decodeFtHeartbeat(CtrlMsg.encode({ MsgType: CtrlMsgType.SubUnsubscribe, ServerID: 'x' })), undefined);
  assert.equal(decodeFtHeartbeat(CtrlMsg.encode({ MsgType: CtrlMsgType.FTHeartbeat, ServerID: 'x', Data: new Uint8Array([9]) })), {
    serverId: 'x',
    activatedNs: undefined,
  });
});

test.run();
