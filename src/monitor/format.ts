// Go's formatting of the values the monitoring JSON carries (STAN-REFERENCE
// §6): time.Time as RFC 3339 with the fraction trimmed and the local offset
// (or `Z`), nats-server's myUptime ("17s", "3m5s", "1y4d2h3m5s"), and
// time.Duration as integer nanoseconds.

const MS_PER_MIN = 60_000;

const pad = (n: number, w = 2): string => String(Math.trunc(n)).padStart(w, '0');

/**
 * A time as Go's time.Time marshals to JSON: `2020-02-11T16:17:33.101-07:00`,
 * or with `utc` (Go's time.Now().UTC()) `…Z`. Go trims trailing zeros of the
 * fraction; a zone at offset 0 prints as `Z`.
 */
export function goTime(at: Date | number, utc = false): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  const offMin = utc ? 0 : -new Date(ms).getTimezoneOffset();
  const iso = new Date(ms + offMin * MS_PER_MIN).toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  const base = iso.slice(0, 19) + (frac === '' ? '' : `.${frac}`);
  if (offMin === 0) return `${base}Z`;
  const a = Math.abs(offMin);
  return `${base}${offMin < 0 ? '-' : '+'}${pad(a / 60)}:${pad(a % 60)}`;
}

/** nats-server's myUptime: whole seconds as `[Ny][Nd][Nh][Nm]Ns`. */
export function goUptime(ms: number): string {
  const secs = Math.max(0, Math.floor(ms / 1000));
  const mins = Math.floor(secs / 60);
  const hrs = Math.floor(mins / 60);
  const days = Math.floor(hrs / 24);
  const yrs = Math.floor(days / 365);
  if (yrs > 0) return `${yrs}y${days % 365}d${hrs % 24}h${mins % 60}m${secs % 60}s`;
  if (days > 0) return `${days}d${hrs % 24}h${mins % 60}m${secs % 60}s`;
  if (hrs > 0) return `${hrs}h${mins % 60}m${secs % 60}s`;
  if (mins > 0) return `${mins}m${secs % 60}s`;
  return `${secs}s`;
}

/** Milliseconds as a Go time.Duration in JSON: integer nanoseconds. */
export function goNanos(ms: number): number {
  return Math.round(ms * 1_000_000);
}
