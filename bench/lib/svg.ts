/** Small, dependency-free SVG charts for the benchmark's results: a line chart and a grouped bar chart. */

const W = 720;
const H = 380;
const M = { top: 44, right: 170, bottom: 56, left: 70 };
const COLORS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b83280', '#4a5568', '#d69e2e'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function niceNumber(v: number): string {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1000) return new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(v);
  if (Math.abs(v) >= 10) return v.toFixed(0);
  if (Math.abs(v) >= 1) return v.toFixed(1).replace(/\.0$/, '');
  return v.toPrecision(2);
}

interface Scale {
  map(v: number): number;
  ticks: number[];
}

/** Maps data values in [min, max] to pixels in [from, to], linear or (log) base-10 logarithmic. */
function scale({ min, max, from, to, log }: { min: number; max: number; from: number; to: number; log: boolean }): Scale {
  if (log) {
    const lo = Math.floor(Math.log10(Math.max(min, 1e-9)));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(max, 1e-9))));
    const ticks: number[] = [];
    for (let e = lo; e <= hi; e++) ticks.push(10 ** e);
    return { map: (v) => from + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * (to - from), ticks };
  }
  const top = max <= 0 ? 1 : max * 1.1;
  const step = 10 ** Math.floor(Math.log10(top / 5));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => top / s <= 6) ?? step * 10;
  const ticks: number[] = [];
  for (let t = 0; t <= top + 1e-9; t += nice) ticks.push(t);
  const last = ticks.at(-1)!;
  return { map: (v) => from + (v / last) * (to - from), ticks };
}

function frame(title: string, xLabel: string, yLabel: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`,
    `<text x="${M.left + (W - M.left - M.right) / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${M.top + (H - M.top - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function legend(names: string[]): string[] {
  return names.flatMap((name, i) => [
    `<rect x="${W - M.right + 14}" y="${M.top + i * 20}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`,
    `<text x="${W - M.right + 32}" y="${M.top + i * 20 + 10}">${esc(name)}</text>`,
  ]);
}

function yAxis(y: Scale, unit = ''): string[] {
  return y.ticks.flatMap((t) => {
    const py = y.map(t);
    return [
      `<line x1="${M.left}" x2="${W - M.right}" y1="${py}" y2="${py}" stroke="#e2e8f0"/>`,
      `<text x="${M.left - 6}" y="${py + 4}" text-anchor="end">${niceNumber(t)}${unit}</text>`,
    ];
  });
}

export interface LineSeries {
  name: string;
  points: [number, number][];
}

export function lineChart(o: {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  logX?: boolean;
  logY?: boolean;
}): string {
  const xs = o.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = o.series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => Number.isFinite(v));
  if (xs.length === 0 || ys.length === 0)
    return frame(o.title, o.xLabel, o.yLabel, [`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text>`]);
  const x = scale({ min: Math.min(...xs), max: Math.max(...xs), from: M.left, to: W - M.right, log: o.logX ?? false });
  const y = scale({ min: Math.min(...ys), max: Math.max(...ys), from: H - M.bottom, to: M.top, log: o.logY ?? false });
  const distinctX = [...new Set(xs)].sort((a, b) => a - b);
  const body = [
    ...yAxis(y),
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#4a5568"/>`,
    ...distinctX.map((t) => `<text x="${x.map(t)}" y="${H - M.bottom + 18}" text-anchor="middle">${niceNumber(t)}</text>`),
    ...o.series.flatMap((s, i) => {
      const color = COLORS[i % COLORS.length];
      const pts = s.points.filter((p) => Number.isFinite(p[1])).sort((a, b) => a[0] - b[0]);
      return [
        `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${x.map(p[0]).toFixed(1)},${y.map(p[1]).toFixed(1)}`).join(' ')}"/>`,
        ...pts.map(
          (p) =>
            `<circle cx="${x.map(p[0]).toFixed(1)}" cy="${y.map(p[1]).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(s.name)}: ${niceNumber(p[1])} at ${niceNumber(p[0])}</title></circle>`,
        ),
      ];
    }),
    ...legend(o.series.map((s) => s.name)),
  ];
  return frame(o.title, o.xLabel, o.yLabel, body);
}

export interface BarGroup {
  label: string;
  values: (number | null)[];
}

export function barChart(o: {
  title: string;
  xLabel: string;
  yLabel: string;
  seriesNames: string[];
  groups: BarGroup[];
  logY?: boolean;
}): string {
  const all = o.groups.flatMap((g) => g.values).filter((v): v is number => v !== null && Number.isFinite(v));
  if (all.length === 0) return frame(o.title, o.xLabel, o.yLabel, [`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no data</text>`]);
  const y = scale({ min: o.logY ? Math.min(...all) : 0, max: Math.max(...all), from: H - M.bottom, to: M.top, log: o.logY ?? false });
  const plotW = W - M.left - M.right;
  const groupW = plotW / o.groups.length;
  const n = o.seriesNames.length;
  const barW = Math.min(28, (groupW * 0.8) / n);
  const base = H - M.bottom;
  const body = [
    ...yAxis(y),
    `<line x1="${M.left}" x2="${W - M.right}" y1="${base}" y2="${base}" stroke="#4a5568"/>`,
    ...o.groups.flatMap((g, gi) => {
      const cx = M.left + groupW * (gi + 0.5);
      const start = cx - (barW * n) / 2;
      return [
        `<text x="${cx}" y="${base + 18}" text-anchor="middle">${esc(g.label)}</text>`,
        ...g.values.flatMap((v, si) => {
          if (v === null || !Number.isFinite(v)) return [];
          const top = y.map(v);
          const bx = start + si * barW;
          return [
            `<rect x="${bx.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${Math.max(0.5, base - top).toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(g.label)}, ${esc(o.seriesNames[si]!)}: ${niceNumber(v)}</title></rect>`,
            `<text x="${(bx + (barW - 2) / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" font-size="10">${niceNumber(v)}</text>`,
          ];
        }),
      ];
    }),
    ...legend(o.seriesNames),
  ];
  return frame(o.title, o.xLabel, o.yLabel, body);
}
