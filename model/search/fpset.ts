// The set of fingerprints of the states seen: an open-addressing hash table of 64-bit fingerprints
// (two 32-bit halves) in a typed array, as TLC's FPSets keep 8-byte fingerprints. JavaScript's
// Set and Map stop at 2^24 entries; this grows by doubling at half load, so it holds 8 bytes per
// slot and at most 16 bytes per state. It can live in a SharedArrayBuffer: worker threads read it
// while the main thread, between levels, is its only writer.

export class FingerprintSet {
  private table: Uint32Array;
  private mask: number;
  count = 0;

  constructor(capacity = 1 << 16, shared = false) {
    let cap = 1 << 4;
    while (cap < capacity) cap <<= 1;
    this.table = FingerprintSet.alloc(cap, shared);
    this.mask = cap - 1;
  }

  private static alloc(cap: number, shared: boolean): Uint32Array {
    return shared ? new Uint32Array(new SharedArrayBuffer(cap * 8)) : new Uint32Array(cap * 2);
  }

  /** A read-only view over another thread's table (its buffer and count). */
  static view(buffer: ArrayBufferLike, count: number): FingerprintSet {
    const s = Object.create(FingerprintSet.prototype) as FingerprintSet;
    s.table = new Uint32Array(buffer);
    s.mask = s.table.length / 2 - 1;
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

  private static slot(hi: number, lo: number, mask: number): number {
    return (Math.imul(hi ^ (lo >>> 7), 0x9e3779b1) >>> 0) & mask;
  }

  has(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    const t = this.table;
    for (let i = FingerprintSet.slot(hi, lo, this.mask); ; i = (i + 1) & this.mask) {
      const a = t[2 * i]!, b = t[2 * i + 1]!;
      if (a === 0 && b === 0) return false;
      if (a === hi && b === lo) return true;
    }
  }

  /** Add a fingerprint; true when it was not there yet. */
  add(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    if ((this.count + 1) * 2 > this.capacity) this.grow();
    const t = this.table;
    for (let i = FingerprintSet.slot(hi, lo, this.mask); ; i = (i + 1) & this.mask) {
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
    const cap = (old.length / 2) * 2;
    this.table = FingerprintSet.alloc(cap, shared);
    this.mask = cap - 1;
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
