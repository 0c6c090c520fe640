// A mixed FT group (issue #13): the Go nats-streaming-server and this one
// on one file store behind Debian's nats-server, in both directions (the
// migration path: add ours as a standby of a Go server, stop the Go one;
// and back). Both speak the same heartbeat (_STAN.ft.<cid>.<group>) and
// the same lock and file format, so either takes over from the other under
// continuous publishing with nothing acknowledged lost. The Go binary comes
// from GO_STAN_SERVER; without it the file says so and skips.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeFtEnv, ftEnv, GO_STAN, killActiveUnderLoad } from '../helpers/ft-group.js';
import { haveNatsServer } from '../helpers/stan.js';

const test = suite('streaming/ft-go');

if (GO_STAN === '') {
  console.log('SKIP streaming/ft-go: set GO_STAN_SERVER to the Go nats-streaming-server binary for the mixed FT group tests');
} else if (!haveNatsServer()) {
  console.log('SKIP streaming/ft-go: nats-server is not installed (apt-get install nats-server)');
} else {
  test('Go active, ours standby: the Go server killed, ours takes over with everything', async () => {
    const e = await ftEnv();
    try {
      await killActiveUnderLoad(e, 'go', 'ours');
      assert.match(e.members[1]!.child.stderr, /STREAM: Server is active\n/);
    } finally {
      await closeFtEnv(e);
    }
  });

  test('ours active, Go standby: ours killed, the Go server takes over with everything', async () => {
    const e = await ftEnv();
    try {
      await killActiveUnderLoad(e, 'ours', 'go');
      assert.match(e.members[1]!.child.stderr, /STREAM: Server is active\n/);
    } finally {
      await closeFtEnv(e);
    }
  });
}

test.run();
