// A strict reader of the Prometheus text format (0.0.4): every line blank, `# HELP`, `# TYPE` or a sample; a
// sample's family declared by a TYPE line before it; no series twice. It throws, naming the line, otherwise.
export type PromLabels = Record<string, string>;

export interface PromSample {
  name: string;
  labels: PromLabels;
  value: number;
}

export interface PromFamily {
  type: string;
  help?: string;
  samples: PromSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL},?)*)\\})? (\\S+)(?: -?\\d+)?$`);
const COMMENT = new RegExp(`^# (HELP|TYPE) (${NAME})(?: (.*))?$`);
const TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
// The samples a histogram or summary family writes besides its own name.
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

const unescape = (v: string): string => v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const n = Number(text);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || Number.isNaN(n)) throw new Error(`bad value: ${line}`);
  return n;
}

/** The family a sample name belongs to (a histogram's `_bucket`, `_sum`, `_count` to the histogram). */
export function familyOf(families: Map<string, PromFamily>, sample: string): string | undefined {
  if (families.has(sample)) return sample;
  for (const [name, f] of families)
    if ((SUFFIXES[f.type] ?? []).some((suffix) => sample === `${name}${suffix}`)) return name;
  return undefined;
}

function parseSample(families: Map<string, PromFamily>, seen: Set<string>, line: string): void {
  const m = SAMPLE.exec(line);
  if (!m) throw new Error(`not a sample, HELP or TYPE line: ${JSON.stringify(line)}`);
  const [, name = '', labelText = '', , , value = ''] = m;
  const labels: PromLabels = {};
  for (const [, k = '', v = ''] of labelText.matchAll(new RegExp(LABEL, 'g'))) {
    if (k in labels) throw new Error(`label ${k} twice: ${line}`);
    labels[k] = unescape(v);
  }
  const family = familyOf(families, name);
  if (!family) throw new Error(`sample before its family's TYPE: ${line}`);
  const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
  if (seen.has(key)) throw new Error(`series twice: ${line}`);
  seen.add(key);
  families.get(family)!.samples.push({ name, labels, value: parseValue(value, line) });
}

/** Families by name, in the order their TYPE lines came. */
export function parsePromText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const helps = new Map<string, string>();
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const c = COMMENT.exec(line);
    if (c) {
      const [, kind, name = '', rest = ''] = c;
      if (kind === 'HELP') helps.set(name, rest);
      else if (!TYPES.includes(rest)) throw new Error(`unknown type: ${line}`);
      else if (families.has(name)) throw new Error(`TYPE twice: ${line}`);
      else families.set(name, { type: rest, samples: [] });
      continue;
    }
    if (line.startsWith('#')) throw new Error(`a comment that is neither HELP nor TYPE: ${line}`);
    parseSample(families, seen, line);
  }
  for (const [name, help] of helps) {
    const f = families.get(name);
    if (f) f.help = help;
  }
  return families;
}

/** The value of the one sample named `name` whose labels include `labels`; undefined when none. */
export function sampleValue(
  families: Map<string, PromFamily>,
  name: string,
  labels: PromLabels = {},
): number | undefined {
  const family = familyOf(families, name);
  const matches = (family ? families.get(family)!.samples : []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matches.length > 1) throw new Error(`${name}${JSON.stringify(labels)}: ${matches.length} samples`);
  return matches[0]?.value;
}

/** A series' identity: its name and its labels in order. */
export const key = (name: string, labels: PromLabels): string =>
  `${name}${JSON.stringify(Object.entries(labels).sort())}`;

/** Every sample of the families `like` has keys of (see key()), by key(). */
export function samplesOf(m: Map<string, PromFamily>, like: Record<string, number>): Record<string, number> {
  const names = new Set(Object.keys(like).map((k) => k.slice(0, k.indexOf('['))));
  return Object.fromEntries(
    [...names].flatMap((n) => (m.get(n)?.samples ?? []).map((s) => [key(s.name, s.labels), s.value])),
  );
}

/** The sum of the samples named `name` whose labels include `labels`. */
export const sumOf = (m: Map<string, PromFamily>, name: string, labels: PromLabels = {}): number =>
  (m.get(familyOf(m, name) ?? '')?.samples ?? [])
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);

/** Each histogram series: buckets never decrease, and `+Inf` is `_count`. */
export function histogramProblems(m: Map<string, PromFamily>): string[] {
  const out: string[] = [];
  for (const [name, f] of [...m].filter(([, f]) => f.type === 'histogram')) {
    const series = new Map<string, { labels: PromLabels; buckets: [number, number][] }>();
    for (const { labels, value } of f.samples.filter((s) => s.name === `${name}_bucket`)) {
      const { le = '', ...rest } = labels;
      const s = series.get(key(name, rest)) ?? { labels: rest, buckets: [] };
      s.buckets.push([le === '+Inf' ? Infinity : Number(le), value]);
      series.set(key(name, rest), s);
    }
    for (const [k, { labels, buckets }] of series) {
      const counts = buckets.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
      if (counts.some((c, i) => i > 0 && c < counts[i - 1]!)) out.push(`${k}: buckets decrease ${counts.join(',')}`);
      if (buckets.at(-1)?.[0] !== Infinity || counts.at(-1) !== sampleValue(m, `${name}_count`, labels))
        out.push(`${k}: +Inf is not _count`);
    }
  }
  return out;
}

/** Every query of a Grafana dashboard's panels (rows' nested panels too). */
export function dashboardExprs(dashboard: unknown): string[] {
  type Panel = { panels?: Panel[]; targets?: { expr?: string }[] };
  const walk = (panels: Panel[] = []): string[] =>
    panels.flatMap((p) => [...(p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])), ...walk(p.panels)]);
  return walk((dashboard as { panels?: Panel[] }).panels);
}

/** The metric names a query reads: nightshift's own and the Temporal SDK's. */
export const metricNamesIn = (expr: string): string[] =>
  [...expr.matchAll(/\b(?:nightshift|temporal)_[a-zA-Z0-9_:]+/g)].map((m) => m[0]);
