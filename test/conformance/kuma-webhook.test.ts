/**
 * Conformance with Kuma's Kubernetes admission webhook cases (test/kuma-corpus/webhook, from
 * pkg/plugins/runtime/k8s/webhooks/testdata/validation at v2.14.3): a user creates a policy of a kind we emit,
 * and Kuma answers allowed or denied, per control-plane topology.
 *
 * Our validator does not know where the output will be applied, so it checks what holds on a standalone
 * (non-federated) zone CP, the topology the renderer targets by default; the federated-zone and global answers
 * depend on the CP's zone name and mode (origin labels, system namespace only on global) and are not compared.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateKumaResources } from '../../shared/core/kuma/validate/index.js';

const dir = path.resolve('test/kuma-corpus/webhook');
const cases = readdirSync(dir)
  .filter((file) => file.endsWith('.input.yaml'))
  .map((file) => file.slice(0, -'.input.yaml'.length));

function ourProblems(name: string) {
  const text = readFileSync(path.join(dir, `${name}.input.yaml`), 'utf8');
  const namespace = /namespace=([\w-]+)/.exec(text.split('\n')[0] ?? '')?.[1];
  const manifest = parse(text);
  const labels: Record<string, string> = manifest.metadata.labels ?? {};
  return validateKumaResources([
    {
      kind: manifest.kind,
      name: manifest.metadata.name,
      ...(namespace ? { namespace } : {}),
      mesh: labels['kuma.io/mesh'] ?? 'default',
      labels,
      spec: manifest.spec,
    },
  ]);
}

const kumaAllows = (name: string) =>
  parse(readFileSync(path.join(dir, `${name}.non-federated.golden.yaml`), 'utf8')).allowed === true;

/**
 * Where we deliberately refuse what Kuma allows: labels Kuma computes (its mutating webhook overwrites them).
 * Writing them in a GitOps repo makes the live object differ from the repo forever (endless drift).
 */
const computedLabelCases = [
  'cli-user_create_mt-policy-role-label',
  'cli-user_create_mt-system-policy-role-label',
  'cli-user_create_mtp',
  'cli-user_create_zone-mtp',
  'cli-user_create_zone-ns-mt',
];

describe("Kuma's admission webhook cases (v2.14.3, non-federated zone)", () => {
  it('has cases for the kinds we emit', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it('accepts and refuses as Kuma does, but for labels Kuma computes', () => {
    const disagreements: string[] = [];
    for (const name of cases) {
      const problems = ourProblems(name);
      if ((problems.length === 0) === kumaAllows(name)) continue;
      const computedOnly = problems.every((p) => /is computed by Kuma/.test(p.message));
      disagreements.push(computedOnly ? `${name} (computed label)` : `${name}: ${JSON.stringify(problems)}`);
    }
    console.log(`admission webhook cases: ${cases.length - disagreements.length}/${cases.length} agree`);
    expect(disagreements.sort()).toEqual(computedLabelCases.map((name) => `${name} (computed label)`).sort());
  });
});
