// A metric family computed at scrape time: its samples come from that scrape's snapshot, none when the snapshot's
// source (the engine, the ledger) did not answer.
import { Counter, Gauge, type Registry } from 'prom-client';

export type Labels = Record<string, string>;
export type Sample = [Labels, number];

export interface FamilySpec<S> {
  type: 'gauge' | 'counter';
  name: string;
  help: string;
  labelNames?: readonly string[];
  samples(source: S): Sample[];
}

/**
 * Registers the family; each scrape's collect() resets it, then sets its samples from `source()`. A counter's
 * samples with the same labels add up (several ledger groups fold into one series).
 */
export function registerFamily<S>(registry: Registry, spec: FamilySpec<S>, source: () => Promise<S | undefined>): void {
  const config = { name: spec.name, help: spec.help, labelNames: [...(spec.labelNames ?? [])], registers: [registry] };
  if (spec.type === 'gauge')
    new Gauge({
      ...config,
      async collect() {
        refill(this, spec, await source(), (labels, value) => this.set(labels, value));
      },
    });
  else
    new Counter({
      ...config,
      async collect() {
        refill(this, spec, await source(), (labels, value) => this.inc(labels, value));
      },
    });
}

function refill<S>(
  metric: { reset(): void; remove(labels: Labels): void },
  spec: FamilySpec<S>,
  from: S | undefined,
  put: (labels: Labels, value: number) => void,
): void {
  metric.reset();
  if (from === undefined)
    metric.remove({}); // reset() leaves a label-less family at 0: no sample says "unknown"
  else for (const [labels, value] of spec.samples(from)) put(labels, value);
}
