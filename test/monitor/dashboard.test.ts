// The live dashboard at `/` in a real browser (issue 7): Debian's headless
// Chromium, driven by playwright-core, opens the page while messages flow,
// checks that its numbers change, then, once publishing stops, that they
// match /streaming/channelsz; the page must raise no script errors. The
// screenshot is kept as test-artifacts/dashboard.png. Skipped, with a
// note, only when /usr/bin/chromium is not installed.

/* eslint-disable @typescript-eslint/no-explicit-any */
// (Functions passed to page.evaluate run in the page; the project compiles
// without the DOM types, so they reach `document` through globalThis.)

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startMonitor, type Monitor } from '../../src/monitor/index.js';
import { closeClient, publish, sleep, stanConnect, startStan, type StanFixture } from '../helpers/stan.js';
import { subscribe } from '../helpers/stan-sub.js';

const CHROMIUM = '/usr/bin/chromium';
/** dist/test/monitor → the package root. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHOT = join(ROOT, 'test-artifacts', 'dashboard.png');
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
/** The page polls this often in the test (ms). */
const POLL_MS = 100;

const test = suite('monitor/dashboard');

if (!existsSync(CHROMIUM)) {
  console.log(`SKIP monitor/dashboard: ${CHROMIUM} is not installed (apt-get install chromium)`);
  test.skip('the dashboard in headless Chromium', () => {});
} else {
  let f: StanFixture;
  let m: Monitor;
  let browser: BrowserContext;
  let page: Page;
  let profile: string;
  let sc: any;
  const errors: string[] = [];

  test.before(async () => {
    f = await startStan();
    m = await startMonitor({ host: '127.0.0.1', httpPort: 0 }, { nats: f.nats, stan: f.stan, coreKind: 'native' });
    profile = mkdtempSync(join(tmpdir(), 'stan-dashboard-profile-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 1000 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    sc = await stanConnect(f.url, 'dash-client');
  });

  test.after(async () => {
    await browser?.close();
    if (sc) await closeClient(sc);
    await m?.close();
    await f?.stop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** A number the page shows, from its data-v attribute. */
  const shown = (selector: string): Promise<number | undefined> =>
    page.evaluate((sel) => {
      const el = (globalThis as any).document.querySelector(sel) as any;
      return el?.dataset.v === undefined ? undefined : Number(el.dataset.v);
    }, selector);

  const updates = (): Promise<number> => page.evaluate(() => Number((globalThis as any).document.body.dataset.updates));

  test('numbers change while messages flow, then match /streaming/channelsz', async () => {
    // A consumer that never acks (pending grows to MaxInflight) and one that keeps up.
    await subscribe(sc, 'orders', { durable: 'audit', manual: true, maxInFlight: 50, ackWaitMs: 120_000, start: 'first' });
    await subscribe(sc, 'orders', { queue: 'workers', start: 'first' });
    let flowing = true;
    let n = 0;
    const flow = (async () => {
      while (flowing) {
        const acks: Promise<string>[] = [];
        for (let i = 0; i < 20; i++) acks.push(publish(sc, i % 4 === 0 ? 'payments' : 'orders', `msg ${++n}`));
        await Promise.all(acks);
        await sleep(40);
      }
    })();

    await page.goto(`http://127.0.0.1:${m.port}/?interval=${POLL_MS}`);
    await page.waitForFunction(() => Number((globalThis as any).document.body.dataset.updates) >= 2, undefined, { timeout: 10_000 });
    await page.waitForSelector('tr[data-channel="orders"] td[data-k="last_seq"]', { timeout: 10_000 });
    const first = await shown('tr[data-channel="orders"] td[data-k="last_seq"]');
    // The page's next polls show more messages.
    await page.waitForFunction(
      (f) => Number(((globalThis as any).document.querySelector('tr[data-channel="orders"] td[data-k="last_seq"]') as any).dataset.v) > f,
      first ?? 0,
      { timeout: 10_000 },
    );
    const later = await shown('tr[data-channel="orders"] td[data-k="last_seq"]');
    assert.ok(first !== undefined && later !== undefined && later > first, `last_seq on the page went ${first} -> ${later}`);
    await page.waitForFunction(() => Number(((globalThis as any).document.getElementById('stat-in-rate') as any).dataset.v) > 0, undefined, {
      timeout: 10_000,
    });
    // The charts have drawn something.
    const inked = await page.evaluate(() => {
      const c = (globalThis as any).document.getElementById('chart-msgs') as any;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
    assert.ok(inked > 500, `chart pixels drawn: ${inked}`);
    await page.screenshot({ path: SHOT.replace(/\.png$/, '-flowing.png'), fullPage: true }).catch(() => {});

    flowing = false;
    await flow;
    // Once the page has polled after the last publish, it shows what the server says.
    const cz = (await (await fetch(`http://127.0.0.1:${m.port}/streaming/channelsz?subs=1`)).json()) as any;
    const orders = cz.channels.find((c: any) => c.name === 'orders');
    await page.waitForFunction(
      (seq) => Number(((globalThis as any).document.querySelector('tr[data-channel="orders"] td[data-k="last_seq"]') as any).dataset.v) === seq,
      orders.last_seq,
      { timeout: 10_000 },
    );
    const u1 = await updates();
    await page.waitForFunction((u) => Number((globalThis as any).document.body.dataset.updates) >= u + 1, u1, { timeout: 10_000 });
    for (const c of cz.channels) {
      for (const k of ['msgs', 'bytes', 'first_seq', 'last_seq', 'subs_count']) {
        assert.is(await shown(`tr[data-channel="${c.name}"] td[data-k="${k}"]`), c[k], `${c.name} ${k}`);
      }
    }
    const rows = await page.$$eval('#channels tbody tr', (trs) => trs.map((tr) => (tr as any).dataset.channel));
    assert.equal(rows, cz.channels.map((c: any) => c.name));
    // Subscriptions with their pending counts: the durable stalls at MaxInflight.
    for (const s of orders.subscriptions) {
      assert.is(await shown(`#subscriptions tr[data-inbox="${s.inbox}"] td[data-k="pending_count"]`), s.pending_count, s.inbox);
    }
    const audit = orders.subscriptions.find((s: any) => s.durable_name === 'audit');
    assert.equal([audit.pending_count, audit.is_stalled], [50, true]);
    const state = await page.textContent(`#subscriptions tr[data-inbox="${audit.inbox}"] td[data-k="state"]`);
    assert.is(state, 'stalled');
    // Clients and connections.
    assert.is(await shown('#clients tr[data-client="dash-client"] td[data-k="subs_count"]'), 2);
    assert.is(await shown('#stat-clients'), 1);
    assert.is(await shown('#stat-channels'), 2);
    assert.ok(((await shown('#stat-connections')) ?? 0) >= 1);
    assert.is(await page.textContent('#m-cluster'), 'test-cluster');
    assert.is(await page.textContent('#m-core'), 'native');
    assert.match((await page.textContent('#status')) ?? '', /^live/);

    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: SHOT, fullPage: true });
    assert.ok(existsSync(SHOT));
    assert.equal(errors, [], 'no script errors on the page');
  });
}

test.run();
