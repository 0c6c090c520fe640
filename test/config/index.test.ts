import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ConfigFileError,
  ConfigSyntaxError,
  ConfigValueError,
  keyPosition,
  loadConfigFile,
  parseConfig,
  parseDuration,
  parseSize,
  STRING_SOURCE,
  type ConfigMap,
} from '../../src/config/index.js';

const NATS_CONF = `
# NATS server configuration
listen: 0.0.0.0:4222
http: 8222
server_name: nats-1
max_payload: 1MB
max_pending: 64MB
max_connections: 65536
ping_interval: "2m"
write_deadline: 10s
debug: false
trace: off
logtime: true

authorization {
  timeout: 2.5
  ADMIN_PASS: $2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS
  users = [
    {user: admin, password: $ADMIN_PASS, permissions: {publish: ">", subscribe: ">"}}
    {
      user: "client"
      password: "s3cr3t"
      permissions: {
        publish: ["_STAN.>", "orders.*"]
        subscribe: {allow: ["_INBOX.>"], deny: ["secret.>"]}
      }
    }
  ]
}

tls {
  cert_file: "/etc/nats/certs/server.pem"
  key_file:  "/etc/nats/certs/server-key.pem"
  ca_file:   "/etc/nats/certs/ca.pem"
  verify:    true
  timeout:   2
}

cluster {
  name: east
  listen: 0.0.0.0:6222
  authorization { user: route_user, password: T0pS3cr3t, timeout: 0.75 }
  routes = [
    nats-route://route_user:T0pS3cr3t@10.0.0.2:6222
    nats-route://route_user:T0pS3cr3t@10.0.0.3:6222
  ]
  no_advertise: yes
}
`;

const STAN_CONF = `
streaming {
  id: x
  store: file
  dir: "/var/lib/stan"
  hb_interval: "10s"
  hb_fail_count: 3
  store_limits {
    max_channels: 10
    max_bytes: 10GB
    max_age: "72h"
    channels {
      "foo.*": { max_msgs: 100 }
      "orders.audit": { max_age: 0 }
    }
  }
  file_options { sync_on_flush: true, slice_max_bytes: 256MB }
}
`;

const api = suite('config/index public API');

api('a realistic nats-server configuration', () => {
  const hash = '$2a$11$3kIDaCxw.Glsl1.u5nKa6eUnNDLV5HV9tIuUp7EHhMt6Nm9myW1aS';
  assert.equal(parseConfig(NATS_CONF, { env: {} }), {
    listen: '0.0.0.0:4222',
    http: 8222,
    server_name: 'nats-1',
    max_payload: 1_048_576,
    max_pending: 67_108_864,
    max_connections: 65536,
    ping_interval: '2m',
    write_deadline: '10s',
    debug: false,
    trace: false,
    logtime: true,
    authorization: {
      timeout: 2.5,
      ADMIN_PASS: hash,
      users: [
        { user: 'admin', password: hash, permissions: { publish: '>', subscribe: '>' } },
        {
          user: 'client',
          password: 's3cr3t',
          permissions: {
            publish: ['_STAN.>', 'orders.*'],
            subscribe: { allow: ['_INBOX.>'], deny: ['secret.>'] },
          },
        },
      ],
    },
    tls: {
      cert_file: '/etc/nats/certs/server.pem',
      key_file: '/etc/nats/certs/server-key.pem',
      ca_file: '/etc/nats/certs/ca.pem',
      verify: true,
      timeout: 2,
    },
    cluster: {
      name: 'east',
      listen: '0.0.0.0:6222',
      authorization: { user: 'route_user', password: 'T0pS3cr3t', timeout: 0.75 },
      routes: [
        'nats-route://route_user:T0pS3cr3t@10.0.0.2:6222',
        'nats-route://route_user:T0pS3cr3t@10.0.0.3:6222',
      ],
      no_advertise: true,
    },
  });
});

api('a realistic streaming configuration', () => {
  const m = parseConfig(STAN_CONF, { file: 'stan.conf' });
  assert.equal(m, {
    streaming: {
      id: 'x',
      store: 'file',
      dir: '/var/lib/stan',
      hb_interval: '10s',
      hb_fail_count: 3,
      store_limits: {
        max_channels: 10,
        max_bytes: 10 * 1024 ** 3,
        max_age: '72h',
        channels: { 'foo.*': { max_msgs: 100 }, 'orders.audit': { max_age: 0 } },
      },
      file_options: { sync_on_flush: true, slice_max_bytes: 256 * 1024 ** 2 },
    },
  });
  const limits = (m.streaming as ConfigMap).store_limits as ConfigMap;
  assert.equal(keyPosition(limits, 'max_bytes'), { file: 'stan.conf', line: 10, column: 5 });
  assert.is(parseDuration(limits.max_age as string), 72 * 3600 * 1000);
});

api('the single-line form from the task', () => {
  assert.equal(
    parseConfig('streaming { id: x, store: file, dir: /data, store_limits { max_channels: 10, channels { "foo.*": { max_msgs: 100 } } } }'),
    { streaming: { id: 'x', store: 'file', dir: '/data', store_limits: { max_channels: 10, channels: { 'foo.*': { max_msgs: 100 } } } } },
  );
});

api('loadConfigFile reads files, strips a BOM, and names the file in errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stan-config-index-'));
  try {
    const good = join(dir, 'good.conf');
    writeFileSync(good, '\ufeffport: 4222\n');
    assert.equal(loadConfigFile(good), { port: 4222 });
    assert.equal(keyPosition(loadConfigFile(good), 'port'), { file: good, line: 1, column: 1 });

    const bad = join(dir, 'bad.conf');
    writeFileSync(bad, 'port: 4222\nstreaming {\n  store: file\n');
    try {
      loadConfigFile(bad);
      assert.unreachable('expected an error');
    } catch (err) {
      assert.instance(err, ConfigSyntaxError);
      assert.is((err as Error).message, `${bad}:4:1: Unexpected EOF processing map opened at 2:11.`);
    }

    const missing = join(dir, 'missing.conf');
    try {
      loadConfigFile(missing);
      assert.unreachable('expected an error');
    } catch (err) {
      assert.instance(err, ConfigFileError);
      const e = err as ConfigFileError;
      assert.is(e.name, 'ConfigFileError');
      assert.is(e.file, missing);
      assert.is(e.message, `error opening config file '${missing}': ENOENT: no such file or directory`);
      assert.is((e.cause as NodeJS.ErrnoException).code, 'ENOENT');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

api('a text without a file is named <string>', () => {
  assert.is(STRING_SOURCE, '<string>');
  try {
    parseConfig('a = [');
    assert.unreachable('expected an error');
  } catch (err) {
    const e = err as ConfigSyntaxError;
    assert.is(e.file, '<string>');
    assert.is(e.message, '<string>:1:6: Unexpected EOF processing array opened at 1:5.');
  }
});

api.run();

const errors = suite('config/errors');

errors('ConfigSyntaxError has a name, a location and a cause', () => {
  const cause = new Error('inner');
  const e = new ConfigSyntaxError('f.conf', 3, 7, 'bad thing', { cause });
  assert.instance(e, Error);
  assert.is(e.name, 'ConfigSyntaxError');
  assert.is(e.message, 'f.conf:3:7: bad thing');
  assert.equal([e.file, e.line, e.column, e.reason], ['f.conf', 3, 7, 'bad thing']);
  assert.is(e.cause, cause);
  assert.ok(String(e.stack).startsWith('ConfigSyntaxError: f.conf:3:7: bad thing'));
});

errors('ConfigValueError keeps the rejected text', () => {
  try {
    parseSize('lots');
    assert.unreachable('expected an error');
  } catch (err) {
    assert.instance(err, ConfigValueError);
    assert.is((err as ConfigValueError).text, 'lots');
  }
});

errors.run();
