import { describe, expect, it } from 'vitest';
import schema from '../../../schemas/kuma-api-forge.schema.json' with { type: 'json' };
import type { ApiConfig, ServiceVersion } from '../../../shared/core/kuma/render/types.js';

// The config type is written by hand next to the schema that validates the file: these records must name every
// key of the type (the compiler checks that), and the test checks they are exactly the schema's keys.
const apiKeys: Record<keyof ApiConfig, true> = {
  name: true,
  spec: true,
  target: true,
  parentRef: true,
  routeNamespace: true,
  gateway: true,
  gatewayService: true,
  gatewayNamespace: true,
  gatewaySpiffeId: true,
  hostnames: true,
  basePath: true,
  rewrite: true,
  service: true,
  envoyGateway: true,
  defaults: true,
  oidc: true,
  apiKeys: true,
};
const serviceKeys: Record<keyof NonNullable<ApiConfig['service']>, true> = {
  name: true,
  namespace: true,
  port: true,
  versions: true,
  podLabels: true,
};
const versionKeys: Record<keyof ServiceVersion, true> = {
  name: true,
  service: true,
  weight: true,
  default: true,
};

const sorted = (o: object) => Object.keys(o).sort();

describe('ApiConfig, the one type of an apis entry', () => {
  const api = schema.definitions.api;
  it('has exactly the keys the schema allows in an apis entry', () => {
    expect(sorted(apiKeys)).toEqual(sorted(api.properties));
  });
  it('has exactly the keys of service and of service.versions[]', () => {
    expect(sorted(serviceKeys)).toEqual(sorted(api.properties.service.properties));
    expect(sorted(versionKeys)).toEqual(sorted(api.properties.service.properties.versions.items.properties));
  });
  it('requires what the schema requires', () => {
    const required: (keyof ApiConfig)[] = ['name', 'spec'];
    // A value of the type with only the required keys compiles: nothing else is required by the type.
    const minimal: ApiConfig = { name: 'pets', spec: 'openapi.yaml' };
    expect(sorted(minimal)).toEqual([...required].sort());
    expect([...api.required].sort()).toEqual([...required].sort());
  });
});
