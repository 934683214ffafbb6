// Build-time patches of the pinned sql.js, shared by esbuild.mjs and the bench's fallback build.
//
// 1. The JS glue: sql.js does not export its Emscripten FS, which the in-place file system needs.
//    Its debug build keeps real names (and runs at release speed), so we export FS from that one
//    file at bundle time, and turn off its debug logging.
// 2. The WebAssembly: one libc function, memcmp, replaced by a version that compares 8 bytes per
//    step (unaligned i64 loads) instead of one (musl's loop takes words only when both pointers are
//    4-byte aligned, which record keys rarely are). SQLite calls memcmp for every text key
//    comparison of a b-tree search: ~12 % of a doctor-style query's CPU on 32-character ids, and
//    the 9.7 GB bench's missing-embeddings query ran 2.4 s → 2.0 s. The result is the same as
//    musl's: the difference of the first differing bytes, or 0.
// Both patches are valid only for the exact pinned files (src/core/db/sqljs-pin.json): the build
// stops on any change, and the memcmp body must match byte for byte.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** musl memcmp as compiled in sql.js 1.16.0's sql-wasm-debug.wasm (function 2141). */
export const MEMCMP_ORIGINAL = '01027f02400240024020024104490d0020012000724103710d01034020002802002001280200470d02200141046a2101200041046a21002002417c6a220241034b0d000b0b2002450d010b0240034020002d0000220320012d00002204470d01200141016a2101200041016a21002002417f6a2202450d020c000b000b200320046b0f0b41000b';

// (func (param $l i32) (param $r i32) (param $n i32) (result i32)
//   (local $a i64) (local $b i64) (local $shift i64) (local $x i32) (local $y i32)
const MEMCMP_WIDE = [
  '02037e027f', // locals: 3 × i64, 2 × i32
  '0240', '0340', // block $tail  loop $words
  '2002410849', '0d01', //   n < 8 → $tail
  '2000290000', '2103', //   a = i64.load(l)  (align 1)
  '200129000022042003', '52', //   b = i64.load(r); a != b ?
  '0440', //   if: shift = ctz(a ^ b) & ~7: the first differing byte (little endian)
  '2003200485', '7a', '4278', '83', '2105',
  '20032005' + '88' + 'a7' + '41ff01' + '71', //     (a >> shift) & 255
  '20042005' + '88' + 'a7' + '41ff01' + '71', //     (b >> shift) & 255
  '6b0f', '0b', //     return the difference
  '200041086a2100', '200141086a2101', '200241086b2102', //   l += 8; r += 8; n -= 8
  '0c00', '0b', '0b', // br $words; end loop; end block
  '0240', '0340', // block $done  loop $bytes
  '2002450d01', //   n == 0 → $done
  '20002d00002206', '20012d00002207', '47', //   x = *l; y = *r; x != y ?
  '0440', '200620076b0f', '0b', //   return x - y
  '200041016a2100', '200141016a2101', '200241016b2102', //   l++; r++; n--
  '0c00', '0b', '0b', // br $bytes; end loop; end block
  '4100', '0b', // return 0
].join('');

function readLeb(buf, at) {
  let value = 0, shift = 0, byte;
  do { byte = buf[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return { value, next: at };
}
function leb(n) {
  const out = [];
  do { let b = n % 128; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n);
  return Buffer.from(out);
}

/** `wasm` with memcmp's body replaced (the caller checks the pin); throws if it is not there once. */
export function patchMemcmp(wasm) {
  const original = Buffer.from(MEMCMP_ORIGINAL, 'hex');
  const parts = [wasm.subarray(0, 8)];
  let at = 8, replaced = 0;
  while (at < wasm.length) {
    const id = wasm[at];
    const size = readLeb(wasm, at + 1);
    const start = size.next, end = start + size.value;
    if (id !== 10) { parts.push(wasm.subarray(at, end)); at = end; continue; }
    // Code section: a vector of (size, body); rewrite it with the one body swapped.
    const count = readLeb(wasm, start);
    const bodies = [leb(count.value)];
    let p = count.next;
    for (let i = 0; i < count.value; i++) {
      const len = readLeb(wasm, p);
      const body = wasm.subarray(len.next, len.next + len.value);
      if (body.equals(original)) { const wide = Buffer.from(MEMCMP_WIDE, 'hex'); bodies.push(leb(wide.length), wide); replaced++; }
      else bodies.push(wasm.subarray(p, len.next + len.value));
      p = len.next + len.value;
    }
    const content = Buffer.concat(bodies);
    parts.push(Buffer.from([10]), leb(content.length), content);
    at = end;
  }
  if (replaced !== 1) throw new Error(`sql.js wasm: expected one memcmp body to patch, found ${replaced}`);
  const out = Buffer.concat(parts);
  if (!WebAssembly.validate(out)) throw new Error('sql.js wasm: the patched module does not validate');
  return out;
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const readPin = (root) => JSON.parse(readFileSync(join(root, 'src/core/db/sqljs-pin.json'), 'utf8'));

function checkPin(root, file, expected, version) {
  const data = readFileSync(join(root, file));
  const actual = sha256(data);
  if (actual !== expected) {
    throw new Error(`sql.js changed: ${file} has sha256 ${actual}, the patches in src/build/sqljs.mjs were written for ` +
      `sql.js ${version} (${expected}). Re-verify them and update src/core/db/sqljs-pin.json.`);
  }
  return data;
}

/** esbuild plugin: loads sql-wasm-debug.js with `Module['FS'] = FS` added and debug logging off. */
export function sqlJsGluePlugin(root) {
  const pin = readPin(root);
  return {
    name: 'sql.js-glue',
    setup(build) {
      build.onLoad({ filter: /sql\.js[\\/]dist[\\/]sql-wasm-debug\.js$/ }, (a) => {
        const text = checkPin(root, relative(root, a.path), pin.sha256, pin.version).toString('utf8');
        const marker = '// Begin runtime exports', debugLog = 'var runtimeDebug = true;';
        if (!text.includes(marker) || !text.includes(debugLog)) throw new Error('sql.js patch markers not found');
        // The debug build also logs every WebAssembly heap growth with console.warn ("Heap resize
        // call from … took … msecs"): noise on the CLI's stderr and the server's log.
        return { contents: text.replace(marker, `${marker}\nModule['FS'] = FS;`).replace(debugLog, 'var runtimeDebug = false;'), loader: 'js' };
      });
    },
  };
}

/** The pinned sql-wasm-debug.wasm with memcmp patched: what every bundle loads. */
export function patchedSqlJsWasm(root) {
  const pin = readPin(root);
  return patchMemcmp(checkPin(root, pin.wasm, pin.wasmSha256, pin.version));
}
