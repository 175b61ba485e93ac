// Module behaviour a PyTorch user relies on: dotted names, shared parameters, train/eval, state
// dict round trips, strict loading errors that list every problem and load nothing, noGrad.
import { beforeAll, describe, expect, it } from 'vitest';
import { manualSeed, noGrad, tensor, type Var } from '@metaop/ops';
import * as nn from '@metaop/nn';
import { useTestBackend } from './helpers.js';

beforeAll(useTestBackend);

class Block extends nn.Module {
  conv1 = this.registerModule('conv1', new nn.Conv2d(2, 2, 3, { padding: 1, bias: false }));
  bn1 = this.registerModule('bn1', new nn.BatchNorm2d(2));
  downsample = this.registerModule('downsample', null);
  forward(x: Var): Var {
    return this.bn1.forward(this.conv1.forward(x)).relu().add(x);
  }
}

class Net extends nn.Module {
  stem = this.registerModule('conv1', new nn.Conv2d(1, 2, 3, { padding: 1 }));
  layer1 = this.registerModule('layer1', new nn.Sequential(new Block(), new Block()));
  pool = this.registerModule('avgpool', new nn.AdaptiveAvgPool2d(1));
  fc = this.registerModule('fc', new nn.Linear(2, 3));
  forward(x: Var): Var {
    return this.fc.forward(this.pool.forward(this.layer1.forward(this.stem.forward(x))).flatten(1));
  }
}

const input = () => tensor(Array.from({ length: 2 * 16 }, (_, i) => Math.sin(i)), [2, 1, 4, 4]);

describe('names', () => {
  it('uses PyTorch dotted names for parameters, buffers and state dicts', () => {
    const net = new Net();
    expect(net.namedParameters().map(([k]) => k)).toEqual([
      'conv1.weight', 'conv1.bias',
      'layer1.0.conv1.weight', 'layer1.0.bn1.weight', 'layer1.0.bn1.bias',
      'layer1.1.conv1.weight', 'layer1.1.bn1.weight', 'layer1.1.bn1.bias',
      'fc.weight', 'fc.bias',
    ]);
    expect(net.namedBuffers().map(([k]) => k)).toEqual([
      'layer1.0.bn1.running_mean', 'layer1.0.bn1.running_var', 'layer1.0.bn1.num_batches_tracked',
      'layer1.1.bn1.running_mean', 'layer1.1.bn1.running_var', 'layer1.1.bn1.num_batches_tracked',
    ]);
    // PyTorch's state_dict order: each module's parameters, then its buffers, then its children.
    expect(Object.keys(net.stateDict()).slice(0, 9)).toEqual([
      'conv1.weight', 'conv1.bias', 'layer1.0.conv1.weight', 'layer1.0.bn1.weight', 'layer1.0.bn1.bias',
      'layer1.0.bn1.running_mean', 'layer1.0.bn1.running_var', 'layer1.0.bn1.num_batches_tracked', 'layer1.1.conv1.weight',
    ]);
    expect(net.namedParameters('model').map(([k]) => k)[0]).toBe('model.conv1.weight');
    expect(net.parameters(false)).toEqual([]);
    expect(net.getSubmodule('layer1.1.bn1')).toBeInstanceOf(nn.BatchNorm2d);
    expect(() => net.getSubmodule('layer1.2')).toThrow(/no submodule '2'/);
    expect(net.modules().length).toBe(1 + 1 + 1 + 2 * 3 + 1 + 1);
  });

  it('lists a shared parameter once in parameters() but under both names in stateDict()', () => {
    class Tied extends nn.Module {
      emb = this.registerModule('emb', new nn.Embedding(5, 3));
      out = this.registerModule('out', new nn.Linear(3, 5, { bias: false }));
      constructor() {
        super();
        this.registerParameter('shared', this.emb.weight);
      }
      forward(x: Var): Var {
        return this.out.forward(this.emb.forward(x));
      }
    }
    const m = new Tied();
    expect(m.namedParameters().map(([k]) => k)).toEqual(['shared', 'out.weight']);
    expect(Object.keys(m.stateDict())).toEqual(['shared', 'emb.weight', 'out.weight']);
  });

  it('rejects duplicate and dotted names', () => {
    class Bad extends nn.Module {
      forward(x: Var): Var {
        return x;
      }
      add(name: string) {
        this.registerBuffer(name, tensor([1]));
      }
    }
    const b = new Bad();
    b.add('a');
    expect(() => b.add('a')).toThrow(/already registered/);
    expect(() => b.add('a.b')).toThrow(/without '\.'/);
  });

  it('leaves non-persistent buffers out of the state dict', () => {
    class M extends nn.Module {
      constructor() {
        super();
        this.registerBuffer('kept', tensor([1]));
        this.registerBuffer('scratch', tensor([2]), { persistent: false });
      }
      forward(x: Var): Var {
        return x;
      }
    }
    const m = new M();
    expect(m.namedBuffers().map(([k]) => k)).toEqual(['kept', 'scratch']);
    expect(Object.keys(m.stateDict())).toEqual(['kept']);
  });
});

describe('modes', () => {
  it('train() and eval() reach every submodule and change dropout and batch norm', () => {
    manualSeed(5);
    const net = new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout(0.5), new nn.Sequential(new nn.BatchNorm1d(4)));
    expect(net.modules().every((m) => m.training)).toBe(true);
    net.eval();
    expect(net.modules().some((m) => m.training)).toBe(false);
    const x = tensor(Array.from({ length: 12 }, (_, i) => i / 3), [3, 4]);
    const a = Array.from(net.forward(x).dataSync());
    const b = Array.from(net.forward(x).dataSync());
    expect(a).toEqual(b);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
  });

  it('Dropout zeroes about p of the elements in training and scales the rest by 1/(1-p)', () => {
    manualSeed(11);
    const d = new nn.Dropout(0.3);
    const out = d.forward(tensor(new Float32Array(4000).fill(2), [4000])).dataSync();
    const zeros = out.filter((v) => v === 0).length;
    expect(zeros / 4000).toBeGreaterThan(0.26);
    expect(zeros / 4000).toBeLessThan(0.34);
    expect(out.every((v) => v === 0 || Math.abs(v - 2 / 0.7) < 1e-6)).toBe(true);
    d.eval();
    expect(Array.from(d.forward(tensor([1, 2])).dataSync())).toEqual([1, 2]);
  });

  it('ModuleList holds modules but has no forward', () => {
    const list = new nn.ModuleList([new nn.Linear(2, 2), new nn.ReLU()]);
    expect(list.length).toBe(2);
    expect(list.namedParameters().map(([k]) => k)).toEqual(['0.weight', '0.bias']);
    expect(() => list.forward()).toThrow(/no forward/);
    const seq = nn.Sequential.named({ fc: new nn.Linear(2, 3), act: new nn.Tanh() });
    expect(Object.keys(seq.stateDict())).toEqual(['fc.weight', 'fc.bias']);
    expect(seq.at(-1)).toBeInstanceOf(nn.Tanh);
  });

  it('apply() visits children before parents', () => {
    const net = new Net();
    const seen: string[] = [];
    net.apply((m) => seen.push(m.constructor.name));
    expect(seen[seen.length - 1]).toBe('Net');
    expect(seen.indexOf('Block')).toBeGreaterThan(seen.indexOf('BatchNorm2d'));
  });
});

describe('state dicts', () => {
  it('round-trips: a second model loaded from the first computes the same outputs', () => {
    manualSeed(1);
    const a = new Net();
    a.forward(input()); // moves the BatchNorm running statistics away from their initial values
    manualSeed(2);
    const b = new Net();
    a.eval();
    b.eval();
    expect(Array.from(a.forward(input()).dataSync())).not.toEqual(Array.from(b.forward(input()).dataSync()));
    const result = b.loadStateDict(a.stateDict());
    expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(Array.from(b.forward(input()).dataSync())).toEqual(Array.from(a.forward(input()).dataSync()));
    expect(Array.from((b.getSubmodule('layer1.0.bn1') as nn.BatchNorm2d).numBatchesTracked?.dataSync() ?? [])).toEqual([1]);
    // b holds copies: changing a afterwards leaves b alone.
    const before = Array.from(b.parameters()[0].dataSync());
    nn.init.zeros_(a.parameters()[0]);
    expect(Array.from(b.parameters()[0].dataSync())).toEqual(before);
  });

  it('lists missing, unexpected and mis-shaped keys together and loads nothing', () => {
    const src = new Net();
    const dst = new Net();
    const before = dst.parameters().map((p) => Array.from(p.dataSync()));
    const dict = { ...src.stateDict() };
    delete dict['fc.bias'];
    delete dict['layer1.1.bn1.running_var'];
    dict['fc.extra'] = tensor([1]);
    dict['conv1.weight'] = tensor(new Float32Array(2 * 1 * 5 * 5), [2, 1, 5, 5]);
    let error: unknown;
    try {
      dst.loadStateDict(dict);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(nn.StateDictError);
    const e = error as nn.StateDictError;
    expect(e.missingKeys).toEqual(['layer1.1.bn1.running_var', 'fc.bias']);
    expect(e.unexpectedKeys).toEqual(['fc.extra']);
    expect(e.shapeMismatches).toEqual([{ key: 'conv1.weight', got: [2, 1, 5, 5], expected: [2, 1, 3, 3] }]);
    expect(e.message).toMatch(/Missing key\(s\).*"fc\.bias"/);
    expect(e.message).toMatch(/Unexpected key\(s\).*"fc\.extra"/);
    expect(e.message).toMatch(/size mismatch for conv1\.weight.*\[2, 1, 5, 5\].*\[2, 1, 3, 3\]/);
    expect(dst.parameters().map((p) => Array.from(p.dataSync()))).toEqual(before);

    // strict: false tolerates missing and unexpected keys, never a shape mismatch.
    expect(() => dst.loadStateDict(dict, { strict: false })).toThrow(/size mismatch/);
    delete dict['conv1.weight'];
    const r = dst.loadStateDict(dict, { strict: false });
    expect(r.missingKeys).toEqual(['conv1.weight', 'layer1.1.bn1.running_var', 'fc.bias']);
    expect(r.unexpectedKeys).toEqual(['fc.extra']);
    expect(Array.from(dst.parameters()[2].dataSync())).toEqual(Array.from(src.parameters()[2].dataSync()));
  });

  it('casts loaded values to each parameter dtype', () => {
    const m = new nn.BatchNorm1d(2);
    m.loadStateDict({
      weight: tensor([1.5, 2.5], [2], 'float64'),
      bias: tensor([0, 1], [2], 'float64'),
      running_mean: tensor([3, 4], [2], 'float64'),
      running_var: tensor([5, 6], [2]),
      num_batches_tracked: tensor(7, [], 'float32'),
    });
    expect(m.weight?.dtype).toBe('float32');
    expect(Array.from(m.weight?.dataSync() ?? [])).toEqual([1.5, 2.5]);
    expect(m.numBatchesTracked?.dtype).toBe('int32');
    expect(m.numBatchesTracked?.item()).toBe(7);
  });
});

describe('inference and batch-norm statistics', () => {
  it('noGrad forward records no graph, and eval mode leaves buffers alone', () => {
    const net = new Net().eval();
    const before = net.stateDict()['layer1.0.bn1.running_mean'].dataSync();
    const y = noGrad(() => net.forward(input()));
    expect(y.stopGrad).toBe(true);
    y.realize();
    expect(y.node).toBeNull();
    expect(Array.from(net.stateDict()['layer1.0.bn1.running_mean'].dataSync())).toEqual(Array.from(before));
  });

  it('a training forward updates running statistics (also under noGrad, as in PyTorch)', () => {
    const bn = new nn.BatchNorm1d(1, { momentum: 0.5 });
    noGrad(() => bn.forward(tensor([[1], [3]])));
    // mean 2, unbiased variance 2: 0.5·0 + 0.5·2 and 0.5·1 + 0.5·2
    expect(Array.from(bn.runningMean?.dataSync() ?? [])).toEqual([1]);
    expect(Array.from(bn.runningVar?.dataSync() ?? [])).toEqual([1.5]);
    bn.forward(tensor([[1], [3]]));
    nn.flushBufferUpdates();
    expect(bn.numBatchesTracked?.item()).toBe(2);
    expect(Array.from(bn.stateDict().running_mean.dataSync())).toEqual([1.5]);
    expect(() => bn.forward(tensor([[1]]))).toThrow(/more than 1 value per channel/);
  });
});
