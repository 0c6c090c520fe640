// The channel name rule of the Go streaming server (STAN-REFERENCE §2.9):
// not empty, no `/`, no `.` first or last, no `..`. A channel that clients
// publish or subscribe to takes no wildcards; a per-channel limits key
// (§7.3) may hold them, as whole tokens with `>` only last.

const cc = {
  dot: 0x2e, // .
  slash: 0x2f, // /
  star: 0x2a, // *
  gt: 0x3e, // >
} as const;

/** The rule, with or without wildcard tokens. */
function isValidName(name: string, wildcards: boolean): boolean {
  const n = name.length;
  if (n === 0 || name.charCodeAt(0) === cc.dot) return false;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c === cc.slash) return false;
    if (c === cc.dot && (i === n - 1 || name.charCodeAt(i + 1) === cc.dot)) return false;
    if (c !== cc.star && c !== cc.gt) continue;
    if (!wildcards) return false;
    if (i > 0 && name.charCodeAt(i - 1) !== cc.dot) return false;
    if (c === cc.gt && i !== n - 1) return false;
    if (i < n - 1 && name.charCodeAt(i + 1) !== cc.dot) return false;
  }
  return true;
}

/** A channel name clients may publish or subscribe to: no `*` or `>` anywhere. */
export function isValidChannel(name: string): boolean {
  return isValidName(name, false);
}

/** A per-channel limits key: a channel name, or a pattern with `*` and `>` tokens. */
export function isValidChannelPattern(name: string): boolean {
  return isValidName(name, true);
}
