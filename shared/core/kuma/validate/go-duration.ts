/**
 * Go's `time.ParseDuration`, which Kubernetes' `metav1.Duration` (every Kuma policy duration) uses to decode:
 * a sequence of decimal numbers with units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`, e.g. `1m30s`, `1.5h`, `0`.
 * Returns milliseconds, or undefined when Kuma could not decode it (`1 min`, `10`, `5S`, ``).
 */
const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const component = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  component.lastIndex = 0;
  while (component.lastIndex < rest.length) {
    const match = component.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * (unitMs[match[2] as string] as number);
  }
  return sign * total;
}
