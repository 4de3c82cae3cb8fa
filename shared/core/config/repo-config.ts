/**
 * `.kuma-api-forge.yaml`: the list of APIs of a repo and the gates a pull request must pass.
 * Parsed from an already-loaded SourceFile (so errors carry lines) and validated against the published
 * JSON Schema (schemas/kuma-api-forge.schema.json).
 * @module
 */
import { Ajv } from 'ajv';
import schema from '../../../schemas/kuma-api-forge.schema.json' with { type: 'json' };
import type { Finding } from '../findings.js';
import type { ApiConfig, ParentGatewayRef, RenderTargetName, XKumaRoot } from '../kuma/render/types.js';
import { schemaFindings } from '../schema-findings.js';
import type { SourceFile } from '../spec/types.js';

export const repoConfigFile = '.kuma-api-forge.yaml';

export type BreakingGate = 'fail' | 'warn' | 'off';
export type LintFailOn = 'error' | 'warning' | 'never';

export interface GateSettings {
  breaking: BreakingGate;
  approvalLabel: string;
  /** oasdiff `--err-ignore` file in the repo: its lines waive ERR-level breaking changes. */
  errIgnore?: string;
  /** oasdiff `--warn-ignore` file in the repo: its lines waive WARN-level breaking changes. */
  warnIgnore?: string;
  lint: { failOn: LintFailOn; ruleset?: string; scope: 'new' | 'all' };
}

export interface RepoConfig {
  mesh: string;
  /** Default render target of the APIs that name none (api-target.ts); absent: kuma-gateway. */
  target?: RenderTargetName;
  /** Default parent Gateway of the gateway-api APIs that name none. */
  parentRef?: ParentGatewayRef;
  apis: ApiConfig[];
  gates: GateSettings;
  /** `x-kuma` defaults for every API, not yet checked against the x-kuma schema (rendering reports them). */
  defaults?: XKumaRoot;
}

/** The document as the schema lets it be: what Ajv has validated. */
interface RepoConfigDocument {
  version?: 1;
  mesh?: string;
  target?: RenderTargetName;
  parentRef?: ParentGatewayRef;
  apis: ApiConfig[];
  gates?: Partial<GateSettings>;
  defaults?: XKumaRoot;
}

export const defaultGates: GateSettings = {
  breaking: 'fail',
  approvalLabel: 'breaking-change-approved',
  lint: { failOn: 'error', scope: 'new' },
};

let validate: ReturnType<Ajv['compile']> | undefined;

/** Validates and normalises a parsed config file. Invalid config → findings on its lines and no config. */
export function parseRepoConfig(file: SourceFile): { config?: RepoConfig; findings: Finding[] } {
  validate ??= new Ajv({ allErrors: true, strict: false, useDefaults: false }).compile(schema);
  if (!validate(file.value)) {
    const errors = validate.errors ?? [];
    return {
      findings: schemaFindings(errors, { file, kind: 'validation', id: 'config-schema', root: 'the config' }),
    };
  }
  const raw = file.value as RepoConfigDocument;
  const findings = [...duplicateApiNames(file, raw.apis), ...conflictingGatewayIdentities(file, raw.apis)];
  if (findings.length > 0) return { findings };
  return {
    config: {
      mesh: raw.mesh ?? 'default',
      ...(raw.target === undefined ? {} : { target: raw.target }),
      ...(raw.parentRef === undefined ? {} : { parentRef: raw.parentRef }),
      apis: raw.apis,
      gates: resolveGates(raw.gates),
      ...(raw.defaults === undefined ? {} : { defaults: raw.defaults }),
    },
    findings,
  };
}

export function resolveGates(gates: Partial<GateSettings> | undefined): GateSettings {
  return {
    breaking: gates?.breaking ?? defaultGates.breaking,
    approvalLabel: gates?.approvalLabel ?? defaultGates.approvalLabel,
    ...(gates?.errIgnore ? { errIgnore: gates.errIgnore } : {}),
    ...(gates?.warnIgnore ? { warnIgnore: gates.warnIgnore } : {}),
    lint: { ...defaultGates.lint, ...gates?.lint },
  };
}

function duplicateApiNames(file: SourceFile, apis: ApiConfig[]): Finding[] {
  const seen = new Set<string>();
  return apis.flatMap((api, index) => {
    if (!seen.has(api.name)) {
      seen.add(api.name);
      return [];
    }
    return [
      configFinding(
        file,
        `/apis/${index}/name`,
        'config-duplicate-api',
        `API name "${api.name}" is used twice`,
      ),
    ];
  });
}

/** The gateway is named one way: by its SPIFFE ID (meshes with MeshIdentity) or by its `kuma.io/service` tag. */
function conflictingGatewayIdentities(file: SourceFile, apis: ApiConfig[]): Finding[] {
  return apis.flatMap((api, index) =>
    api.gatewaySpiffeId !== undefined && api.gatewayService !== undefined
      ? [
          configFinding(
            file,
            `/apis/${index}/gatewaySpiffeId`,
            'config-schema',
            `apis.${index}: set gatewaySpiffeId (a mesh with MeshIdentity) or gatewayService (a mesh without), not both: Kuma reads only one of them on a given mesh`,
          ),
        ]
      : [],
  );
}

function configFinding(file: SourceFile, pointer: string, id: string, message: string): Finding {
  const position = file.locate(pointer);
  return { kind: 'validation', id, severity: 'error', message, file: file.path, ...position };
}
