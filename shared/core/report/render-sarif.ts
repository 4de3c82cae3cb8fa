/**
 * `--format sarif`: the report as a SARIF 2.1.0 log, for GitHub code scanning (`github/codeql-action/upload-sarif`)
 * and any other SARIF consumer. One rule per finding id (with its kind), one result per finding on its head line;
 * a removal (only in the base) sits on its `headPosition` when the head has one. Accepted breaking changes are
 * results with a suppression (code scanning shows them as dismissed), never dropped.
 * @module
 */
import { createHash } from 'node:crypto';
import { compareFindings, type Finding } from '../findings.js';
import { sanitizeTerminal } from './escape.js';
import { describePlain, describeWaiver, kindTitle } from './summarize.js';
import type { CheckReport } from './types.js';

export interface SarifOptions {
  /** The tool's version (`tool.driver.version`). */
  toolVersion?: string;
}

const sarifLevel = { error: 'error', warning: 'warning', info: 'note' } as const;

/** The key of our own line-independent fingerprint in `partialFingerprints`. */
export const sarifFingerprintKey = 'kumaApiForgeFinding/v1';

export function renderSarif(report: CheckReport, options: SarifOptions = {}): string {
  const findings = [...report.findings].sort(compareFindings);
  const rules = [...new Map(findings.map((f) => [f.id, f])).values()].sort((a, b) =>
    a.id.localeCompare(b.id),
  );
  const ruleIndex = new Map(rules.map((f, i) => [f.id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kuma-api-forge',
            ...(options.toolVersion ? { version: options.toolVersion } : {}),
            rules: rules.map((f) => ({
              id: f.id,
              shortDescription: { text: sanitizeTerminal(`${kindTitle[f.kind]}: ${f.id}`) },
              properties: { tags: [f.kind] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The root of the checked repository' } } },
        results: findings.map((f) => toResult(f, ruleIndex.get(f.id) ?? 0)),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function toResult(f: Finding, ruleIndex: number) {
  const at = f.side === 'base' && f.headPosition ? f.headPosition : f;
  return {
    ruleId: f.id,
    ruleIndex,
    level: f.waivedBy ? 'note' : sarifLevel[f.severity],
    message: { text: describe(f) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: fileUri(at.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: Math.max(1, at.line), startColumn: Math.max(1, at.column) },
        },
      },
    ],
    partialFingerprints: { [sarifFingerprintKey]: fingerprint(f) },
    ...(f.waivedBy ? { suppressions: [{ kind: 'external', justification: describeWaiver(f) }] } : {}),
    properties: { kind: f.kind, ...(f.pointer ? { pointer: f.pointer } : {}) },
  };
}

function describe(f: Finding): string {
  const text = describePlain(f);
  return sanitizeTerminal(f.hint ? `${text}. Hint: ${f.hint}` : text);
}

/** A relative URI reference: each path segment percent-encoded (a space or `#` in a file name stays a file name). */
function fileUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

/**
 * Stable across pushes that only move lines: oasdiff's own fingerprint for a breaking change, otherwise a hash of
 * what the finding is and where it is by JSON pointer, never by line number.
 */
function fingerprint(f: Finding): string {
  const identity =
    f.fingerprint ?? [f.kind, f.id, f.file, f.pointer, f.operation ?? '', f.message].join('\u0000');
  return createHash('sha256').update(`${f.id}\u0000${identity}`).digest('hex').slice(0, 32);
}
