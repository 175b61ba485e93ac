// Battery cases for interpolate (issue #13): nearest on 1-3 spatial dims by size and by (also
// fractional) scale factor, bilinear up and down with and without alignCorners.
import * as M from '../../index.js';
import { F, type OpCase } from '../case.js';

export const interpolateCases: OpCase[] = [
  { name: 'interpolate/nearest-1d-size', covers: ['interpolate'], inputs: [F([2, 2, 5])], build: (x) => M.interpolate(x, { size: 8 }) },
  { name: 'interpolate/nearest-2d-scale2', covers: ['interpolate'], inputs: [F([1, 2, 3, 4])], build: (x) => M.interpolate(x, { scaleFactor: 2 }) },
  { name: 'interpolate/nearest-2d-down', covers: ['interpolate'], inputs: [F([1, 1, 7, 6])], build: (x) => M.interpolate(x, { size: [3, 4], mode: 'nearest' }) },
  { name: 'interpolate/nearest-2d-scale1.5', covers: ['interpolate'], inputs: [F([1, 1, 5, 4])], build: (x) => M.interpolate(x, { scaleFactor: 1.5 }) },
  { name: 'interpolate/nearest-3d', covers: ['interpolate'], inputs: [F([1, 1, 2, 3, 2])], build: (x) => M.interpolate(x, { size: [3, 5, 4] }) },
  { name: 'interpolate/bilinear-up', covers: ['interpolate'], inputs: [F([1, 2, 3, 4])], build: (x) => M.interpolate(x, { size: [5, 7], mode: 'bilinear' }) },
  {
    name: 'interpolate/bilinear-up-align-corners',
    covers: ['interpolate'],
    inputs: [F([2, 1, 3, 3])],
    build: (x) => M.interpolate(x, { size: [5, 6], mode: 'bilinear', alignCorners: true }),
  },
  { name: 'interpolate/bilinear-down', covers: ['interpolate'], inputs: [F([1, 1, 7, 5])], build: (x) => M.interpolate(x, { size: [3, 2], mode: 'bilinear' }) },
  {
    name: 'interpolate/bilinear-scale2',
    covers: ['interpolate'],
    inputs: [F([1, 2, 2, 3])],
    build: (x) => M.interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: false }),
  },
  {
    name: 'interpolate/bilinear-size-1-align',
    covers: ['interpolate'],
    inputs: [F([1, 1, 3, 4])],
    build: (x) => M.interpolate(x, { size: [1, 4], mode: 'bilinear', alignCorners: true }),
  },
];
