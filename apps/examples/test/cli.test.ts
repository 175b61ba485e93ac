// The command line shared by the examples (--help, unknown names, option errors) and the pieces
// every example draws with: the progress bar and the SVG chart.
import { describe, expect, it } from 'vitest';
import { parseOptions, UsageError } from '../src/cli/args.js';
import { ProgressBar, formatDuration } from '../src/ui/progress.js';
import { lineChart, niceTicks } from '../src/report/svg-chart.js';
import { cliMissing, runCli } from './helpers.js';

const names = ['fashion-mnist', 'classify', 'bench-models', 'bench-train', 'custom-op', 'explain'];

describe.skipIf(cliMissing !== undefined)('examples command line', () => {
  it('lists the examples and gives each a --help with the common options', { timeout: 120_000 }, async () => {
    const overview = await runCli(['--help']);
    expect(overview.code).toBe(0);
    for (const n of names) expect(overview.stdout).toContain(n);
    for (const n of names) {
      const run = await runCli([n, '--help']);
      expect(run.code, n).toBe(0);
      for (const opt of ['--json', '--smoke', '--backend', '--help']) expect(run.stdout, `${n} ${opt}`).toContain(opt);
    }
  });

  it('exits 2 with the usage on an unknown example or option', async () => {
    const unknown = await runCli(['no-such-example']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown example 'no-such-example'");
    const badOption = await runCli(['custom-op', '--no-such-option']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('usage: pnpm example custom-op');
    const badNumber = await runCli(['fashion-mnist', '--epochs', 'two']);
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--epochs expects a number');
  });

  it('names the registered backends when asked for an unknown one', async () => {
    const run = await runCli(['custom-op', '--smoke', '--backend', 'tpu']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown backend 'tpu'; registered: .*c/);
  });
});

describe('option parsing', () => {
  const specs = [
    { name: 'epochs', type: 'number', default: 2, description: '' },
    { name: 'models', type: 'list', description: '' },
    { name: 'json', type: 'boolean', description: '' },
    { name: 'help', type: 'boolean', description: '' },
  ] as const;
  it('converts numbers and lists and applies defaults', () => {
    const a = parseOptions(['--models', 'a, b,,c', '--json', 'pos'], specs, 't');
    expect(a.number('epochs')).toBe(2);
    expect(a.list('models')).toEqual(['a', 'b', 'c']);
    expect(a.flag('json')).toBe(true);
    expect(a.positionals).toEqual(['pos']);
    expect(() => parseOptions(['--epochs', '1e'], specs, 't')).toThrow(UsageError);
  });
});

describe('progress bar', () => {
  const sink = () => {
    const lines: string[] = [];
    return { lines, stream: { write: (s: string) => (lines.push(s), true), isTTY: false } };
  };

  it('prints a plain line every n steps without a terminal, with rate and ETA', () => {
    const { lines, stream } = sink();
    const bar = new ProgressBar(stream, { total: 10, label: 'epoch 1/1', every: 5, itemsPerStep: 32 });
    for (let i = 1; i <= 10; i++) bar.update(i, { loss: '0.5' });
    bar.close();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^epoch 1\/1 \S+ +5\/10 +50% {2}loss 0\.5 {2}[\d.]+ img\/s {2}ETA \d+:\d\d\n$/);
    expect(lines[1]).toMatch(/10\/10 100%.*took \d+:\d\d/);
  });

  it('redraws in place on a terminal', () => {
    const { lines, stream } = sink();
    const bar = new ProgressBar({ ...stream, isTTY: true, columns: 200 }, { total: 3, label: 'x' });
    bar.update(3);
    bar.close();
    expect(lines[0].startsWith('\r')).toBe(true);
    expect(lines[lines.length - 1].endsWith('\n')).toBe(true);
  });

  it('shortens the bar, not the figures, on a narrow terminal', () => {
    const { lines, stream } = sink();
    let ms = 0;
    const bar = new ProgressBar({ ...stream, isTTY: true, columns: 75 }, { total: 900, label: 'epoch 1/2', itemsPerStep: 64, clock: () => ms });
    ms = 60_000;
    bar.update(450, { loss: '0.4321', lr: '0.0500' });
    const drawn = lines[0].replace('\r', '').replace('\x1b[K', '');
    expect(drawn.length).toBeLessThanOrEqual(74);
    expect(drawn).toContain('█'); // a short bar is still there
    // 450 steps of 64 images in 60 s: 480 img/s, and as long again to go.
    expect(drawn).toMatch(/ 450\/900 {2}50% {2}loss 0\.4321 {2}lr 0\.0500 {2}480 img\/s {2}ETA 1:00$/);
  });

  it('formats durations', () => {
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3 * 3600 + 7)).toBe('3:00:07');
    expect(formatDuration(Number.NaN)).toBe('--:--');
  });
});

describe('SVG chart', () => {
  it('picks round ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.3, 2.4, 5)).toEqual([0.5, 1, 1.5, 2]);
    expect(niceTicks(1, 3, 6, true)).toEqual([1, 2, 3]);
  });

  it('draws a titled chart with one polyline per series and escapes text', () => {
    const svg = lineChart({
      title: 'Loss <&>',
      xLabel: 'epoch',
      yLabel: 'loss',
      series: [
        { name: 'a', points: [[0, 1], [1, 0.5], [2, 0.25]], color: '#00f' },
        { name: 'b', points: [[1, 0.7], [2, 0.6]], color: '#f00', markers: true },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Loss &lt;&amp;&gt;');
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(2);
  });
});
