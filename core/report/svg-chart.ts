// A stacked bar chart as inline SVG, drawn when the report is written (issue 21, point 2): the page
// needs no script and no chart library, so it works offline and under a Content-Security-Policy that
// forbids scripts. Colours are the Okabe-Ito palette (distinguishable with colour blindness); every bar
// carries a <title> (the browser's tooltip) and data-series / data-value for tools. Pure.

import type { Series } from './activity.js';
import { escapeHtml } from './html-escape.js';

export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

export interface BarChartOptions {
  /** Also the SVG's accessible name. */
  readonly title: string;
  /** One label per bar (bucket). */
  readonly labels: readonly string[];
  readonly series: readonly Series[];
  /** What the tick under a bar says, from its label. */
  readonly tick?: (label: string) => string;
  readonly width?: number;
  readonly height?: number;
}

/** A round step for about five grid lines up to `max`. */
function step(max: number): number {
  const raw = Math.max(1, max / 5);
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
}

const n = (v: number) => Number(v.toFixed(2));

/** The chart's SVG text. */
export function stackedBarChart(o: BarChartOptions): string {
  const width = o.width ?? 900;
  const height = o.height ?? 260;
  const left = 40;
  const bottom = 40;
  const top = 10;
  const plotW = width - left - 10;
  const plotH = height - top - bottom;
  const totals = o.labels.map((_, i) => o.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const yStep = step(max);
  const yMax = Math.ceil(max / yStep) * yStep;
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const slot = plotW / Math.max(1, o.labels.length);
  const barW = Math.min(36, Math.max(1, slot * 0.8));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${width}" height="${height + 24 * Math.ceil(o.series.length / 4)}" viewBox="0 0 ${width} ${height + 24 * Math.ceil(o.series.length / 4)}" aria-label="${escapeHtml(o.title)}">`,
    `<title>${escapeHtml(o.title)}</title>`,
  ];
  for (let v = 0; v <= yMax; v += yStep) {
    out.push(
      `<line class="grid" x1="${left}" x2="${width - 10}" y1="${n(y(v))}" y2="${n(y(v))}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${n(y(v) + 4)}" text-anchor="end" font-size="11">${v}</text>`,
    );
  }
  const every = Math.max(1, Math.ceil(o.labels.length / 8));
  o.labels.forEach((label, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    let base = 0;
    o.series.forEach((s, k) => {
      const v = s.values[i] ?? 0;
      if (v === 0) return;
      out.push(
        `<rect class="bar" data-series="${escapeHtml(s.name)}" data-value="${v}" x="${n(x)}" y="${n(y(base + v))}" width="${n(barW)}" height="${n(y(base) - y(base + v))}" fill="${PALETTE[k % PALETTE.length]}"><title>${escapeHtml(`${label}: ${s.name} ${v}`)}</title></rect>`,
      );
      base += v;
    });
    if (i % every === 0) {
      out.push(
        `<text x="${n(left + i * slot + slot / 2)}" y="${height - bottom + 16}" text-anchor="middle" font-size="11">${escapeHtml((o.tick ?? String)(label))}</text>`,
      );
    }
  });
  out.push(`<line x1="${left}" x2="${width - 10}" y1="${n(y(0))}" y2="${n(y(0))}" stroke="#555"/>`);
  o.series.forEach((s, k) => {
    const x = left + (k % 4) * 210;
    const ly = height + 24 * Math.floor(k / 4);
    out.push(
      `<g class="legend"><rect x="${x}" y="${ly - 12}" width="12" height="12" fill="${PALETTE[k % PALETTE.length]}"/><text x="${x + 18}" y="${ly - 2}" font-size="12">${escapeHtml(s.name)}</text></g>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}
