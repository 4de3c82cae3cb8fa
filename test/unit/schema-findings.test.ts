import { describe, expect, it } from 'vitest';
import { parseRepoConfig } from '../../shared/core/config/repo-config.js';
import { parseTenants } from '../../shared/core/deploy/tenants.js';
import { checkXKumaValue } from '../../shared/core/kuma/render/x-kuma.js';
import { parseSourceFile } from '../../shared/core/spec/parse-source-file.js';
import { defaultLoadLimits } from '../../shared/core/spec/types.js';

const file = (path: string, lines: string[]) =>
  parseSourceFile(path, Buffer.from(`${lines.join('\n')}\n`), defaultLoadLimits).file!;

// Keys holding the two characters JSON pointers escape (`/` → `~1`, `~` → `~0`): an unescaped pointer names
// another node, and the finding lands on the parent's line instead of the key's.
describe('schema errors on keys with / and ~', () => {
  it('tenants file: an unknown key inside the owner/repo grant is reported on its own line', () => {
    const { findings } = parseTenants(
      file('tenants.yaml', [
        'tenants:',
        '  acme/pets:',
        '    gateways: [edge]',
        '    hostnames: [pets.example.com]',
        '    basePaths: [/pets]',
        '    namespaces: [pets]',
        '    a/b~c: 1',
      ]),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'tenants-file-invalid',
        line: 7,
        pointer: '/tenants/acme~1pets/a~1b~0c',
        message: 'tenants.yaml: unknown key "a/b~c" in tenants.acme/pets',
      }),
    ]);
  });

  it('tenants file: a grant key that is no owner/repo is reported on its line', () => {
    const { findings } = parseTenants(
      file('tenants.yaml', [
        'tenants:',
        '  acme/pets:',
        '    gateways: [edge]',
        '    hostnames: [pets.example.com]',
        '    basePaths: [/pets]',
        '    namespaces: [pets]',
        '  a/b/~c:',
        '    gateways: [edge]',
        '    hostnames: [b.example.com]',
        '    basePaths: [/b]',
        '    namespaces: [b]',
      ]),
    );
    expect(findings.map((f) => [f.line, f.pointer])).toEqual([[7, '/tenants/a~1b~1~0c']]);
    expect(findings[0]?.message).toContain('key "a/b/~c" in tenants must match pattern');
  });

  it('repo config: an unknown key with / and ~ in an API entry is reported on its line', () => {
    const { config, findings } = parseRepoConfig(
      file('.kuma-api-forge.yaml', ['apis:', '  - name: pets', '    spec: openapi.yaml', '    ~x/y: 1']),
    );
    expect(config).toBeUndefined();
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'config-schema',
        line: 4,
        pointer: '/apis/0/~0x~1y',
        message: 'unknown key "~x/y" in apis.0',
      }),
    ]);
  });

  it('x-kuma: an unknown key with / and ~ points at the key itself', () => {
    expect(checkXKumaValue({ timeout: '1s', 'a/~b': true }, 'operation')).toEqual([
      { path: '/a~1~0b', message: expect.stringContaining('unknown key "a/~b"') },
    ]);
  });
});
