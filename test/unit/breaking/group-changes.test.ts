import { describe, expect, it } from 'vitest';
import { groupLocatedChanges, type LocatedChange } from '../../../shared/core/breaking/group-changes.js';

const at = (line: number, pointer: string) => ({ file: 'schemas/pet.yaml', line, column: 5, pointer });

const located = (
  operation: string,
  text: string,
  used: string[],
  position = at(6, '/Pet/properties/id'),
  fingerprint = `${operation.length}`.padStart(12, 'a'),
): LocatedChange => ({
  change: {
    id: 'response-property-type-changed',
    text,
    severity: 'error',
    operation: operation.split(' ')[0]!,
    path: operation.split(' ')[1]!,
    fingerprint,
  },
  side: 'head',
  position,
  used,
});

describe('groupLocatedChanges', () => {
  it('one cause reached from several operations and statuses is one finding listing them', () => {
    const findings = groupLocatedChanges([
      located(
        'PUT /pets/{id}',
        "the `id` response's property type/format changed from `string`/`` to `integer`/`` for status `201`",
        ['201', 'id'],
        at(6, '/Pet/properties/id'),
        'bbbbbbbbbbbb',
      ),
      located(
        'GET /pets',
        "the `items/id` response's property type/format changed from `string`/`` to `integer`/`` for status `200`",
        ['200', 'items/id'],
        at(6, '/Pet/properties/id'),
        'aaaaaaaaaaaa',
      ),
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: 'breaking',
      id: 'response-property-type-changed',
      severity: 'error',
      file: 'schemas/pet.yaml',
      line: 6,
      operation: 'GET /pets',
      operations: ['GET /pets', 'PUT /pets/{id}'],
      message:
        "the `items/id` response's property type/format changed from `string`/`` to `integer`/`` for status `200`",
    });
    expect(findings[0]?.fingerprint).toMatch(/^[0-9a-f]{12}$/);
    expect(findings[0]?.fingerprint).not.toBe('aaaaaaaaaaaa');
  });

  it('different causes at one place stay apart (two enum values removed)', () => {
    const enumChange = (value: string): LocatedChange => ({
      change: {
        id: 'request-property-enum-value-removed',
        text: `removed the enum value \`${value}\` of the request property \`kind\``,
        severity: 'error',
        operation: 'POST',
        path: '/pets',
        fingerprint: `${value}`.repeat(12),
      },
      side: 'head',
      position: at(9, '/NewPet/properties/kind/enum'),
      used: ['kind'],
    });
    const findings = groupLocatedChanges([enumChange('a'), enumChange('b')]);
    expect(findings.map((f) => f.message)).toEqual([
      'removed the enum value `a` of the request property `kind`',
      'removed the enum value `b` of the request property `kind`',
    ]);
    expect(findings.map((f) => f.fingerprint)).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
  });

  it('keeps the severity, the side and the hint', () => {
    const [finding] = groupLocatedChanges([
      {
        change: {
          id: 'response-property-enum-value-added',
          text: 'added `x`',
          hint: 'use x-extensible-enum',
          severity: 'warning',
          operation: 'GET',
          path: '/a',
        },
        side: 'base',
        position: at(3, '/A'),
        used: [],
      },
    ]);
    expect(finding).toMatchObject({
      severity: 'warning',
      side: 'base',
      hint: 'use x-extensible-enum',
      operations: ['GET /a'],
    });
    expect(finding?.fingerprint).toBeUndefined();
  });
});
