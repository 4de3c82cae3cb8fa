/**
 * Output a control plane or gateway would reject is a bug, never emitted: each rejected resource is dropped with
 * an error finding, and so is every policy that targets a rejected route (it would target nothing). Both render
 * targets use this, each with its own validator and route kind.
 * @module
 */
import type { Finding, SourcePosition } from './findings.js';

/** One reason a validator rejects a resource. */
export interface RejectionProblem {
  /** `Kind/name` of the resource. */
  resource: string;
  /** The check that rejects it. */
  rule: string;
  /** Where in the resource. */
  path: string;
  message: string;
}

export interface RejectionRules<R> {
  /** Finding id, e.g. `kuma-invalid-resource`. */
  id: string;
  /** Who would reject it, for the message: `by Kuma`, or empty. */
  by: string;
  /** The `Kind/name` of every route the resource targets (a policy on a dropped route is dropped too). */
  routesTargeted(resource: R): string[];
}

export function dropRejected<R extends { kind: string; name: string }>(
  resources: R[],
  problems: readonly RejectionProblem[],
  findings: Finding[],
  locate: () => SourcePosition,
  rules: RejectionRules<R>,
): R[] {
  if (problems.length === 0) return resources;
  // Located only now: the first lookup builds the spec's position index, costly on a large spec.
  const position = locate();
  const rejected = new Set(problems.map((problem) => problem.resource));
  const by = rules.by ? ` ${rules.by}` : '';
  for (const problem of problems) {
    findings.push({
      kind: 'routing',
      id: rules.id,
      severity: 'error',
      message: `rendered ${problem.resource} would be rejected${by} (${problem.rule}) at ${problem.path}: ${problem.message}; it is not emitted`,
      ...position,
    });
  }
  return resources.filter(
    (resource) =>
      !rejected.has(`${resource.kind}/${resource.name}`) &&
      !rules.routesTargeted(resource).some((route) => rejected.has(route)),
  );
}
