// The INFO line of a new connection (src/nats/proto.ts ClientInfoLines):
// byte for byte what infoLine({...info, client_id, client_ip}) writes, the
// JSON of the server's fields reused until one of them changes.

import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ClientInfoLines, infoLine, type InfoFields } from '../../src/nats/proto.js';

const test = suite('nats/proto');

const base = (): InfoFields => ({
  server_id: 'NABC',
  server_name: 'n"1',
  version: '2.9.24',
  proto: 1,
  go: 'node',
  host: '0.0.0.0',
  port: 4222,
  headers: true,
  max_payload: 1048576,
});

test('ClientInfoLines writes what infoLine writes, and follows every change of the fields', () => {
  const lines = new ClientInfoLines();
  const info = base();
  const same = (cid: number, ip: string) =>
    assert.is(lines.line(info, cid, ip).toString(), infoLine({ ...info, client_id: cid, client_ip: ip }).toString());
  same(1, '127.0.0.1');
  same(2, '::1');
  info.port = 5222;
  same(3, '10.0.0.1');
  info.auth_required = true;
  same(4, '10.0.0.1');
  delete info.auth_required;
  same(5, '10.0.0.1');
  info.connect_urls = ['a:1'];
  same(6, '10.0.0.1');
  info.connect_urls.push('b:2'); // changed in place
  same(7, '10.0.0.1');
  info.tls_required = undefined;
  same(8, '10.0.0.1');
});

test.run();
