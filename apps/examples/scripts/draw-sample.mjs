#!/usr/bin/env node
// Draws assets/sample.png, the picture the classify example uses when no image is given: an orange
// fish in blue water, drawn with a few shapes (4x4 supersampled), written with pngjs.
//   node apps/examples/scripts/draw-sample.mjs
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

const W = 320;
const H = 240;
const SS = 4;

function inEllipse(x, y, cx, cy, rx, ry, angle = 0) {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const dx = x - cx;
  const dy = y - cy;
  const u = (dx * c + dy * s) / rx;
  const v = (-dx * s + dy * c) / ry;
  return u * u + v * v <= 1;
}

function inTriangle(x, y, [ax, ay], [bx, by], [cx, cy]) {
  const d1 = (x - bx) * (ay - by) - (ax - bx) * (y - by);
  const d2 = (x - cx) * (by - cy) - (bx - cx) * (y - cy);
  const d3 = (x - ax) * (cy - ay) - (cx - ax) * (y - ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

/** The colour of one point of the scene (later shapes paint over earlier ones). */
function scene(x, y) {
  const t = y / H;
  let col = [30 + 40 * (1 - t), 110 + 60 * (1 - t), 170 + 60 * (1 - t)]; // water, lighter at the top
  if (y > H - 30 + 6 * Math.sin(x / 17)) col = [194, 178, 128]; // sand
  for (const [bx, by, r] of [[250, 60, 7], [262, 38, 5], [244, 22, 4]]) {
    if (inEllipse(x, y, bx, by, r, r) && !inEllipse(x, y, bx, by, r - 1.5, r - 1.5)) col = [220, 240, 255]; // bubbles
  }
  if (inTriangle(x, y, [95, 120], [40, 80], [45, 165])) col = [235, 110, 30]; // tail
  if (inTriangle(x, y, [150, 95], [175, 60], [190, 100])) col = [240, 130, 40]; // dorsal fin
  if (inEllipse(x, y, 160, 122, 72, 40, -0.08)) col = [250, 140, 30]; // body
  if (inEllipse(x, y, 150, 140, 20, 9, 0.5)) col = [255, 175, 80]; // side fin
  if (inEllipse(x, y, 205, 112, 9, 9)) col = [255, 255, 255]; // eye
  if (inEllipse(x, y, 207, 112, 4.5, 4.5)) col = [20, 20, 30];
  return col;
}

const png = new PNG({ width: W, height: H });
for (let y = 0; y < H; y++) {
  for (let x = 0; x < W; x++) {
    const acc = [0, 0, 0];
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const c = scene(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
        for (let k = 0; k < 3; k++) acc[k] += c[k];
      }
    }
    const i = (y * W + x) * 4;
    for (let k = 0; k < 3; k++) png.data[i + k] = Math.round(acc[k] / (SS * SS));
    png.data[i + 3] = 255;
  }
}
const out = new URL('../assets/sample.png', import.meta.url);
writeFileSync(out, PNG.sync.write(png));
console.log(`wrote ${out.pathname} (${W}x${H})`);
