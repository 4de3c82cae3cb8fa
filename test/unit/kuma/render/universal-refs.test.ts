/**
 * Kuma resolves a MeshService reference by mesh, zone, namespace and name (kumahq/kuma v2.14.3
 * `pkg/plugins/policies/core/rules/resolve/backendref.go`, TargetRefToKRI). Universal MeshServices have no
 * namespace, so a configured `service.namespace` must reach the Kubernetes output only: in Universal output a
 * reference carrying it would resolve to nothing (no backend, policies that match nothing).
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../../../helpers/cli.js';

/** Every `namespace` value anywhere in the rendered documents except Kubernetes metadata. */
function referenceNamespaces(stdout: string): string[] {
  const found: string[] = [];
  const walk = (value: unknown, key: string): void => {
    if (Array.isArray(value)) for (const item of value) walk(item, key);
    else if (value && typeof value === 'object') {
      for (const [name, child] of Object.entries(value)) {
        if (name === 'metadata') continue;
        if (name === 'namespace' && typeof child === 'string') found.push(`${key}: ${child}`);
        walk(child, name);
      }
    }
  };
  for (const doc of parseAllDocuments(stdout)) walk(doc.toJS(), '');
  return found;
}

describe('MeshService references per format (showcase: services in namespaces shop and payments)', () => {
  it('Universal output names services without a namespace', async () => {
    const run = await runCli(['render', 'fixtures/kuma/showcase', '--format', 'universal']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('kind: MeshService');
    expect(referenceNamespaces(run.stdout)).toEqual([]);
  });

  it('Kubernetes output keeps the configured namespace in every reference', async () => {
    const run = await runCli(['render', 'fixtures/kuma/showcase', '--format', 'k8s']);
    expect(run.code).toBe(0);
    const namespaces = new Set(referenceNamespaces(run.stdout).map((entry) => entry.split(': ')[1]));
    expect(namespaces).toEqual(new Set(['shop', 'payments']));
  });
});
