// Battery cases for the reindex meta-ops: reindex, gather, broadcast, reshape, permute, slice, pad.
import * as M from '../../index.js';
import { F, I, type OpCase } from '../case.js';

export const metaReindexCases: OpCase[] = [
  { name: 'reindex/transpose', covers: ['reindex'], inputs: [F([3, 4])], build: (x) => M.reindex(x, [4, 3], ['i1', 'i0']) },
  {
    name: 'reindex/windows-overflow',
    covers: ['reindex'],
    inputs: [F([5, 6])],
    // 3x3 windows with stride 2 over a zero-padded input, as conv does.
    build: (x) => M.reindex(x, [3, 3, 3, 3], ['i0*2-1+i2', 'i1*2-1+i3']),
  },
  {
    name: 'reindex/overflow-value-and-condition',
    covers: ['reindex'],
    inputs: [F([4, 5])],
    build: (x) => M.reindex(x, [6, 5], ['i0-1', 'xshape1-1-i1'], -3, ['i1%2==1 && i0>2']),
  },
  { name: 'reindex/1023-reverse', covers: ['reindex'], inputs: [F([1023])], build: (x) => M.reindex(x, [1023], ['1022-i0']), large: true },
  { name: 'reindex/broadcast-to-empty', covers: ['reindex'], inputs: [F([3])], build: (x) => M.reindex(x, [0, 3], ['i1']) },
  {
    name: 'gatherMeta/dim1',
    covers: ['gatherMeta'],
    inputs: [F([3, 4]), I([3, 5], 0, 4)],
    build: (x, idx) => M.gatherMeta(x, 1, idx),
  },
  {
    name: 'gatherMeta/out-of-range-reads-zero',
    covers: ['gatherMeta'],
    inputs: [F([4, 3]), I([6, 2], -2, 6)],
    build: (x, idx) => M.gatherMeta(x, 0, idx),
  },
  { name: 'broadcast/leading-and-ones', covers: ['broadcast'], inputs: [F([3, 1])], build: (x) => M.broadcast(x, [2, 3, 4]) },
  { name: 'broadcast/scalar', covers: ['broadcast'], inputs: [F([])], build: (x) => M.broadcast(x, [7]) },
  { name: 'broadcast/to-empty', covers: ['broadcast'], inputs: [F([1, 3])], build: (x) => M.broadcast(x, [0, 3]) },
  { name: 'broadcast/1023', covers: ['broadcast'], inputs: [F([1023, 1])], build: (x) => M.broadcast(x, [1023, 7]), large: true },
  { name: 'reshape/infer', covers: ['reshape'], inputs: [F([2, 3, 4])], build: (x) => M.reshape(x, [4, -1]) },
  { name: 'reshape/to-scalar', covers: ['reshape'], inputs: [F([1, 1])], build: (x) => M.reshape(x, []) },
  { name: 'reshape/empty', covers: ['reshape'], inputs: [F([0, 3])], build: (x) => M.reshape(x, [3, 0, 2]) },
  { name: 'permute/3d', covers: ['permute'], inputs: [F([2, 3, 4])], build: (x) => M.permute(x, [2, 0, 1]) },
  { name: 'permute/negative-dims', covers: ['permute'], inputs: [F([2, 1, 3])], build: (x) => M.permute(x, [-1, 0, 1]) },
  { name: 'slice/step-2', covers: ['slice'], inputs: [F([5, 7])], build: (x) => M.slice(x, [1, 0], [undefined, 7], [2, 3]) },
  { name: 'slice/negative-step', covers: ['slice'], inputs: [F([4, 7])], build: (x) => M.slice(x, [undefined, -2], [undefined, 0], [-1, -2]) },
  { name: 'slice/negative-bounds', covers: ['slice'], inputs: [F([6])], build: (x) => M.slice(x, [-5], [-1]) },
  { name: 'slice/empty-result', covers: ['slice'], inputs: [F([3, 4])], build: (x) => M.slice(x, [2, 0], [1, 4]) },
  { name: 'slice/1023-reverse-step-3', covers: ['slice'], inputs: [F([1023])], build: (x) => M.slice(x, [undefined], [undefined], [-3]), large: true },
  { name: 'padMeta/value', covers: ['padMeta'], inputs: [F([2, 3])], build: (x) => M.padMeta(x, [1, 0], [2, 3], 0.5) },
  { name: 'padMeta/empty-input', covers: ['padMeta'], inputs: [F([0, 2])], build: (x) => M.padMeta(x, [1, 1], [0, 0], 2) },
];
