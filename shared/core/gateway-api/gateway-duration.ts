/**
 * Durations in the form Gateway API (and so Envoy Gateway) accepts: `^([0-9]{1,5}(h|m|s|ms)){1,4}$` (GEP-2257),
 * stricter than x-kuma's (no fractions, at most five digits per unit).
 * @module
 */
import { parseDuration } from '../kuma/render/duration.js';

const units = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
] as const;

/** Milliseconds → a GEP-2257 duration (`90500` → `1m30s500ms`); undefined beyond 99999h. Sub-millisecond parts round up. */
export function formatGatewayDuration(ms: number): string | undefined {
  let rest = Math.ceil(ms);
  if (rest === 0) return '0s';
  let text = '';
  for (const [unit, size] of units) {
    const amount = Math.floor(rest / size);
    if (amount === 0) continue;
    if (amount > 99_999) return undefined;
    text += `${amount}${unit}`;
    rest -= amount * size;
  }
  return text;
}

/** An x-kuma duration (`1.5s`, `1h30m`) in GEP-2257 form; undefined when it has none. */
export function toGatewayDuration(text: string): string | undefined {
  const ms = parseDuration(text);
  return ms === undefined ? undefined : formatGatewayDuration(ms);
}
