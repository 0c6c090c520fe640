// The SQL store's options and data source names (src/stores/sql/options.ts):
// the Go drivers' DSN syntaxes parsed, passwords redacted for logs, and
// the flag values checked with errors that name what is wrong.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeTarget, parseSource, redactSource, sqlOptionsFromValues } from '../../src/stores/sql/options.js';
import { StoreError } from '../../src/stores/store.js';

const t = suite('stores/sql options');

t('lib/pq key=value sources, quoted values and unix sockets', () => {
  assert.equal(parseSource('postgres', "host=db.example port=6543 user=stan password='a b\\'c' dbname=nss sslmode=disable"), {
    host: 'db.example',
    port: 6543,
    socketPath: undefined,
    user: 'stan',
    password: "a b'c",
    database: 'nss',
  });
  const unix = parseSource('postgres', 'host=/var/run/postgresql user=stan dbname=nss');
  assert.is(unix.socketPath, '/var/run/postgresql');
  assert.is(describeTarget(unix), 'database "nss" on /var/run/postgresql');
  assert.throws(() => parseSource('postgres', 'host=x password=secret garbage'), (e: unknown) => e instanceof StoreError && !String(e).includes('secret'));
});

t('postgres:// URLs', () => {
  const c = parseSource('postgres', 'postgres://stan:p%40ss@127.0.0.1:5433/nss?sslmode=disable');
  assert.equal([c.host, c.port, c.user, c.password, c.database], ['127.0.0.1', 5433, 'stan', 'p@ss', 'nss']);
  assert.is(describeTarget(c), 'database "nss" on 127.0.0.1:5433');
});

t('go-sql-driver/mysql sources', () => {
  const c = parseSource('mysql', 'stan:pw:x@tcp(10.0.0.2:3307)/nss?charset=utf8');
  assert.equal([c.host, c.port, c.user, c.password, c.database], ['10.0.0.2', 3307, 'stan', 'pw:x', 'nss']);
  const u = parseSource('mysql', 'root@unix(/tmp/my.sock)/nss');
  assert.equal([u.socketPath, u.user, u.password, u.database], ['/tmp/my.sock', 'root', undefined, 'nss']);
  assert.equal(parseSource('mysql', '/nss').host, '127.0.0.1');
});

t('redaction: no password survives in any syntax', () => {
  for (const src of [
    'host=h user=u password=topsecret dbname=d',
    "host=h password='top secret' dbname=d",
    'postgres://u:topsecret@h:5432/d',
    'u:topsecret@tcp(h:3306)/d',
  ]) {
    const r = redactSource(src);
    assert.not.ok(/topsecret|top secret/.test(r), r);
    assert.ok(r.includes('****'), r);
  }
});

t('flag values: driver and source required, driver checked', () => {
  const err = (v: Record<string, unknown>) => {
    try {
      sqlOptionsFromValues(v);
    } catch (e) {
      return (e as Error).message;
    }
    return '';
  };
  assert.match(err({}), /driver not specified/);
  assert.match(err({ sqlDriver: 'sqlite', sqlSource: 'x' }), /unsupported driver "sqlite"/);
  assert.match(err({ sqlDriver: 'postgres' }), /data source not specified/);
  assert.equal(sqlOptionsFromValues({ sqlDriver: 'MySQL', sqlSource: 's', sqlNoCaching: true, sqlMaxOpenConns: 5, sqlBulkInsertLimit: 100 }), {
    driver: 'mysql',
    source: 's',
    noCaching: true,
    maxOpenConns: 5,
    bulkInsertLimit: 100,
  });
});

t.run();
