// RNN, LSTM and GRU with PyTorch's parameter names, gate order and state layout. The input
// projection of every time step is one matmul per layer and direction; each step then does only the
// hidden matmul and the element-wise gate update, which the compiler fuses. Every step builds the same
// graph structure, so a training loop over sequences of one length plans and compiles once.
import { checkOptions, type OptionKeys, ArgumentError, formatShape, ShapeError, type Var } from '@metaop/core';
import { add, chunk, concat, dropout, matmul, mul, relu, sigmoid, squeeze, stack, sub, tanh, transpose, unsqueeze, zeros } from '@metaop/ops';
import { uniform_ } from '../init.js';
import { newParameter } from '../parameter.js';
import { Module } from '../module.js';

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

export interface RNNBaseOptions {
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** Learn bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Input and output as [batch, seq, feature] instead of [seq, batch, feature] (default false). */
  batchFirst?: boolean;
  /** Dropout probability on each layer's output except the last, in training mode (default 0). */
  dropout?: number;
  /** Run a second, reversed direction and concatenate both outputs (default false). */
  bidirectional?: boolean;
}
export interface RNNOptions extends RNNBaseOptions {
  /** 'tanh' (default) or 'relu'. */
  nonlinearity?: 'tanh' | 'relu';
}
export interface LSTMOptions extends RNNBaseOptions {
  /**
   * Projects each hidden state to this size with weight_hr (PyTorch's proj_size; default 0: none).
   * h and the output then have projSize features, c keeps hiddenSize.
   */
  projSize?: number;
}
export type GRUOptions = RNNBaseOptions;

const baseKeys: OptionKeys<RNNBaseOptions> = { numLayers: true, bias: true, batchFirst: true, dropout: true, bidirectional: true };
const rnnKeys: OptionKeys<RNNOptions> = { ...baseKeys, nonlinearity: true };
const lstmKeys: OptionKeys<LSTMOptions> = { ...baseKeys, projSize: true };

const gateCount: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

function positiveInt(n: unknown, what: string, op: string): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ArgumentError(`${what} must be a positive integer, got ${String(n)}`, op);
}

interface DirectionWeights {
  wIh: Var;
  wHh: Var;
  bIh: Var | null;
  bHh: Var | null;
  /** LSTM with projSize: [projSize, hiddenSize]. */
  wHr: Var | null;
}

abstract class RNNBase<State> extends Module<[Var, State?], [Var, State]> {
  readonly mode: Mode;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  /** LSTM only: the projected hidden size (0: no projection). */
  readonly projSize: number;
  readonly #weights: DirectionWeights[][] = [];

  protected constructor(mode: Mode, inputSize: number, hiddenSize: number, options: RNNBaseOptions, op: string, projSize = 0) {
    super();
    positiveInt(inputSize, 'inputSize', op);
    positiveInt(hiddenSize, 'hiddenSize', op);
    const numLayers = options.numLayers ?? 1;
    positiveInt(numLayers, 'numLayers', op);
    const p = options.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new ArgumentError(`dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got ${String(p)}`, op);
    }
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = p;
    this.bidirectional = options.bidirectional ?? false;
    if (typeof projSize !== 'number' || !Number.isInteger(projSize) || projSize < 0) {
      throw new ArgumentError(`projSize should be a positive integer or zero to disable projections, got ${String(projSize)}`, op);
    }
    if (projSize >= hiddenSize) throw new ArgumentError(`projSize has to be smaller than hiddenSize, got projSize ${projSize} and hiddenSize ${hiddenSize}`, op);
    this.projSize = projSize;
    const outSize = projSize > 0 ? projSize : hiddenSize;
    const gates = gateCount[mode] * hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < numLayers; layer++) {
      const inSize = layer === 0 ? inputSize : outSize * dirs;
      const row: DirectionWeights[] = [];
      for (let d = 0; d < dirs; d++) {
        const suffix = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        row.push({
          wIh: this.registerParameter(`weight_ih${suffix}`, newParameter([gates, inSize])),
          wHh: this.registerParameter(`weight_hh${suffix}`, newParameter([gates, outSize])),
          bIh: this.bias ? this.registerParameter(`bias_ih${suffix}`, newParameter([gates])) : null,
          bHh: this.bias ? this.registerParameter(`bias_hh${suffix}`, newParameter([gates])) : null,
          wHr: projSize > 0 ? this.registerParameter(`weight_hr${suffix}`, newParameter([projSize, hiddenSize])) : null,
        });
      }
      this.#weights.push(row);
    }
    this.resetParameters();
  }

  /** PyTorch's initialisation: every weight and bias U(-1/√hiddenSize, 1/√hiddenSize). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters(false)) uniform_(p, -bound, bound);
  }

  protected get op(): string {
    return this.constructor.name;
  }

  /** Checks the input; returns it as [seq, batch, feature] and whether it was unbatched. */
  protected prepareInput(x: Var): { x: Var; unbatched: boolean } {
    if (x.ndim !== 2 && x.ndim !== 3) {
      throw new ShapeError(`expected input of 2 (unbatched) or 3 dimensions, got ${formatShape(x.shape)}`, this.op);
    }
    if (x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`input.size(-1) must be equal to inputSize: expected ${this.inputSize}, got ${formatShape(x.shape)}`, this.op);
    }
    if (x.ndim === 2) return { x: unsqueeze(x, 1), unbatched: true };
    return { x: this.batchFirst ? transpose(x, 0, 1) : x, unbatched: false };
  }

  /** The size of h and of each direction's output: projSize where set, else hiddenSize. */
  protected get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** The expected [numLayers·dirs, batch, size] state (or [numLayers·dirs, size] unbatched); size defaults to h's. */
  protected checkState(s: Var, batch: number, unbatched: boolean, what: string, size = this.outputSize): Var {
    const dirs = this.bidirectional ? 2 : 1;
    const want = unbatched ? [this.numLayers * dirs, size] : [this.numLayers * dirs, batch, size];
    if (s.ndim !== want.length || s.shape.some((d, i) => d !== want[i])) {
      throw new ShapeError(`expected ${what} of shape ${formatShape(want)}, got ${formatShape(s.shape)}`, this.op);
    }
    return unbatched ? unsqueeze(s, 1) : s;
  }

  protected zeroState(batch: number, size = this.outputSize): Var {
    return zeros([this.numLayers * (this.bidirectional ? 2 : 1), batch, size]);
  }

  /**
   * Runs every layer and direction over x [seq, batch, feature] from the initial states
   * (h for all modes, c for LSTM, each [numLayers·dirs, batch, hidden]).
   */
  protected run(x: Var, h0: Var, c0: Var | null): { output: Var; hN: Var; cN: Var | null } {
    const T = x.shape[0];
    if (T === 0) throw new ShapeError(`expected a non-empty sequence, got input ${formatShape(x.shape)}`, this.op);
    const dirs = this.bidirectional ? 2 : 1;
    const h0s = chunk(h0, h0.shape[0], 0).map((s) => squeeze(s, 0));
    const c0s = c0 ? chunk(c0, c0.shape[0], 0).map((s) => squeeze(s, 0)) : null;
    const hN: Var[] = [];
    const cN: Var[] = [];
    let layerIn = x;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outs: Var[] = [];
      for (let d = 0; d < dirs; d++) {
        const k = layer * dirs + d;
        const r = this.#direction(layerIn, this.#weights[layer][d], d === 1, h0s[k], c0s ? c0s[k] : null);
        outs.push(r.output);
        hN.push(r.h);
        if (r.c) cN.push(r.c);
      }
      layerIn = dirs === 1 ? outs[0] : concat(outs, 2);
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) layerIn = dropout(layerIn, this.dropout, { training: true });
    }
    return { output: layerIn, hN: stack(hN, 0), cN: c0 ? stack(cN, 0) : null };
  }

  #direction(x: Var, w: DirectionWeights, reverse: boolean, h0: Var, c0: Var | null): { output: Var; h: Var; c: Var | null } {
    const T = x.shape[0];
    const gru = this.mode === 'GRU';
    // All time steps' input projections in one matmul; bias_hh folds in too except for GRU, whose
    // new gate multiplies the hidden part (with its bias) by the reset gate.
    let xp = matmul(x, transpose(w.wIh));
    if (w.bIh) xp = add(xp, w.bIh);
    if (w.bHh && !gru) xp = add(xp, w.bHh);
    const steps = chunk(xp, T, 0);
    const wHhT = transpose(w.wHh);
    let h = h0;
    let c = c0;
    const hs: Var[] = new Array<Var>(T);
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const xt = squeeze(steps[t], 0);
      let hp = matmul(h, wHhT);
      switch (this.mode) {
        case 'RNN_TANH':
          h = tanh(add(xt, hp));
          break;
        case 'RNN_RELU':
          h = relu(add(xt, hp));
          break;
        case 'LSTM': {
          const [i, f, g, o] = chunk(add(xt, hp), 4, 1);
          c = add(mul(sigmoid(f), c as Var), mul(sigmoid(i), tanh(g)));
          h = mul(sigmoid(o), tanh(c));
          if (w.wHr) h = matmul(h, transpose(w.wHr));
          break;
        }
        case 'GRU': {
          if (w.bHh) hp = add(hp, w.bHh);
          const [xr, xz, xn] = chunk(xt, 3, 1);
          const [hr, hz, hn] = chunk(hp, 3, 1);
          const r = sigmoid(add(xr, hr));
          const z = sigmoid(add(xz, hz));
          const n = tanh(add(xn, mul(r, hn)));
          // (1 - z)·n + z·h, written as n + z·(h - n).
          h = add(n, mul(z, sub(h, n)));
          break;
        }
      }
      hs[t] = h;
    }
    return { output: stack(hs, 0), h, c };
  }

  /** Output back to the caller's layout. */
  protected finishOutput(output: Var, unbatched: boolean): Var {
    if (unbatched) return squeeze(output, 1);
    return this.batchFirst ? transpose(output, 0, 1) : output;
  }
}

/**
 * Elman RNN, h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh) (or relu). `forward(x, h0?)` takes
 * x [seq, batch, inputSize] ([batch, seq, inputSize] with batchFirst, [seq, inputSize] unbatched) and
 * returns [output, h_n]: output [seq, batch, dirs·hiddenSize], h_n [numLayers·dirs, batch, hiddenSize].
 */
export class RNN extends RNNBase<Var> {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    checkOptions(options, rnnKeys, 'RNN');
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new ArgumentError(`unknown nonlinearity '${String(nl)}'; use 'tanh' or 'relu'`, 'RNN');
    const { nonlinearity: _, ...rest } = options;
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, rest, 'RNN');
    this.nonlinearity = nl;
  }

  forward(input: Var, hx?: Var): [Var, Var] {
    const { x, unbatched } = this.prepareInput(input);
    const h0 = hx === undefined ? this.zeroState(x.shape[1]) : this.checkState(hx, x.shape[1], unbatched, 'hidden state');
    const { output, hN } = this.run(x, h0, null);
    return [this.finishOutput(output, unbatched), unbatched ? squeeze(hN, 1) : hN];
  }
}

/**
 * LSTM with PyTorch's gate order (input, forget, cell, output). `forward(x, [h0, c0]?)` returns
 * [output, [h_n, c_n]]; shapes as RNN's, c like h. With projSize, h, h_n and the output have
 * projSize features (h_t = weight_hr · (o_t ⊙ tanh(c_t))) and c keeps hiddenSize.
 */
export class LSTM extends RNNBase<[Var, Var]> {
  constructor(inputSize: number, hiddenSize: number, options: LSTMOptions = {}) {
    checkOptions(options, lstmKeys, 'LSTM');
    const { projSize = 0, ...rest } = options;
    super('LSTM', inputSize, hiddenSize, rest, 'LSTM', projSize);
  }

  forward(input: Var, hx?: [Var, Var]): [Var, [Var, Var]] {
    const { x, unbatched } = this.prepareInput(input);
    const B = x.shape[1];
    if (hx !== undefined && (!Array.isArray(hx) || hx.length !== 2)) {
      throw new ArgumentError('expected the state as [h0, c0], a pair of Vars', 'LSTM');
    }
    const h0 = hx === undefined ? this.zeroState(B) : this.checkState(hx[0], B, unbatched, 'hidden state h0');
    const c0 = hx === undefined ? this.zeroState(B, this.hiddenSize) : this.checkState(hx[1], B, unbatched, 'cell state c0', this.hiddenSize);
    const { output, hN, cN } = this.run(x, h0, c0);
    const c = cN as Var;
    return [this.finishOutput(output, unbatched), unbatched ? [squeeze(hN, 1), squeeze(c, 1)] : [hN, c]];
  }
}

/** GRU with PyTorch's gate order (reset, update, new). `forward(x, h0?)` returns [output, h_n]. */
export class GRU extends RNNBase<Var> {
  constructor(inputSize: number, hiddenSize: number, options: GRUOptions = {}) {
    checkOptions(options, baseKeys, 'GRU');
    super('GRU', inputSize, hiddenSize, options, 'GRU');
  }

  forward(input: Var, hx?: Var): [Var, Var] {
    const { x, unbatched } = this.prepareInput(input);
    const h0 = hx === undefined ? this.zeroState(x.shape[1]) : this.checkState(hx, x.shape[1], unbatched, 'hidden state');
    const { output, hN } = this.run(x, h0, null);
    return [this.finishOutput(output, unbatched), unbatched ? squeeze(hN, 1) : hN];
  }
}
