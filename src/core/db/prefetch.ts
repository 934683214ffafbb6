// B-tree-aware prefetch: while SQLite computes on one page, a helper thread asks the OS for the
// pages it will read next, so a cold scan's disk waits overlap its CPU instead of adding to it.
// SQLite reads pages one at a time and waits for each; an index's leaves lie far apart in a big
// file (~300 KB apart on the 9.7 GB bench file), so the kernel's sequential readahead never sees a
// pattern. The b-tree knows the pattern: an interior page lists its children in key order, and a
// scan visits them in that order. The helper only reads into a scratch buffer (the page cache
// keeps the data); it never writes and a failed read is ignored.
import { Worker } from 'node:worker_threads';

/** Children of a b-tree interior page, in key order (left children, then the right-most). */
export function interiorChildren(page: Uint8Array, headerAt: number): number[] | undefined {
  const type = page[headerAt];
  if (type !== 0x02 && type !== 0x05) return undefined; // index / table interior
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const cells = view.getUint16(headerAt + 3);
  const out: number[] = [];
  for (let i = 0; i < cells; i++) {
    const at = headerAt + 12 + 2 * i;
    if (at + 2 > page.length) return undefined;
    const cell = view.getUint16(at);
    if (cell + 4 > page.length) return undefined;
    out.push(view.getUint32(cell));
  }
  out.push(view.getUint32(headerAt + 8));
  return out;
}

/**
 * Whether the disk has been making SQLite wait: prefetching pages the OS already holds only costs
 * CPU (a warm run of the bench was 0.2–0.45 s slower with it always on, on 2 cores). Starts off;
 * a few slow reads in a window turn it on, a window without them turns it off again (it then
 * comes back within a few reads if the prefetch was what kept them fast).
 */
export class DiskWaits {
  static readonly SLOW_MS = 0.02; // a page the OS holds comes back in ~5 µs, one from disk in 30+
  static readonly WINDOW = 512;
  static readonly ENOUGH = 8;
  private on = false;
  private reads = 0;
  private slow = 0;

  /** `always`: active from the first read (tests). */
  constructor(private readonly always = false) {}

  get active(): boolean { return this.always || this.on; }

  /** Records one read of SQLite's; true when it just turned prefetching on. */
  note(ms: number): boolean {
    this.reads++;
    let started = false;
    if (ms > DiskWaits.SLOW_MS && ++this.slow >= DiskWaits.ENOUGH && !this.on) {
      this.on = true;
      started = !this.always;
    }
    if (this.reads >= DiskWaits.WINDOW) {
      if (this.slow < DiskWaits.ENOUGH) this.on = false;
      this.reads = this.slow = 0;
    }
    return started;
  }
}

// The ring shared with the helper: [head, tail, pages read] counters, then (fd, position, length)
// triples; a triple of length 0 starts a batch (the children of one interior page).
const SLOTS = 4096; // a power of two: counters wrap, slots are counter & (SLOTS - 1)
const DEPTH = 16; // reads in flight: the disk answers several at once faster than one by one
// The helper serves the newest batch first: it holds the children of the page SQLite read last,
// the ones it reads next. Older batches are finished later, or dropped past PENDING pages.
const PENDING = 16384;
// fd numbers are shared by all threads of the process. A read may meet an fd closed or reused
// meanwhile: pread then fails (EBADF, or ESPIPE on a pipe or socket, whose data it never takes)
// or reads another file into the scratch buffer; either way nothing changes and it is ignored.
const HELPER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const ctl = new Int32Array(workerData, 0, 3), ent = new Float64Array(workerData, 16, ${3 * SLOTS});
const bufs = Array.from({ length: ${DEPTH} }, () => Buffer.allocUnsafe(65536));
const batches = [];
let tail = 0, waiting = false, pending = 0;
function drain() {
  for (const head = Atomics.load(ctl, 0); tail !== head; tail = (tail + 1) | 0) {
    const i = (tail & ${SLOTS - 1}) * 3;
    if (ent[i + 2] <= 0 || !batches.length) batches.push({ items: [], next: 0 });
    if (ent[i + 2] > 0) { batches[batches.length - 1].items.push(ent[i], ent[i + 1], ent[i + 2]); pending++; }
  }
  Atomics.store(ctl, 1, tail);
  while (pending > ${PENDING} && batches.length > 1) { const b = batches.shift(); pending -= (b.items.length - b.next) / 3; }
}
function pump() {
  drain();
  while (bufs.length && batches.length) {
    const b = batches[batches.length - 1];
    if (b.next >= b.items.length) { batches.pop(); continue; }
    const fd = b.items[b.next], pos = b.items[b.next + 1], len = b.items[b.next + 2], buf = bufs.pop();
    b.next += 3; pending--;
    fs.read(fd, buf, 0, Math.min(len, buf.length), pos, () => { bufs.push(buf); Atomics.add(ctl, 2, 1); pump(); });
  }
  if (!waiting && !batches.length) {
    const w = Atomics.waitAsync(ctl, 0, tail);
    if (!w.async) { setImmediate(pump); return; } // more arrived since drain()
    waiting = true;
    w.value.then(() => { waiting = false; pump(); });
  }
}
setInterval(() => {}, 1 << 30); // waitAsync alone does not keep a worker's event loop alive
pump();`;

/** One helper thread per engine thread, started at the first request. */
export class Prefetcher {
  private readonly ring = new SharedArrayBuffer(16 + 8 * 3 * SLOTS);
  private readonly ctl = new Int32Array(this.ring, 0, 3);
  private readonly ent = new Float64Array(this.ring, 16, 3 * SLOTS);
  private worker: Worker | undefined;
  private failed = false;
  /** Pages asked for, and dropped because the helper was a whole ring behind. */
  requested = 0;
  dropped = 0;

  /** Pages the helper has read so far. */
  get read(): number { return Atomics.load(this.ctl, 2); }

  /** Queues one batch: reads of [position, length) ranges of `fd`, served before older batches. */
  request(fd: number, ranges: readonly (readonly [position: number, length: number])[]): void {
    if (this.failed || !ranges.length || !this.start()) return;
    let head = Atomics.load(this.ctl, 0);
    const free = SLOTS - ((head - Atomics.load(this.ctl, 1)) | 0);
    if (free < 2) { this.dropped += ranges.length; return; }
    const take = Math.min(ranges.length, free - 1);
    for (let k = -1; k < take; k++) {
      const [pos, len] = k < 0 ? [0, 0] : ranges[k];
      const i = (head & (SLOTS - 1)) * 3;
      this.ent[i] = fd; this.ent[i + 1] = pos; this.ent[i + 2] = len;
      head = (head + 1) | 0;
    }
    this.requested += take;
    this.dropped += ranges.length - take;
    Atomics.store(this.ctl, 0, head);
    Atomics.notify(this.ctl, 0);
  }

  private start(): boolean {
    if (this.worker) return true;
    try {
      // A few MB of heap is plenty for a read loop; the limit keeps a fault here from growing.
      this.worker = new Worker(HELPER, { eval: true, workerData: this.ring, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 } });
      this.worker.unref(); // never keeps a process alive
      this.worker.on('error', () => { this.failed = true; this.worker = undefined; }); // prefetching is only ever an optimisation
      return true;
    } catch {
      this.failed = true;
      return false;
    }
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
