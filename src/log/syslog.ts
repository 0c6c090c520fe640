// Syslog destinations for `-s/--syslog` and `-r/--remote_syslog`, framed
// as Go's log/syslog writes them (what nats-server's SysLogger uses):
//   local  (/dev/log):  <PRI>Jan _2 15:04:05 TAG[PID]: MSG\n
//   remote (udp, tcp):  <PRI>2006-01-02T15:04:05Z07:00 HOST TAG[PID]: MSG\n
// PRI is facility*8 + severity. nats-server opens the local writer with
// LOG_DAEMON and the remote one with LOG_DEBUG, whose facility bits are 0
// (kern), so remote frames carry the bare severity. Info and trace lines
// go out as notice, as in nats-server.
//
// Node has no AF_UNIX datagram sockets, and /dev/log is one on most
// systems: like Go, we first try a stream connection to each of Go's
// paths, and on a datagram socket hand the lines to util-linux `logger`
// (one long-lived child, which writes the same local frame).

import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { connect, type Socket } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { basename } from 'node:path';
import type { Level } from './format.js';

/** Go's unixSyslog paths, in its order. */
export const LOCAL_SYSLOG_PATHS: readonly string[] = ['/dev/log', '/var/run/syslog', '/var/run/log'];

/** syslog severities (RFC 3164 §4.1.1) for our levels, as nats-server's SysLogger maps them. */
const SEVERITY: Record<Level, number> = { fatal: 2, error: 3, warn: 4, info: 5, debug: 7, trace: 5 };
const LOG_DAEMON = 3 << 3;
const LOG_KERN = 0;
/** Lines longer than this are cut by `logger` (its -S); Go sends any length. */
const LOGGER_MAX_SIZE = 65536;
/** Lines kept while a TCP syslog connection is re-established. */
const MAX_QUEUED = 1000;

/** Startup failure, in nats-server's words (it exits with log.Fatalf). */
export class SyslogError extends Error {
  override name = 'SyslogError';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const clock = (d: Date): string => `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;

/** Go's time.Stamp, local time: `Jan _2 15:04:05`. */
export function stampTime(d: Date): string {
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${clock(d)}`;
}

/** Go's time.RFC3339, local time: `2006-01-02T15:04:05+07:00`, or `...Z` at offset 0. */
export function rfc3339Time(d: Date): string {
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad2(Math.floor(Math.abs(off) / 60))}:${pad2(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${clock(d)}${zone}`;
}

export interface FrameFields {
  pri: number;
  time: Date;
  tag: string;
  pid: number;
  /** Remote frames only. */
  hostname?: string;
}

/** One message as Go's netConn.writeString frames it (`local`: no hostname, time.Stamp). */
export function syslogFrame(local: boolean, f: FrameFields, msg: string): string {
  const nl = msg.endsWith('\n') ? '' : '\n';
  return local
    ? `<${f.pri}>${stampTime(f.time)} ${f.tag}[${f.pid}]: ${msg}${nl}`
    : `<${f.pri}>${rfc3339Time(f.time)} ${f.hostname} ${f.tag}[${f.pid}]: ${msg}${nl}`;
}

/** Go's GetSysLoggerTag: the program's base name (ours without `.js`). */
export function defaultTag(): string {
  const script = process.argv[1];
  return script === undefined ? 'nats-streaming-server' : basename(script).replace(/\.[cm]?js$/, '');
}

interface Transport {
  /** Sends one framed message (`pri` and `msg` for transports that frame it themselves). */
  send(frame: string, pri: number, msg: string): void;
  close(): Promise<void>;
}

export interface SyslogOptions {
  tag?: string;
  pid?: number;
  hostname?: string;
  /** The clock for frame times (tests). */
  now?: () => Date;
}

/** Writes log lines as syslog messages. */
export class SyslogOutput {
  readonly #tag: string;
  readonly #pid: number;
  readonly #hostname: string;
  readonly #now: () => Date;

  constructor(
    readonly local: boolean,
    private readonly transport: Transport,
    o: SyslogOptions = {},
  ) {
    this.#tag = o.tag ?? defaultTag();
    this.#pid = o.pid ?? process.pid;
    this.#hostname = o.hostname ?? osHostname();
    this.#now = o.now ?? (() => new Date());
  }

  write(level: Level, msg: string): void {
    const pri = (this.local ? LOG_DAEMON : LOG_KERN) | SEVERITY[level];
    const f: FrameFields = { pri, time: this.#now(), tag: this.#tag, pid: this.#pid, hostname: this.#hostname };
    this.transport.send(syslogFrame(this.local, f, msg), pri, msg);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

/** Splits Go's network URL: udp/tcp take host:port, unix a path (nats-server getNetworkAndAddr). */
export function parseSyslogUrl(fqn: string): { network: 'udp' | 'tcp' | 'unix'; addr: string } {
  let u: URL;
  try {
    u = new URL(fqn);
  } catch {
    throw new SyslogError(`error invalid network type: ${JSON.stringify(fqn.split(':')[0] ?? '')}`);
  }
  const network = u.protocol.slice(0, -1);
  if (network === 'udp' || network === 'tcp') return { network, addr: u.host };
  if (network === 'unix') return { network, addr: decodeURIComponent(u.pathname) };
  throw new SyslogError(`error invalid network type: ${JSON.stringify(network)}`);
}

function connectError(network: string, addr: string, err: Error): SyslogError {
  return new SyslogError(`error connecting to syslog: ${JSON.stringify(`dial ${network} ${addr}: ${err.message}`)}`);
}

/** Splits `host:port` (`[v6]:port` too) as Go's net.SplitHostPort. */
function hostPort(network: string, addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(addr);
  if (m === null) throw connectError(network, addr, new Error(`address ${addr}: missing port in address`));
  return { host: m[1] ?? m[2] ?? '', port: Number(m[3]) };
}

/** `-r udp://host:port`, `tcp://host:port` or `unix:///path`: connects now, as Go's syslog.Dial. */
export async function openRemoteSyslog(fqn: string, o: SyslogOptions = {}): Promise<SyslogOutput> {
  const { network, addr } = parseSyslogUrl(fqn);
  if (network === 'unix') return new SyslogOutput(true, await streamTransport(() => connect(addr), network, addr), o);
  const { host, port } = hostPort(network, addr);
  let address: string;
  let family: number;
  try {
    ({ address, family } = await lookup(host || 'localhost'));
  } catch (err) {
    throw connectError(network, addr, err as Error);
  }
  if (network === 'tcp') return new SyslogOutput(false, await streamTransport(() => connect(port, address), network, addr), o);
  return new SyslogOutput(false, udpTransport(family === 6 ? 'udp6' : 'udp4', address, port), o);
}

/** `-s`: the local syslog socket, as Go's unixSyslog finds it. */
export async function openLocalSyslog(o: SyslogOptions & { paths?: readonly string[] } = {}): Promise<SyslogOutput> {
  for (const path of o.paths ?? LOCAL_SYSLOG_PATHS) {
    try {
      return new SyslogOutput(true, await streamTransport(() => connect(path), 'unix', path), o);
    } catch (err) {
      const code = ((err as SyslogError).cause as NodeJS.ErrnoException | undefined)?.code;
      if (code !== 'EPROTOTYPE') continue; // missing, or nobody listening: the next path
      return new SyslogOutput(true, await loggerTransport(path, o.tag ?? defaultTag(), o.pid ?? process.pid), o);
    }
  }
  throw new SyslogError('error connecting to syslog: "Unix syslog delivery error"');
}

function udpTransport(type: 'udp4' | 'udp6', address: string, port: number): Transport {
  const socket: UdpSocket = createSocket(type);
  socket.on('error', () => {}); // a lost datagram is not the server's problem
  socket.unref();
  return {
    send: (frame) => socket.send(frame, port, address),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** Resolves once the stream is connected; rejects with Go's dial error. */
function opened(socket: Socket, network: string, addr: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
    const onError = (err: Error): void => reject(Object.assign(connectError(network, addr, err), { cause: err }));
    socket.once('error', onError);
  });
}

/**
 * A TCP or unix stream connection. Like Go's writer, a write after the
 * connection broke dials again; lines are queued meanwhile (at most
 * MAX_QUEUED) and dropped if it fails.
 */
async function streamTransport(dial: () => Socket, network: string, addr: string): Promise<Transport> {
  let socket: Socket | undefined = await opened(dial(), network, addr);
  let queue: string[] | undefined;
  let closed = false;
  const watch = (s: Socket): void => {
    s.unref();
    s.on('error', () => {});
    s.on('close', () => {
      if (socket === s) socket = undefined;
    });
  };
  watch(socket);
  const redial = (): void => {
    queue = [];
    const s = dial();
    opened(s, network, addr).then(
      () => {
        watch(s);
        socket = s;
        for (const f of queue ?? []) s.write(f);
        queue = undefined;
      },
      () => (queue = undefined),
    );
  };
  return {
    send(frame) {
      if (closed) return;
      if (socket !== undefined) {
        socket.write(frame);
        return;
      }
      if (queue === undefined) redial();
      if (queue!.length < MAX_QUEUED) queue!.push(frame);
    },
    close() {
      closed = true;
      const s = socket;
      if (s === undefined) return Promise.resolve();
      return new Promise((resolve) => s.end(() => resolve()));
    },
  };
}

/**
 * A datagram socket through util-linux `logger`, which frames each stdin
 * line as `<PRI>Jan _2 15:04:05 TAG[PID]: line` (--prio-prefix reads our
 * PRI). Multi-line messages go as one message per line.
 */
async function loggerTransport(path: string, tag: string, pid: number): Promise<Transport> {
  const args = ['--socket', path, '--prio-prefix', '--tag', tag, `--id=${pid}`, '--size', String(LOGGER_MAX_SIZE)];
  const child: ChildProcess = spawn('logger', args, { stdio: ['pipe', 'ignore', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) =>
      reject(new SyslogError(`error connecting to syslog: "Unix syslog delivery error" (${path} is a datagram socket, which needs util-linux \`logger\`: ${err.message})`)),
    );
  });
  child.unref();
  const stdin = child.stdin as Socket;
  stdin.on('error', () => {});
  stdin.unref?.();
  return {
    send(_frame, pri, msg) {
      // logger writes the header itself: give it "<PRI>text" per line.
      const text = msg.endsWith('\n') ? msg.slice(0, -1) : msg;
      stdin.write(text.includes('\n') ? text.split('\n').map((l) => `<${pri}>${l}\n`).join('') : `<${pri}>${text}\n`);
    },
    close: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      stdin.end();
      setTimeout(resolve, 1000).unref();
    }),
  };
}
