// The report's stacked bar chart (core/report/svg-chart.ts; issue 21, point 2): one bar segment per
// non-zero (series, bucket) cell with its data attributes, round grid steps, every name escaped, and
// well-formed SVG.

import { describe, expect, it } from 'vitest';
import { PALETTE, stackedBarChart } from '../../../core/report/svg-chart.js';

const LABELS = ['2025-03-05T10:00:00Z', '2025-03-05T11:00:00Z', '2025-03-05T12:00:00Z', '2025-03-05T13:00:00Z'];

const bars = (svg: string) =>
  [
    ...svg.matchAll(
      /<rect class="bar" data-series="([^"]*)" data-value="(\d+)"[^>]*fill="([^"]*)"><title>([^<]*)<\/title><\/rect>/g,
    ),
  ].map((m) => [m[1], Number(m[2]), m[3], m[4]]);
const gridLabels = (svg: string) =>
  [...svg.matchAll(/<text x="34" y="[\d.]+" text-anchor="end" font-size="11">([^<]*)<\/text>/g)].map((m) => m[1]);

/** A small well-formedness check: tags balance (self-closing aside) and nothing is left unescaped. */
function expectWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') expect(stack.pop()).toBe(m[2]);
    else stack.push(m[2]!);
  }
  expect(stack).toEqual([]);
  expect(svg.split('<svg').length).toBe(svg.split('</svg>').length);
  // every & starts a character reference
  expect(svg.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
}

describe('stackedBarChart', () => {
  const series = [
    { name: 'ssh-dev/developer', values: [1, 0, 3, 0] },
    { name: 'ssh-prod/ops', values: [2, 0, 4, 0] },
  ];

  it('one bar per non-zero (series, bucket) cell, with its series, value, colour and tooltip', () => {
    const svg = stackedBarChart({ title: 'Signed', labels: LABELS, series });
    expect(svg.split('<rect class="bar"').length - 1).toBe(4);
    expect(bars(svg)).toEqual([
      ['ssh-dev/developer', 1, PALETTE[0], '2025-03-05T10:00:00Z: ssh-dev/developer 1'],
      ['ssh-prod/ops', 2, PALETTE[1], '2025-03-05T10:00:00Z: ssh-prod/ops 2'],
      ['ssh-dev/developer', 3, PALETTE[0], '2025-03-05T12:00:00Z: ssh-dev/developer 3'],
      ['ssh-prod/ops', 4, PALETTE[1], '2025-03-05T12:00:00Z: ssh-prod/ops 4'],
    ]);
    expectWellFormed(svg);
  });

  it('stacks the segments of a bucket and scales them to the grid', () => {
    const svg = stackedBarChart({
      title: 'Signed',
      labels: ['a'],
      series: [
        { name: 'x', values: [2] },
        { name: 'y', values: [3] },
      ],
    });
    // max 5 → step 1, grid to 5; plot from y=10 (5) to y=220 (0), 42 per unit
    const rects = [...svg.matchAll(/<rect class="bar"[^>]* y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map(
      (m) => [Number(m[1]), Number(m[3])],
    );
    expect(rects).toEqual([
      [136, 84],
      [10, 126],
    ]);
    expect(gridLabels(svg)).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it.each([
    [7, ['0', '2', '4', '6', '8']],
    [1, ['0', '1']],
    [0, ['0', '1']],
    [10, ['0', '2', '4', '6', '8', '10']],
    [12, ['0', '5', '10', '15']],
    [45, ['0', '10', '20', '30', '40', '50']],
    [101, ['0', '50', '100', '150']],
  ] as const)('a tallest bar of %i gives grid labels %j', (max, labels) => {
    const svg = stackedBarChart({ title: 't', labels: ['a', 'b'], series: [{ name: 's', values: [max, 0] }] });
    expect(gridLabels(svg)).toEqual(labels);
    expect(svg.split('<rect class="bar"').length - 1).toBe(max > 0 ? 1 : 0);
  });

  it('the grid follows the stacked total, not the largest single value', () => {
    const svg = stackedBarChart({
      title: 't',
      labels: ['a', 'b'],
      series: [
        { name: 's', values: [4, 1] },
        { name: 'u', values: [3, 1] },
      ],
    });
    expect(gridLabels(svg)).toEqual(['0', '2', '4', '6', '8']);
  });

  it('escapes every name: series, labels, title', () => {
    const hostile = '<script>alert(1)</script>';
    const svg = stackedBarChart({
      title: `t "${hostile}"`,
      labels: [hostile, 'b'],
      series: [{ name: hostile, values: [1, 2] }],
    });
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('</script');
    const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;';
    expect(svg.split(`data-series="${escaped}"`).length - 1).toBe(2);
    expect(svg).toContain(`<title>${escaped}: ${escaped} 1</title>`);
    expect(svg).toContain(`<title>b: ${escaped} 2</title>`);
    expect(svg).toContain(`aria-label="t &quot;${escaped}&quot;"`);
    expect(svg).toContain(`<title>t &quot;${escaped}&quot;</title>`);
    expect(svg).toContain(`font-size="12">${escaped}</text></g>`);
    expectWellFormed(svg);
  });

  it('ticks every nth label through tick(), at most 8 or so', () => {
    const labels = Array.from({ length: 20 }, (_, i) => `L${i}`);
    const svg = stackedBarChart({ title: 't', labels, series: [], tick: (l) => `[${l}]` });
    const ticks = [...svg.matchAll(/text-anchor="middle" font-size="11">([^<]*)</g)].map((m) => m[1]);
    expect(ticks).toEqual(['[L0]', '[L3]', '[L6]', '[L9]', '[L12]', '[L15]', '[L18]']);
  });

  it('one legend entry per series, four to a row, the height grown to fit', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ name: `s${i}`, values: [i] }));
    const svg = stackedBarChart({ title: 't', labels: ['a'], series: many, width: 500, height: 200 });
    expect(
      svg.startsWith(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="500" height="248" viewBox="0 0 500 248" aria-label="t">',
      ),
    ).toBe(true);
    const legend = [
      ...svg.matchAll(
        /<g class="legend"><rect x="(\d+)" y="(\d+)"[^>]*fill="([^"]+)"\/><text[^>]*>([^<]*)<\/text><\/g>/g,
      ),
    ].map((m) => [m[4], Number(m[1]), Number(m[2]), m[3]]);
    expect(legend).toEqual([
      ['s0', 40, 188, PALETTE[0]],
      ['s1', 250, 188, PALETTE[1]],
      ['s2', 460, 188, PALETTE[2]],
      ['s3', 670, 188, PALETTE[3]],
      ['s4', 40, 212, PALETTE[4]],
    ]);
    expect(svg.split('<rect class="bar"').length - 1).toBe(4);
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  it('is the same text for the same input', () => {
    const o = { title: 'Signed', labels: LABELS, series };
    expect(stackedBarChart(o)).toBe(stackedBarChart(o));
  });
});
