//! CRC-32 over any reversed (LSB-first) polynomial, as used by the file
//! store's record checksums.
//!
//! Semantics follow Go's `hash/crc32` (`MakeTable(poly)` + `Update`), which
//! nats-streaming-server's `stores/filestore.go` uses with the polynomial
//! from `--file_crc_poly` (default [`IEEE`]); records written by the Go
//! server must verify here and the other way round.
//!
//! Two backends share [`Table`]: a portable slicing-by-16 table walk, and on
//! `x86_64` a PCLMULQDQ folding loop (Intel, "Fast CRC Computation for Generic
//! Polynomials Using PCLMULQDQ Instruction", 2009), chosen at run time. Both
//! are tested against the bitwise [`update_slow`].

use std::fmt;
use std::sync::{Mutex, PoisonError};

// Both attributes point at the same file whether this module is compiled
// inside the crate or on its own as a crate root (the wasm check and the
// standalone test build do that), where plain `mod` would look in `src/`.
#[cfg(target_arch = "x86_64")]
#[path = "crc32/pclmul.rs"]
mod pclmul;
#[cfg(test)]
#[path = "crc32/tests.rs"]
mod tests;

/// The IEEE 802.3 polynomial in reversed form; Go's `crc32.IEEE` and the
/// file store's default `--file_crc_poly` (3988292384).
pub const IEEE: u32 = 0xedb8_8320;

/// Number of 256-entry tables: bytes consumed per step of the table walk.
const SLICES: usize = 16;

/// Most non-IEEE polynomials [`update`] will build and keep for the life of
/// the process. A server uses one; past this, `update` builds a throwaway
/// table per call instead of leaking memory without bound.
const CACHE_MAX: usize = 16;

/// `SLICES` lookup tables: `rows[0][b]` is the CRC of byte `b`, and
/// `rows[k][b]` is `rows[k - 1][b]` pushed through one more zero byte.
type Rows = [[u32; 256]; SLICES];

/// Lookup tables (and, on `x86_64`, folding constants) for one reversed
/// polynomial, about 16 KiB on the heap or in static memory.
pub struct Table {
    /// The reversed polynomial the tables were made from.
    poly: u32,
    /// The slicing-by-16 tables.
    rows: RowStore,
    /// Constants for the PCLMULQDQ path, computed from `poly`.
    #[cfg(target_arch = "x86_64")]
    keys: pclmul::Keys,
}

/// Where a table's rows live: IEEE's are computed at compile time into a
/// static; any other polynomial's are built at run time on the heap.
enum RowStore {
    Static(&'static Rows),
    Heap(Box<Rows>),
}

/// IEEE rows, computed by the compiler (a `static`, not a `const`, so uses
/// never copy 16 KiB).
static IEEE_ROWS: Rows = const_rows(IEEE);

/// The process-wide IEEE table; needs no lock and no run-time setup.
static IEEE_TABLE: Table = Table {
    poly: IEEE,
    rows: RowStore::Static(&IEEE_ROWS),
    #[cfg(target_arch = "x86_64")]
    keys: pclmul::Keys::new(IEEE),
};

/// Tables for polynomials other than IEEE, built on first use and leaked so
/// callers can hold `&'static` references. A linear scan: it stays tiny.
static CACHE: Mutex<Vec<(u32, &'static Table)>> = Mutex::new(Vec::new());

impl Table {
    /// Builds the tables for the reversed polynomial `poly` (for example
    /// [`IEEE`], or Castagnoli's `0x82f6_3b78`). Costs a few microseconds;
    /// prefer [`table`], which builds each polynomial once.
    #[must_use]
    pub fn new(poly: u32) -> Table {
        // Built in place on the heap: a `Rows` value would be a 16 KiB
        // stack temporary (copied twice in debug builds).
        let mut rows: Box<Rows> = match vec![[0u32; 256]; SLICES].into_boxed_slice().try_into() {
            Ok(rows) => rows,
            Err(_) => unreachable!("the vec has exactly SLICES rows"),
        };
        for (byte, entry) in rows[0].iter_mut().enumerate() {
            *entry = byte_crc(poly, byte as u32);
        }
        for k in 1..SLICES {
            for byte in 0..256 {
                rows[k][byte] = zero_byte(&rows[0], rows[k - 1][byte]);
            }
        }
        Table {
            poly,
            rows: RowStore::Heap(rows),
            #[cfg(target_arch = "x86_64")]
            keys: pclmul::Keys::new(poly),
        }
    }

    /// The reversed polynomial this table was built for.
    #[must_use]
    pub fn poly(&self) -> u32 {
        self.poly
    }

    /// Go's `crc32.Update(crc, table, data)`: extends the finished checksum
    /// `crc` (0 to start) with `data`.
    #[must_use]
    pub fn update(&self, crc: u32, data: &[u8]) -> u32 {
        !self.update_state(!crc, data)
    }

    /// Runs the raw CRC register `state` (the pre-inverted checksum) over
    /// `data` with the fastest backend this CPU has.
    fn update_state(&self, state: u32, data: &[u8]) -> u32 {
        #[cfg(target_arch = "x86_64")]
        {
            if data.len() >= pclmul::MIN_LEN {
                if let Some(state) = pclmul::update(self, state, data) {
                    return state;
                }
            }
        }
        self.slice16(state, data)
    }

    /// The portable backend: the table walk, 16 bytes per step.
    fn slice16(&self, mut state: u32, data: &[u8]) -> u32 {
        let t = self.rows();
        let mut chunks = data.chunks_exact(SLICES);
        for c in &mut chunks {
            // The register overlaps the first four bytes; the other twelve
            // only need their own contribution, read from deeper tables.
            // Grouping the xors keeps the register's dependency chain to
            // four lookups, so the rest overlaps with the next step.
            let data = (t[11][c[4] as usize] ^ t[10][c[5] as usize])
                ^ (t[9][c[6] as usize] ^ t[8][c[7] as usize])
                ^ ((t[7][c[8] as usize] ^ t[6][c[9] as usize])
                    ^ (t[5][c[10] as usize] ^ t[4][c[11] as usize]))
                ^ ((t[3][c[12] as usize] ^ t[2][c[13] as usize])
                    ^ (t[1][c[14] as usize] ^ t[0][c[15] as usize]));
            let a = state ^ u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            state = data
                ^ (t[15][(a & 0xff) as usize] ^ t[14][((a >> 8) & 0xff) as usize])
                ^ (t[13][((a >> 16) & 0xff) as usize] ^ t[12][(a >> 24) as usize]);
        }
        for &b in chunks.remainder() {
            state = t[0][((state ^ b as u32) & 0xff) as usize] ^ (state >> 8);
        }
        state
    }

    fn rows(&self) -> &Rows {
        match &self.rows {
            RowStore::Static(rows) => rows,
            RowStore::Heap(rows) => rows,
        }
    }
}

impl fmt::Debug for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("poly", &format_args!("{:#010x}", self.poly))
            .finish_non_exhaustive()
    }
}

/// The process-wide table for the reversed polynomial `poly`.
///
/// IEEE's is static. Any other polynomial is built on first use and kept
/// for the life of the process (about 16 KiB each), so pass configured
/// polynomials, not arbitrary ones.
#[must_use]
pub fn table(poly: u32) -> &'static Table {
    match cached(poly, true) {
        Some(t) => t,
        None => unreachable!("cached() always inserts when asked to"),
    }
}

/// Go's `crc32.Update(crc, crc32.MakeTable(poly), data)`: extends the
/// finished checksum `crc` (0 to start) with `data`, so
/// `update(update(0, p, a), p, b) == update(0, p, a ++ b)`.
#[must_use]
pub fn update(crc: u32, poly: u32, data: &[u8]) -> u32 {
    match cached(poly, false) {
        Some(t) => t.update(crc, data),
        None => Table::new(poly).update(crc, data),
    }
}

/// A span of [`seal`] outside the buffer (its index in the list).
#[derive(Debug, PartialEq, Eq)]
pub struct SpanOutOfRange(pub usize);

/// The file store's records, checksummed in one call: for each triple
/// `(at, start, end)` of `spans`, writes `update(0, poly, buf[start..end])`
/// as little-endian at `buf[at..at + 4]`, in order (a later span may cover
/// an earlier span's checksum). Checks every span before writing any.
pub fn seal(buf: &mut [u8], spans: &[u32], poly: u32) -> Result<(), SpanOutOfRange> {
    let len = buf.len();
    for (i, s) in spans.chunks(3).enumerate() {
        let ok = s.len() == 3 && {
            let (at, start, end) = (s[0] as usize, s[1] as usize, s[2] as usize);
            start <= end && end <= len && at.checked_add(4).map_or(false, |e| e <= len)
        };
        if !ok {
            return Err(SpanOutOfRange(i));
        }
    }
    let owned;
    let t = match cached(poly, false) {
        Some(t) => t,
        None => {
            owned = Table::new(poly);
            &owned
        }
    };
    for s in spans.chunks(3) {
        let (at, start, end) = (s[0] as usize, s[1] as usize, s[2] as usize);
        let c = t.update(0, &buf[start..end]);
        buf[at..at + 4].copy_from_slice(&c.to_le_bytes());
    }
    Ok(())
}

/// CRC-32/IEEE of `data` (Go's `crc32.ChecksumIEEE`, zlib's `crc32`).
#[must_use]
pub fn checksum_ieee(data: &[u8]) -> u32 {
    IEEE_TABLE.update(0, data)
}

/// Bit-at-a-time reference for [`update`], with the same meaning and no
/// tables: the ground truth for tests, far too slow for real use.
#[must_use]
pub fn update_slow(crc: u32, poly: u32, data: &[u8]) -> u32 {
    let mut state = !crc;
    for &b in data {
        state ^= b as u32;
        for _ in 0..8 {
            state = if state & 1 == 1 {
                (state >> 1) ^ poly
            } else {
                state >> 1
            };
        }
    }
    !state
}

/// Looks `poly` up in the cache, building and inserting it when absent and
/// either the cache has room or `past_max` is set.
fn cached(poly: u32, past_max: bool) -> Option<&'static Table> {
    if poly == IEEE {
        return Some(&IEEE_TABLE);
    }
    // A panic while holding the lock cannot leave the Vec half-updated
    // (push is the only write), so a poisoned lock is still consistent.
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&(_, t)) = cache.iter().find(|(p, _)| *p == poly) {
        return Some(t);
    }
    if cache.len() >= CACHE_MAX && !past_max {
        return None;
    }
    let t: &'static Table = Box::leak(Box::new(Table::new(poly)));
    cache.push((poly, t));
    Some(t)
}

/// The register after shifting one byte value `byte` through it (the
/// first-row entry), eight polynomial steps.
const fn byte_crc(poly: u32, byte: u32) -> u32 {
    let mut c = byte;
    let mut i = 0;
    while i < 8 {
        c = if c & 1 == 1 { (c >> 1) ^ poly } else { c >> 1 };
        i += 1;
    }
    c
}

/// The register `c` after one more zero byte, using the first table row.
const fn zero_byte(row0: &[u32; 256], c: u32) -> u32 {
    (c >> 8) ^ row0[(c & 0xff) as usize]
}

/// Compile-time twin of the row building in [`Table::new`], for
/// [`IEEE_ROWS`].
const fn const_rows(poly: u32) -> Rows {
    let mut rows = [[0u32; 256]; SLICES];
    let mut byte = 0;
    while byte < 256 {
        rows[0][byte] = byte_crc(poly, byte as u32);
        byte += 1;
    }
    let mut k = 1;
    while k < SLICES {
        let mut byte = 0;
        while byte < 256 {
            rows[k][byte] = zero_byte(&rows[0], rows[k - 1][byte]);
            byte += 1;
        }
        k += 1;
    }
    rows
}
