// The set of fingerprints of the states seen: an open-addressing hash table of 64-bit fingerprints
// (two 32-bit halves) in a typed array, as TLC's FPSets keep 8-byte fingerprints. JavaScript's
// Set and Map stop at 2^24 entries; this table holds 8 bytes per slot, is filled to at most 3/4
// and grows by half when it gets there, so it takes between 10.7 and 16 bytes per state. It can live in a SharedArrayBuffer: worker threads read it
// while the main thread, between levels, is its only writer.

export class FingerprintSet {
  private table: Uint32Array;
  private cap: number;
  count = 0;

  constructor(capacity = 1 << 16, shared = false) {
    this.cap = Math.max(16, capacity);
    this.table = FingerprintSet.alloc(this.cap, shared);
  }

  private static alloc(cap: number, shared: boolean): Uint32Array {
    return shared ? new Uint32Array(new SharedArrayBuffer(cap * 8)) : new Uint32Array(cap * 2);
  }

  /** A read-only view over another thread's table (its buffer and count). */
  static view(buffer: ArrayBufferLike, count: number): FingerprintSet {
    const s = Object.create(FingerprintSet.prototype) as FingerprintSet;
    s.table = new Uint32Array(buffer);
    s.cap = s.table.length / 2;
    s.count = count;
    return s;
  }

  get buffer(): ArrayBufferLike {
    return this.table.buffer;
  }

  get capacity(): number {
    return this.table.length / 2;
  }

  /** Bytes the table takes per state it holds. */
  get bytesPerState(): number {
    return this.count === 0 ? 0 : this.table.byteLength / this.count;
  }

  /** The home slot: the hash scaled to the capacity (any capacity, not only powers of two). */
  private static slot(hi: number, lo: number, cap: number): number {
    const h = Math.imul(hi ^ (lo >>> 7), 0x9e3779b1) >>> 0;
    return Math.min(cap - 1, Math.floor((h / 4294967296) * cap));
  }

  has(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    const t = this.table;
    const cap = this.cap;
    for (let i = FingerprintSet.slot(hi, lo, cap); ; i = i + 1 === cap ? 0 : i + 1) {
      const a = t[2 * i]!, b = t[2 * i + 1]!;
      if (a === 0 && b === 0) return false;
      if (a === hi && b === lo) return true;
    }
  }

  /** Add a fingerprint; true when it was not there yet. */
  add(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    if ((this.count + 1) * 4 > this.cap * 3) this.grow();
    const t = this.table;
    const cap = this.cap;
    for (let i = FingerprintSet.slot(hi, lo, cap); ; i = i + 1 === cap ? 0 : i + 1) {
      const a = t[2 * i]!, b = t[2 * i + 1]!;
      if (a === 0 && b === 0) {
        t[2 * i] = hi;
        t[2 * i + 1] = lo;
        this.count++;
        return true;
      }
      if (a === hi && b === lo) return false;
    }
  }

  private grow(): void {
    const old = this.table;
    const shared = old.buffer instanceof SharedArrayBuffer;
    this.cap = Math.ceil(this.cap * 1.5);
    this.table = FingerprintSet.alloc(this.cap, shared);
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) {
      const a = old[i]!, b = old[i + 1]!;
      if (a !== 0 || b !== 0) this.add(a, b);
    }
  }
}

/**
 * TLC's "optimistic" estimate of the probability that two distinct states shared a fingerprint
 * (and one was never explored): distinct × (generated − distinct) / 2^64.
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(0, generated - distinct)) / 2 ** 64;
}
