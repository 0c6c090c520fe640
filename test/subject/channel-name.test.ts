// The channel name rule (STAN-REFERENCE §2.9): channel names and per-channel limits patterns.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isValidChannel, isValidChannelPattern } from '../../src/subject/channel-name.js';

const names = suite('subject/channel-name');

names('isValidChannel: publish and subscribe names take no wildcards', () => {
  for (const name of ['foo', 'foo.bar', 'a-b_c.d e', 'ünï.côdé']) assert.ok(isValidChannel(name), name);
  for (const name of ['foo.*', '>', 'foo*', '', 'a/b', 'a..b', '.a', 'a.']) {
    assert.not.ok(isValidChannel(name), name);
  }
});

names('isValidChannelPattern: per-channel limits keys take whole-token wildcards, `>` last', () => {
  for (const name of ['foo', '*', '>', 'foo.*', 'foo.>', '*.*.>']) assert.ok(isValidChannelPattern(name), name);
  for (const name of ['foo*', '>.foo', 'a.>b', '', 'a/b', 'a..b', '.a', 'a.']) {
    assert.not.ok(isValidChannelPattern(name), name);
  }
});

names.run();
