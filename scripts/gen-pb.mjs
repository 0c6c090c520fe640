// `npm run gen:pb`: generates the message codecs of src/pb from its .proto
// files, one module per concern (GROUPS: src/pb/pb/*.ts from
// pb/protocol.proto, src/pb/spb/*.ts from spb/protocol.proto) and a module
// re-exporting each schema's (src/pb/protocol.ts, src/pb/spb.ts): per
// message a TypeScript interface, a codec object
// (encode, decode, defaults) and a read function over wire.ts's Reader,
// straight-line code with no schema walked at run time. protobufjs parses
// the .proto files here; the generated code does not load it.
// `--check` regenerates in memory and fails if the checked-in files differ
// (CI runs it). Supports what the two schemas use: proto3 scalars (string,
// bytes, [u]int32, [u]int64, bool), enums, sub-messages, and repeated
// sub-messages and packed scalars; anything else is refused.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PB_DIR = join(root, 'src', 'pb');
const check = process.argv.includes('--check');

/**
 * The schemas, each with the module re-exporting all of its messages, and
 * its messages grouped by concern into modules of their own (nested types
 * go with their parent). A message in no group is refused: say where it goes.
 */
const FILES = [
  {
    proto: 'pb/protocol.proto',
    out: 'protocol.ts',
    groups: {
      'pb/publish.ts': ['PubMsg', 'PubAck'],
      'pb/delivery.ts': ['MsgProto', 'Ack'],
      'pb/connect.ts': ['ConnectRequest', 'ConnectResponse'],
      'pb/ping.ts': ['Ping', 'PingResponse'],
      'pb/subscription.ts': ['StartPosition', 'SubscriptionRequest', 'SubscriptionResponse', 'UnsubscribeRequest'],
      'pb/close.ts': ['CloseRequest', 'CloseResponse'],
    },
  },
  {
    proto: 'spb/protocol.proto',
    out: 'spb.ts',
    groups: {
      'spb/sub-state.ts': ['SubState', 'SubStateDelete', 'SubStateUpdate'],
      'spb/info.ts': ['ServerInfo', 'ClientInfo', 'ClientDelete'],
      'spb/ctrl.ts': ['CtrlMsg'],
      'spb/raft.ts': ['RaftJoinRequest', 'RaftJoinResponse', 'RaftOperation', 'Batch'],
      'spb/raft-state.ts': ['AddSubscription', 'SubSentAndAck', 'AddClient'],
      'spb/snapshot.ts': ['RaftSnapshot', 'ChannelSnapshot', 'SubscriptionSnapshot'],
    },
  },
];

/** What each scalar kind is in TypeScript and on the wire, and the wire.ts/writer.ts calls it takes. */
const SCALARS = {
  string: { ts: 'string', wire: 2, zero: "''" },
  bytes: { ts: 'Uint8Array', wire: 2, zero: 'EMPTY_BYTES' },
  uint64: { ts: 'number', wire: 0, zero: '0', value: 'uint64Value', size: 'longSize', write: 'writeLong', read: 'uint64' },
  int64: { ts: 'bigint', wire: 0, zero: '0n', value: 'int64Value', size: 'longSize', write: 'writeLong', read: 'int64' },
  int32: { ts: 'number', wire: 0, zero: '0', value: 'int32Value', size: 'int32Size', write: 'writeInt32', read: 'int32' },
  uint32: { ts: 'number', wire: 0, zero: '0', value: 'uint32Value', size: 'varintSize', write: 'writeVarint', read: 'uint32' },
  bool: { ts: 'boolean', wire: 0, zero: 'false', read: 'bool' },
};
/** What the generated code may call from writer.ts (imported when used). */
const WRITER_CALLS = [
  'bytesValue', 'int32Size', 'int32Value', 'int64Value', 'lenFieldSize', 'longSize', 'stringValue', 'uint32Value',
  'uint64Value', 'utf8Length', 'varintSize', 'writeInt32', 'writeLenBytes', 'writeLong', 'writeUtf8', 'writeVarint',
];
/** Locals of the generated functions: a field of the same name would shadow them. */
const RESERVED = new Set(['m', 'r', 'end', 'tag', 'buf', 'out', 'p', 'size', 'err', 'e']);

function fail(msg) {
  console.error(`gen-pb: ${msg}`);
  process.exit(1);
}

function varintBytes(v) {
  const out = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

const hex = (b) => `0x${b.toString(16).padStart(2, '0')}`;

/** A comment as JSDoc at the given indent, or nothing. */
function doc(comment, indent = '') {
  if (!comment) return [];
  const lines = comment.trim().split('\n');
  if (lines.length === 1) return [`${indent}/** ${lines[0]} */`];
  return [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`.trimEnd()), `${indent} */`];
}

/** The TypeScript name of a type or enum: nested ones get their parent's name in front (CtrlMsg.Type -> CtrlMsgType). */
function tsName(t) {
  return t.parent instanceof protobuf.Type ? tsName(t.parent) + t.name : t.name;
}

/** A field's description for the emitters. */
function fieldInfo(msg, f) {
  const where = `${msg.fullName.slice(1)}.${f.name}`;
  if (f.map || f.partOf) fail(`${where}: maps and oneofs are not supported`);
  if (RESERVED.has(f.name)) fail(`${where}: the field name collides with a local of the generated code`);
  const target = f.resolvedType;
  if (target instanceof protobuf.Type) {
    return { f, name: f.name, num: f.id, kind: 'message', type: target, ts: tsName(target), repeated: f.repeated };
  }
  const kind = target instanceof protobuf.Enum ? 'int32' : f.type;
  const s = SCALARS[kind];
  if (!s) fail(`${where}: type ${f.type} is not supported`);
  if (f.repeated && s.wire === 2) fail(`${where}: repeated ${f.type} is not supported`);
  return { f, name: f.name, num: f.id, kind, scalar: s, ts: s.ts, repeated: f.repeated };
}

/** The tag's bytes as writes into out, with the field named. */
function tagWrites(fi, wire, indent) {
  const bytes = varintBytes((fi.num << 3) | wire);
  return bytes.map((b, i) => `${indent}out[p++] = ${hex(b)};${i === bytes.length - 1 ? ` // ${fi.name} = ${fi.num}` : ''}`);
}

function tagSize(fi) {
  return varintBytes(fi.num << 3).length;
}

function emitInterface(t, fields) {
  const lines = [...doc(t.comment), `export interface ${tsName(t)} {`];
  for (const fi of fields) {
    const ts = fi.repeated ? `${fi.ts}[]` : fi.kind === 'message' ? `${fi.ts} | null` : fi.ts;
    lines.push(...doc(fi.f.comment, '  '), `  ${fi.name}: ${ts};`);
  }
  lines.push('}');
  return lines;
}

function emitEncode(t, fields) {
  const where = t.fullName.slice(1);
  const prep = [];
  const sizes = [];
  const writes = [];
  const I = '    ';
  for (const fi of fields) {
    const v = fi.name;
    const ts = tagSize(fi);
    if (fi.kind === 'message') {
      if (fi.repeated) {
        prep.push(`${I}const ${v} = m.${v} == null ? [] : m.${v}.map((e) => ${fi.ts}.encode(e));`);
        prep.push(`${I}let ${v}Size = 0;`, `${I}for (const e of ${v}) ${v}Size += ${ts} + varintSize(e.length) + e.length;`);
        sizes.push(`${v}Size`);
        writes.push(`${I}for (const e of ${v}) {`, ...tagWrites(fi, 2, I + '  '), `${I}  p = writeLenBytes(out, p, e);`, `${I}}`);
      } else {
        prep.push(`${I}const ${v} = m.${v} == null ? undefined : ${fi.ts}.encode(m.${v});`);
        sizes.push(`(${v} === undefined ? 0 : ${ts} + varintSize(${v}.length) + ${v}.length)`);
        writes.push(`${I}if (${v} !== undefined) {`, ...tagWrites(fi, 2, I + '  '), `${I}  p = writeLenBytes(out, p, ${v});`, `${I}}`);
      }
      continue;
    }
    const s = fi.scalar;
    if (fi.repeated) {
      // Packed, as proto3 writes repeated scalars; zeros are elements, kept.
      const elem = s.value ? `${s.value}(e, '${where}', '${v}')` : 'e ? 1 : 0';
      const size = s.size ? `${s.size}(e)` : '1';
      const write = s.write ? `p = ${s.write}(out, p, e)` : 'out[p++] = e';
      prep.push(`${I}const ${v} = m.${v} == null ? [] : m.${v}.map((e) => ${elem});`);
      prep.push(`${I}let ${v}Len = 0;`, `${I}for (const e of ${v}) ${v}Len += ${size};`);
      sizes.push(`lenFieldSize(${ts}, ${v}Len)`);
      writes.push(`${I}if (${v}Len !== 0) {`, ...tagWrites(fi, 2, I + '  '), `${I}  p = writeVarint(out, p, ${v}Len);`);
      writes.push(`${I}  for (const e of ${v}) ${write};`, `${I}}`);
    } else if (fi.kind === 'string') {
      prep.push(`${I}const ${v} = stringValue(m.${v});`, `${I}const ${v}Len = utf8Length(${v});`);
      sizes.push(`lenFieldSize(${ts}, ${v}Len)`);
      writes.push(`${I}if (${v}Len !== 0) {`, ...tagWrites(fi, 2, I + '  '), `${I}  p = writeVarint(out, p, ${v}Len);`);
      writes.push(`${I}  p = writeUtf8(out, p, ${v}, ${v}Len);`, `${I}}`);
    } else if (fi.kind === 'bytes') {
      prep.push(`${I}const ${v} = bytesValue(m.${v});`);
      sizes.push(`lenFieldSize(${ts}, ${v}.length)`);
      writes.push(`${I}if (${v}.length !== 0) {`, ...tagWrites(fi, 2, I + '  '), `${I}  p = writeLenBytes(out, p, ${v});`, `${I}}`);
    } else if (fi.kind === 'bool') {
      prep.push(`${I}const ${v} = m.${v} ? 1 : 0;`);
      sizes.push(`${v} * ${ts + 1}`);
      writes.push(`${I}if (${v} !== 0) {`, ...tagWrites(fi, 0, I + '  '), `${I}  out[p++] = 1;`, `${I}}`);
    } else {
      prep.push(`${I}const ${v} = ${s.value}(m.${v}, '${where}', '${v}');`);
      sizes.push(`(${v} === 0 ? 0 : ${ts} + ${s.size}(${v}))`);
      writes.push(`${I}if (${v} !== 0) {`, ...tagWrites(fi, 0, I + '  '), `${I}  p = ${s.write}(out, p, ${v});`, `${I}}`);
    }
  }
  const lines = [`  encode(m: Init<${tsName(t)}>): Buffer {`, ...prep];
  if (sizes.length === 0) sizes.push('0');
  lines.push(`${I}const size =`);
  sizes.forEach((s, i) => lines.push(`${I}  ${s}${i === sizes.length - 1 ? ';' : ' +'}`));
  lines.push(`${I}const out = Buffer.allocUnsafe(size);`);
  if (writes.length > 0) lines.push(`${I}let p = 0;`, ...writes);
  lines.push(`${I}return out;`, '  },');
  return lines;
}

function emitRead(t, fields) {
  const name = tsName(t);
  const I = '  ';
  const lines = [`/** Reads a ${name} from r up to end. */`, `export function read${name}(r: Reader, end: number): ${name} {`];
  for (const fi of fields) {
    if (fi.repeated) lines.push(`${I}const ${fi.name}: ${fi.ts}[] = [];`);
    else if (fi.kind === 'message') lines.push(`${I}let ${fi.name}: ${fi.ts} | null = null;`);
    else lines.push(`${I}let ${fi.name}${fi.kind === 'bytes' ? ': Uint8Array' : ''} = ${fi.scalar.zero};`);
  }
  lines.push(`${I}while (r.pos < end) {`, `${I}  const tag = r.tag(end);`, `${I}  switch (tag) {`);
  const C = I + '    ';
  const caseOf = (fi, wire) => `${C}case ${hex((fi.num << 3) | wire)}: // ${fi.name} = ${fi.num}${wire === 2 && fi.repeated && fi.kind !== 'message' ? ', packed' : ''}`;
  for (const fi of fields) {
    const v = fi.name;
    if (fi.kind === 'message') {
      const read = `read${fi.ts}(r, r.sub(end))`;
      lines.push(caseOf(fi, 2), fi.repeated ? `${C}  ${v}.push(${read});` : `${C}  ${v} = ${read};`, `${C}  break;`);
      continue;
    }
    const s = fi.scalar;
    if (fi.repeated) {
      lines.push(caseOf(fi, 0), `${C}  ${v}.push(r.${s.read}(end));`, `${C}  break;`);
      lines.push(caseOf(fi, 2), `${C}  for (const stop = r.sub(end); r.pos < stop; ) ${v}.push(r.${s.read}(stop));`, `${C}  break;`);
    } else {
      const read = fi.kind === 'string' ? 'string' : fi.kind === 'bytes' ? 'bytesOrEmpty' : s.read;
      lines.push(caseOf(fi, s.wire), `${C}  ${v} = r.${read}(end);`, `${C}  break;`);
    }
  }
  lines.push(`${C}default:`, `${C}  r.skipUnknown(tag, end, [${fields.map((fi) => fi.num).join(', ')}]);`);
  lines.push(`${I}  }`, `${I}}`, ...listLines('return ', fields.map((fi) => fi.name), ';', I), '}');
  return lines;
}

/** Lines no longer than this stay on one line in the generated code. */
const MAX_LINE = 120;

/** `head{ a, b }tail` on one line, or one item per line when that is too long. */
function listLines(head, items, tail, indent) {
  const one = `${indent}${head}{ ${items.join(', ')} }${tail}`;
  if (one.length <= MAX_LINE) return [one];
  return [`${indent}${head}{`, ...items.map((it) => `${indent}  ${it},`), `${indent}}${tail}`];
}

function emitDefaults(name, fields) {
  const vals = fields.map((fi) => `${fi.name}: ${fi.repeated ? '[]' : fi.kind === 'message' ? 'null' : fi.scalar.zero}`);
  return listLines(`defaults: (): ${name} => (`, vals, '),', '  ');
}

function emitMessage(t) {
  const fields = t.fieldsArray.slice().sort((a, b) => a.id - b.id).map((f) => fieldInfo(t, f));
  const name = tsName(t);
  return [
    ...emitInterface(t, fields),
    '',
    `/** The ${t.fullName.slice(1)} codec. */`,
    `export const ${name}: MessageCodec<${name}> = {`,
    ...emitEncode(t, fields),
    `  decode(buf: Uint8Array, off = 0, len = buf.length - off): ${name} {`,
    '    const end = checkRange(buf, off, len);',
    '    try {',
    `      return read${name}(new Reader(buf, off), end);`,
    '    } catch (err) {',
    `      throw malformed('${t.fullName.slice(1)}', err);`,
    '    }',
    '  },',
    ...emitDefaults(name, fields),
    '};',
    '',
    ...emitRead(t, fields),
  ];
}

function emitEnum(e) {
  const name = tsName(e);
  return [
    ...doc(e.comment),
    `export const ${name} = {`,
    ...Object.entries(e.values).map(([k, v]) => `  ${k}: ${v},`),
    '} as const;',
    `export type ${name} = (typeof ${name})[keyof typeof ${name}];`,
  ];
}

/** Types and enums of a namespace, nested ones after their parent, in file order. */
function walk(ns, out) {
  for (const o of ns.nestedArray) {
    if (o instanceof protobuf.Enum || o instanceof protobuf.Type) out.push(o);
    if (o instanceof protobuf.Type && o.nestedArray.length > 0) walk(o, out);
  }
  return out;
}

/** The top-level type of a nested one (CtrlMsg.Type -> CtrlMsg). */
function topLevel(t) {
  return t.parent instanceof protobuf.Type ? topLevel(t.parent) : t;
}

/** `./x.js` or `../pb/x.js`: module `to` as imported from module `from` (both relative to src/pb). */
function importPath(from, to) {
  const rel = posix.relative(posix.dirname(from), to).replace(/\.ts$/, '.js');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

function header(proto) {
  return [
    `// Generated by scripts/gen-pb.mjs from ${proto}: do not edit.`,
    '// Change the .proto file and run `npm run gen:pb` (CI runs `npm run gen:pb -- --check`).',
  ];
}

/** One group's module: its messages and enums, importing the types of other groups it refers to. */
function emitGroup(file, mod, items, owner) {
  const imports = new Map(); // module -> names
  for (const it of items) {
    if (!(it instanceof protobuf.Type)) continue;
    for (const f of it.fieldsArray) {
      const target = f.resolvedType;
      if (!(target instanceof protobuf.Type) || items.includes(target)) continue;
      const from = owner.get(tsName(target));
      const names = imports.get(from) ?? new Set();
      names.add(tsName(target)).add(`read${tsName(target)}`);
      imports.set(from, names);
    }
  }
  const body = [];
  for (const it of items) body.push('', ...(it instanceof protobuf.Type ? emitMessage(it) : emitEnum(it)));
  const text = body.join('\n');
  const used = (names) => names.filter((n) => new RegExp(`\\b${n}\\b`).test(text));
  const writerCalls = used(WRITER_CALLS);
  const lines = [
    ...header(file.proto),
    "// The messages' JS shapes and encoding rules: ../codec.ts.",
    '',
    "import type { Init, MessageCodec } from '../codec.js';",
    `import { ${used(['EMPTY_BYTES', 'Reader', 'checkRange', 'malformed']).join(', ')} } from '../wire.js';`,
    ...(writerCalls.length > 0 ? listLines('import ', writerCalls, " from '../writer.js';", '') : []),
    ...[...imports].sort(([a], [b]) => a.localeCompare(b)).flatMap(([m, names]) =>
      listLines('import ', [...names].sort(), ` from '${importPath(mod, m)}';`, ''),
    ),
    ...body,
  ];
  return lines.join('\n') + '\n';
}

/** The module re-exporting every message of a schema (what the rest of src imports). */
function emitIndex(file) {
  return [
    ...header(file.proto),
    `// Its messages by concern: ${Object.keys(file.groups).map((m) => `src/pb/${m}`).join(', ')}.`,
    '',
    "export type { Init, MessageCodec } from './codec.js';",
    ...Object.keys(file.groups).map((m) => `export * from '${importPath(file.out, m)}';`),
  ].join('\n') + '\n';
}

function generate() {
  const pbRoot = new protobuf.Root();
  const parsed = FILES.map((file) => {
    const text = readFileSync(join(PB_DIR, file.proto), 'utf8');
    const res = protobuf.parse(text, pbRoot, { keepCase: true, alternateCommentMode: true });
    if (!/^syntax = "proto3";$/m.test(text)) fail(`${file.proto}: only proto3 is supported`);
    return { ...file, pkg: res.package };
  });
  pbRoot.resolveAll();
  // Every type's module first, so that any group may import from any other.
  const owner = new Map(); // TS name -> module (relative to src/pb)
  const members = new Map(); // module -> its types and enums, in file order
  for (const file of parsed) {
    const groupOf = new Map(Object.entries(file.groups).flatMap(([m, names]) => names.map((n) => [n, m])));
    for (const it of walk(pbRoot.lookup(file.pkg), [])) {
      const n = tsName(it);
      if (owner.has(n)) fail(`${it.fullName}: the TypeScript name ${n} is taken by another type`);
      const mod = groupOf.get(topLevel(it).name);
      if (mod === undefined) fail(`${it.fullName}: in no group of ${file.proto}: add it to FILES in scripts/gen-pb.mjs`);
      owner.set(n, mod);
      members.set(mod, [...(members.get(mod) ?? []), it]);
    }
  }
  const outputs = [];
  const output = (mod, proto, content) => outputs.push({ path: join(PB_DIR, mod), rel: `src/pb/${mod}`, proto, content });
  for (const file of parsed) {
    for (const mod of Object.keys(file.groups)) {
      const items = members.get(mod);
      if (items === undefined) fail(`${mod}: no message of ${file.proto} is in this group`);
      output(mod, file.proto, emitGroup(file, mod, items, owner));
    }
    output(file.out, file.proto, emitIndex(file));
  }
  return outputs;
}

const outputs = generate();
if (check) {
  const stale = outputs.filter((o) => {
    try {
      return readFileSync(o.path, 'utf8') !== o.content;
    } catch {
      return true;
    }
  });
  for (const o of stale) {
    console.error(`gen-pb: ${o.rel} is not what scripts/gen-pb.mjs generates from src/pb/${o.proto}: run \`npm run gen:pb\` and commit the result`);
  }
  if (stale.length > 0) process.exit(1);
  console.log(`gen-pb: ${outputs.map((o) => o.rel).join(', ')} up to date`);
} else {
  for (const o of outputs) writeFileSync(o.path, o.content);
  console.log(`gen-pb: wrote ${outputs.map((o) => o.rel).join(', ')}`);
}
