// Philox4x32-10, the counter-based generator behind `random`: element k of a random Var with
// (seed, offset) is a pure function of (seed, offset + k), so every backend reproduces it.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

function mulhi(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const lolo = a0 * b0;
  const hilo = a1 * b0;
  const lohi = a0 * b1;
  const cross = (lolo >>> 16) + (hilo & 0xffff) + lohi;
  return (a1 * b1 + (hilo >>> 16) + Math.floor(cross / 65536)) >>> 0;
}

/** The four 32-bit words of Philox4x32-10 for a 64-bit counter and 64-bit key (given as numbers < 2^53). */
export function philox4x32(counter: number, seed: number, out: Uint32Array = new Uint32Array(4)): Uint32Array {
  let c0 = counter >>> 0;
  let c1 = Math.floor(counter / 4294967296) >>> 0;
  let c2 = 0;
  let c3 = 0;
  let k0 = seed >>> 0;
  let k1 = Math.floor(seed / 4294967296) >>> 0;
  for (let r = 0; r < 10; r++) {
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi0 = mulhi(M0, c0);
    const lo1 = Math.imul(M1, c2) >>> 0;
    const hi1 = mulhi(M1, c2);
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

const TWO_POW_M24 = 1 / 16777216;
const scratch = new Uint32Array(4);

/** Uniform in [0, 1): the top 24 bits of word 0, exact in float32. */
export function philoxUniform(counter: number, seed: number): number {
  philox4x32(counter, seed, scratch);
  return (scratch[0] >>> 8) * TWO_POW_M24;
}

/** Standard normal by Box-Muller on words 0 and 1, computed in float64. */
export function philoxNormal(counter: number, seed: number): number {
  philox4x32(counter, seed, scratch);
  const u1 = ((scratch[0] >>> 8) + 1) * TWO_POW_M24;
  const u2 = (scratch[1] >>> 8) * TWO_POW_M24;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
