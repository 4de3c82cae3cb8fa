/**
 * The equality proof of the pruned diff: on every fixture revision pair (both directions, so each addition is
 * also a removal), the real oasdiff binary reports exactly the same changes — ids, texts, levels, operations,
 * paths, fingerprints, in the same order — on the pruned bundles as on the full ones, and the check's findings
 * (messages, ids, severities, operations, files, lines, pointers) are the same. The GitHub pairs and generated
 * one-change pairs are proven by bench/pruned-diff.mjs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createOasdiffRunner } from '../../shared/adapters/oasdiff-runner.js';
import type { BreakingChange, BreakingChangeSource } from '../../shared/core/breaking/breaking-change.js';
import { convertSwagger2 } from '../../shared/core/breaking/convert-swagger2.js';
import { findBreakingChanges } from '../../shared/core/breaking/find-breaking-changes.js';
import type { LoadedSpec } from '../../shared/core/spec/types.js';
import { deepFreeze } from '../helpers/deep-freeze.js';
import { loadSpecFromFiles } from '../helpers/spec.js';

const runner = createOasdiffRunner();
const fixtures = join(import.meta.dirname, '../../fixtures/specs');

interface Version {
  name: string;
  load: () => Promise<LoadedSpec>;
}

/**
 * Each version is in many pairs: it is loaded once, deeply frozen (so neither the check nor oasdiff's input
 * conversion can change what the next pair reads).
 */
function once(load: () => Promise<LoadedSpec>): () => Promise<LoadedSpec> {
  let loaded: Promise<LoadedSpec> | undefined;
  return () => (loaded ??= load().then(deepFreeze));
}

function singleFile(path: string): Version {
  return {
    name: relative(fixtures, path),
    load: once(() => loadSpecFromFiles({ 'openapi.yaml': readFileSync(path, 'utf8') }, 'openapi.yaml')),
  };
}

/** A multi-file spec: every YAML file under `dir/openapi`, entry `openapi/users.yaml`. */
function specDir(dir: string): Version {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at)) {
      const path = join(at, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(join(dir, 'openapi'));
  return { name: relative(fixtures, dir), load: once(() => loadSpecFromFiles(files, 'openapi/users.yaml')) };
}

const petstore = join(fixtures, 'petstore');
const userProfile = join(fixtures, 'user-profile');
const petstoreBases = ['petstore.yaml', 'petstore-openapi31.yaml', 'petstore-swagger2.yaml'].map((f) =>
  singleFile(join(petstore, f)),
);
const petstoreRevisions = readdirSync(join(petstore, 'revisions')).map((f) =>
  singleFile(join(petstore, 'revisions', f)),
);
const userProfileBase = specDir(userProfile);
const userProfileRevisions = readdirSync(join(userProfile, 'revisions')).map((d) =>
  specDir(join(userProfile, 'revisions', d)),
);

const pairs: [Version, Version][] = [
  ...petstoreBases.flatMap((base) => petstoreRevisions.map((head): [Version, Version] => [base, head])),
  ...userProfileRevisions.map((head): [Version, Version] => [userProfileBase, head]),
];
const bothWays = pairs.flatMap(([base, head]) => [
  [base, head],
  [head, base],
]) as [Version, Version][];

async function asOasdiffSees(spec: LoadedSpec): Promise<Record<string, unknown>> {
  const bundle = spec.bundle ?? {};
  return spec.version === '2.0' ? convertSwagger2(bundle) : bundle;
}

const outcomes: { pair: string; pruned: boolean; changes: number }[] = [];

describe('pruned diff = oasdiff on the full pair, on every fixture revision', () => {
  it.each(bothWays.map(([base, head]) => [`${base.name} → ${head.name}`, base, head] as const))(
    '%s',
    async (_name, baseVersion, headVersion) => {
      const [base, head] = await Promise.all([baseVersion.load(), headVersion.load()]);

      // The check's findings as it runs (pruned), and with oasdiff forced onto the full bundles; oasdiff's own
      // output of both runs is recorded and compared field by field, in order.
      const full = await Promise.all([asOasdiffSees(base), asOasdiffSees(head)]);
      const seen = {
        pruned: [] as BreakingChange[][],
        full: [] as BreakingChange[][],
        sizes: [] as number[],
      };
      const prunedRun: BreakingChangeSource = {
        breaking: async (b, h) => {
          seen.sizes.push(JSON.stringify([b, h]).length);
          const changes = await runner.breaking(b, h);
          seen.pruned.push(changes);
          return changes;
        },
      };
      const fullRun: BreakingChangeSource = {
        breaking: async () => {
          const changes = await runner.breaking(full[0], full[1]);
          seen.full.push(changes);
          return changes;
        },
      };
      const [withPruning, without] = await Promise.all([
        findBreakingChanges(base, head, prunedRun),
        findBreakingChanges(base, head, fullRun),
      ]);
      expect(withPruning).toEqual(without);
      // An unchanged pair skips oasdiff: then the full run must have found nothing.
      expect(seen.pruned.length === 0 ? seen.full.map(() => []) : seen.pruned).toEqual(seen.full);
      if (seen.full.length === 0) return; // a side did not load: one input finding, compared above
      outcomes.push({
        pair: _name,
        pruned: seen.pruned.length === 0 || (seen.sizes[0] ?? 0) < JSON.stringify(full).length,
        changes: seen.full[0]?.length ?? 0,
      });
    },
  );

  it('the proof is not vacuous: most pairs were pruned, and many have changes', () => {
    expect(outcomes.length).toBeGreaterThan(20);
    expect(outcomes.filter((o) => o.pruned).length).toBeGreaterThan(outcomes.length / 2);
    expect(outcomes.filter((o) => o.changes > 0).length).toBeGreaterThan(5);
  });
});
