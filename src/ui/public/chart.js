import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';
import { html } from './html.js';

const PERIODS = [
  { id: 'day', label: 'Days' },
  { id: 'month', label: 'Months' },
  { id: 'all', label: 'All time' },
];

const dayLabel = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const monthLabel = new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });

function label(bucket, period) {
  const d = new Date(`${bucket}T00:00:00Z`);
  if (period === 'day') return dayLabel.format(d);
  if (period === 'month') return monthLabel.format(d);
  return String(d.getUTCFullYear());
}

/** Every bucket of the period, zero where nobody was active, so gaps show as gaps. */
function fill(series, period, now = new Date()) {
  const byBucket = new Map(series.map((p) => [p.bucket, p.users]));
  const out = [];
  if (period === 'day') {
    for (let i = 29; i >= 0; i--) {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - i));
      const b = d.toISOString().slice(0, 10);
      out.push({ bucket: b, users: byBucket.get(b) || 0 });
    }
    return out;
  }
  if (period === 'month') {
    for (let i = 11; i >= 0; i--) {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
      const b = d.toISOString().slice(0, 10);
      out.push({ bucket: b, users: byBucket.get(b) || 0 });
    }
    return out;
  }
  return series.length ? series : [{ bucket: `${now.getUTCFullYear()}-01-01`, users: 0 }];
}

function Bars({ points, period }) {
  const W = 640;
  const H = 180;
  const pad = { l: 32, r: 8, t: 10, b: 26 };
  const max = Math.max(1, ...points.map((p) => p.users));
  const step = (W - pad.l - pad.r) / points.length;
  const bw = Math.max(2, step * 0.7);
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  const ticks = [0, Math.ceil(max / 2), max].filter((v, i, a) => a.indexOf(v) === i);
  const every = Math.ceil(points.length / 8);
  return html`<svg class="chart" viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${`Users active over time, by ${period === 'all' ? 'year' : period}`}>
    ${ticks.map((t) => html`<g key=${`t${t}`}>
      <line class="grid" x1=${pad.l} x2=${W - pad.r} y1=${y(t)} y2=${y(t)} />
      <text class="axis" x=${pad.l - 6} y=${y(t) + 4} text-anchor="end">${t}</text>
    </g>`)}
    ${points.map((p, i) => html`<g key=${p.bucket}>
      <rect class="bar" x=${pad.l + i * step + (step - bw) / 2} y=${y(p.users)} width=${bw} height=${Math.max(0, H - pad.b - y(p.users))} rx="2">
        <title>${label(p.bucket, period)}: ${p.users} active ${p.users === 1 ? 'user' : 'users'}</title>
      </rect>
      ${i % every === 0 && html`<text class="axis" x=${pad.l + i * step + step / 2} y=${H - 8} text-anchor="middle">${label(p.bucket, period)}</text>`}
    </g>`)}
  </svg>`;
}

/** "Users active over time", with a days / months / all-time switch. */
export function ActivityChart({ org }) {
  const [period, setPeriod] = useState('day');
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    setError(null);
    get(`/orgs/${org}/activity?period=${period}`).then(
      (d) => live && setData(d),
      (e) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [org, period]);
  const points = data && data.period === period ? fill(data.series, period) : null;
  return html`<section class="card chart-card" aria-labelledby="activity-title" data-testid="activity-chart">
    <div class="card-head">
      <h2 id="activity-title">Users active over time</h2>
      <div class="segmented" role="group" aria-label="Period">
        ${PERIODS.map((p) => html`<button type="button" key=${p.id} aria-pressed=${String(p.id === period)} onClick=${() => setPeriod(p.id)}>${p.label}</button>`)}
      </div>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${points
      ? html`<${Bars} points=${points} period=${period} />
        <table class="visually-hidden">
          <caption>Active users per ${period === 'all' ? 'year' : period}</caption>
          <thead><tr><th scope="col">Period</th><th scope="col">Active users</th></tr></thead>
          <tbody>${points.map((p) => html`<tr key=${p.bucket}><td>${label(p.bucket, period)}</td><td>${p.users}</td></tr>`)}</tbody>
        </table>`
      : !error && html`<p class="muted">Loading…</p>`}
  </section>`;
}
