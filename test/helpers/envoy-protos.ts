/**
 * Envoy's own v3 protos as the judge of the Envoy payloads we put in MeshProxyPatches: `buf` (npm
 * `@bufbuild/buf`, a local binary; the vendored module in test/envoy-protos has no deps, so no network) decodes
 * a batch of payloads with protojson, as Kuma does, and encodes them back.
 * @module
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import type { KumaResource } from '../../shared/core/kuma/resource.js';

const protoDir = path.resolve(import.meta.dirname, '../envoy-protos');
const bufBin = createRequire(import.meta.url).resolve('@bufbuild/buf/bin/buf');

/** The `value`s of MeshProxyPatch modifications, by the Envoy message Kuma decodes them as. */
export interface Payloads {
  /** `cluster` values: `envoy.config.cluster.v3.Cluster`. */
  clusters: Record<string, unknown>[];
  /** `httpFilter` values: `envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter`. */
  httpFilters: Record<string, unknown>[];
}

/** Every payload of the MeshProxyPatches among `resources`, with where it came from, in a stable order. */
export function collectPayloads(resources: KumaResource[]): { payloads: Payloads; labels: Payloads } {
  const payloads: Payloads = { clusters: [], httpFilters: [] };
  const labels = { clusters: [] as string[], httpFilters: [] as string[] };
  for (const patch of resources.filter((r) => r.kind === 'MeshProxyPatch')) {
    const modifications = (
      patch.spec.default as { appendModifications: Record<string, { value?: string }>[] }
    ).appendModifications;
    for (const [index, modification] of modifications.entries()) {
      for (const [kind, key] of [
        ['cluster', 'clusters'],
        ['httpFilter', 'httpFilters'],
      ] as const) {
        const value = modification[kind]?.value;
        if (value === undefined) continue;
        payloads[key].push(parse(value));
        labels[key].push(`${patch.name} appendModifications[${index}].${kind}`);
      }
    }
  }
  return { payloads, labels: labels as unknown as Payloads };
}

/**
 * Decodes `payloads` with Envoy's protos and encodes them back as proto3 JSON (one `buf convert` call for the
 * whole batch). Rejects with buf's message when a payload does not decode: a wrong type (a Go duration such as
 * `1m` for a Duration), an `@type` no vendored proto defines. Unknown fields are dropped silently, as Kuma drops
 * them (`AllowUnknownFields`): compare the output with the input to see them.
 */
export async function roundTrip(payloads: Payloads): Promise<Payloads> {
  const dir = mkdtempSync(path.join(tmpdir(), 'envoy-protos-'));
  const from = path.join(dir, 'payloads.json');
  writeFileSync(from, JSON.stringify(payloads));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      bufBin,
      'convert',
      protoDir,
      '--type',
      'kuma_api_forge.test.Payloads',
      '--from',
      `${from}#format=json`,
      '--to',
      '-#format=json',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const decoded = JSON.parse(stdout) as Partial<Payloads>;
  return { clusters: decoded.clusters ?? [], httpFilters: decoded.httpFilters ?? [] };
}

/** A protobuf Duration in proto3 JSON: seconds with 0, 3, 6 or 9 fractional digits on output, any on input. */
const duration = /^(-?\d+(?:\.\d+)?)s$/;

/**
 * What survives a proto3 JSON round trip unchanged, so input and output can be compared as they are:
 * - proto3 JSON leaves out scalar fields at their default (`false`, `0`, `""`): dropped here too. A misspelt
 *   field set to a default would hide in this step; `flipDefaults` catches it.
 * - Durations are written back in canonical form (`0.5s` → `0.500s`): compared by their value in seconds.
 * Nothing else is normalised: enums stay names, wrappers and messages keep their presence (`{}` stays `{}`).
 */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'string') {
    const match = duration.exec(value);
    return match ? `${Number(match[1])}s` : value;
  }
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== false && v !== 0 && v !== '')
      .map(([k, v]) => [k, normalise(v)]),
  );
}

/** The payload with every default scalar made non-default, so each of those fields must survive the trip. */
export function flipDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(flipDefaults);
  if (value === false) return true;
  if (value === 0) return 1;
  if (value === '') return 'x';
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, flipDefaults(v)]));
}
