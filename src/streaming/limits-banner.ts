// The "Store Limits" table the Go server logs at startup (its
// stores/limits.go Print(); STAN-REFERENCE §7.3): the global limits, then
// each per-channel entry under the one it inherits from.

import { friendlyBytes, goDuration } from '../units/go-format.js';
import { resolvedEntries } from '../stores/limits.js';
import { type ChannelLimits, DEFAULT_STORE_LIMITS, type StoreLimits } from '../stores/store.js';

type LimitKind = 'count' | 'bytes' | 'duration';

const BANNER_TITLE = '---------- Store Limits ----------';
const BANNER_CHANNELS_TITLE = '--------- Channels Limits --------';
const BANNER_LIST_TITLE = ' List of Channels ';

/** A limit's value cell: right-aligned in 13 columns, ` *` when `marked`. */
function limitCell(v: number, kind: LimitKind, marked: boolean): string {
  let s: string;
  if (v === 0) s = 'unlimited';
  else if (kind === 'bytes') s = friendlyBytes(v);
  else if (kind === 'duration') s = goDuration(v);
  else s = String(v);
  return s.padStart(13) + (marked ? ' *' : '');
}

const BANNER_ROWS: readonly [keyof ChannelLimits, LimitKind, string, string][] = [
  ['maxSubscriptions', 'count', '  Subscriptions: ', ' |-> Subscriptions '],
  ['maxMsgs', 'count', '  Messages     : ', ' |-> Messages      '],
  ['maxBytes', 'bytes', '  Bytes        : ', ' |-> Bytes         '],
  ['maxAgeMs', 'duration', '  Age          : ', ' |-> Age           '],
  ['maxInactivityMs', 'duration', '  Inactivity   : ', ' |-> Inactivity    '],
];

/**
 * The Go server's startup table of store limits, one string per log line.
 * Globals equal to the defaults are marked `*`; each per-channel entry is
 * indented by its depth in the inheritance tree and lists only the limits
 * that differ from what it inherits.
 */
export function formatLimitsBanner(limits: StoreLimits): string[] {
  const defaultChannels = limits.maxChannels === DEFAULT_STORE_LIMITS.maxChannels;
  const lines = [
    BANNER_TITLE,
    `Channels:        ${limitCell(limits.maxChannels, 'count', defaultChannels)}`,
    BANNER_CHANNELS_TITLE,
  ];
  for (const [field, kind, label] of BANNER_ROWS) {
    lines.push(label + limitCell(limits[field], kind, limits[field] === DEFAULT_STORE_LIMITS[field]));
  }
  let width = BANNER_TITLE.length;
  if (limits.perChannel.size > 0) {
    const entries = resolvedEntries(limits);
    const maxLevels = Math.max(...entries.map((e) => e.name.split('.').length));
    const channelLines: string[] = [];
    for (const e of entries) {
      const left = ' '.repeat(e.depth);
      const right = ' '.repeat(Math.max(0, maxLevels - e.depth));
      channelLines.push(left + e.name);
      for (const [field, kind, , label] of BANNER_ROWS) {
        if (e.limits[field] !== e.inherited[field]) channelLines.push(left + label + right + limitCell(e.limits[field], kind, false));
      }
    }
    // Go measures in bytes.
    for (const l of channelLines) width = Math.max(width, Buffer.byteLength(l, 'utf8'));
    const dashesLeft = Math.max(0, Math.floor((width - BANNER_LIST_TITLE.length) / 2));
    const dashesRight = Math.max(0, width - BANNER_LIST_TITLE.length - dashesLeft);
    lines.push('-'.repeat(dashesLeft) + BANNER_LIST_TITLE + '-'.repeat(dashesRight));
    lines.push(...channelLines);
  }
  lines.push('-'.repeat(width));
  return lines;
}
