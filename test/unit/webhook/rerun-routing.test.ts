/**
 * One commit can head several PRs (X → main and X → y). A re-run re-checks the PR whose check run it is: the
 * run's name says its base (`kuma-api-forge` for the default branch, `kuma-api-forge (into y)` otherwise).
 */
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { describe, expect, it } from 'vitest';
import { buildCheckRunName } from '../../../shared/core/report/check-run-name.js';
import { toJob } from '../../../shared/core/webhook-events.js';

// biome-ignore lint/suspicious/noExplicitAny: webhook example payloads, read field by field
type Payload = Record<string, any>;
const example = (name: string): Payload => {
  const found = (examples as { name: string; examples: Payload[] }[])
    .find((e) => e.name === name)
    ?.examples.find((p) => p.action === 'rerequested');
  if (!found) throw new Error(`no example ${name}.rerequested`);
  const payload = structuredClone(found);
  payload.installation = { id: 42 };
  payload.repository.default_branch = 'main';
  payload[name].pull_requests = [
    { number: 7, base: { ref: 'y' } },
    { number: 8, base: { ref: 'main' } },
    { number: 9, base: { ref: 'z' } },
  ];
  return payload;
};

describe('the check run name', () => {
  it('is kuma-api-forge only for the default branch', () => {
    expect(buildCheckRunName('main', 'main')).toBe('kuma-api-forge');
    expect(buildCheckRunName('y', 'main')).toBe('kuma-api-forge (into y)');
    // A branch named like the suffix still never yields the required name.
    expect(buildCheckRunName('kuma-api-forge', 'main')).toBe('kuma-api-forge (into kuma-api-forge)');
  });
});

describe('a re-run re-checks the PR whose check run it is', () => {
  it.each([
    ['kuma-api-forge', 8],
    ['kuma-api-forge (into y)', 7],
    ['kuma-api-forge (into z)', 9],
  ])('check_run %s → PR #%i', (name, pullNumber) => {
    const payload = example('check_run');
    payload.check_run.name = name;
    expect(toJob('check_run', 'd', payload)).toMatchObject({ type: 'check', pullNumber });
  });

  it('a check suite re-run re-checks the PR into the default branch (the required run)', () => {
    expect(toJob('check_suite', 'd', example('check_suite'))).toMatchObject({ type: 'check', pullNumber: 8 });
  });

  it('falls back to the first PR when none matches (a run of another name, a PR retargeted since)', () => {
    const payload = example('check_run');
    payload.check_run.name = 'kuma-api-forge (into gone)';
    expect(toJob('check_run', 'd', payload)).toMatchObject({ pullNumber: 7 });
  });
});
