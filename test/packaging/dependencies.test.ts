/**
 * package.json says what the product needs at run time: every runtime dependency is imported by the code that
 * ships (shared/, functions/, bin/), and every package that code imports at run time is a runtime dependency.
 * What only the local servers (dev/), the scripts or the tests use is a dev dependency.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Packages imported at run time (static, side-effect and dynamic imports; `import type` is erased). */
function importedPackages(dirs: string[]): Set<string> {
  const statement =
    /^\s*(?:import|export)\s+(type\s+)?(?:[^;'"]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  const packages = new Set<string>();
  for (const file of dirs.flatMap(sources)) {
    for (const match of readFileSync(file, 'utf8').matchAll(statement)) {
      const specifier = match[2] ?? match[3]!;
      if (match[1] || specifier.startsWith('.') || specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return packages;
}

describe('dependencies', () => {
  const shipped = importedPackages(['shared', 'functions', 'bin']);

  it('every runtime dependency is imported by the shipped code', () => {
    expect(Object.keys(pkg.dependencies).filter((name) => !shipped.has(name))).toEqual([]);
  });

  it('every package the shipped code imports is a runtime dependency', () => {
    expect([...shipped].filter((name) => !(name in pkg.dependencies)).sort()).toEqual([]);
  });

  it('what only dev/ uses (the local GitHub and the local App server) is a dev dependency', () => {
    const devOnly = [...importedPackages(['dev'])].filter((name) => !shipped.has(name));
    expect(devOnly.filter((name) => !(name in pkg.devDependencies)).sort()).toEqual([]);
  });
});
