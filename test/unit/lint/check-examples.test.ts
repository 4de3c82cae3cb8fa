import { describe, expect, it } from 'vitest';
import { lintSpec } from '../../../shared/core/lint/lint-spec.js';
import { loadSpecFromFiles } from '../../helpers/spec.js';
import { cleanOpenApi30, cleanSwagger20, edit, expectedMarks, marksOf } from './lint-fixtures.js';

async function lintExamples(text: string, file = 'openapi.yaml') {
  const spec = await loadSpecFromFiles({ [file]: text }, file);
  expect(spec.findings).toEqual([]);
  return (await lintSpec(spec)).filter((f) => f.id.endsWith('-example'));
}

const userName = '        name:\n          type: string\n          maxLength: 20\n';
const adaName = '        id: 1\n        name: Ada\n';

describe('example validation', () => {
  it('reports the first wrong value inside a shared example, through the $ref, on its line', async () => {
    const text = edit(
      cleanOpenApi30,
      adaName,
      '        id: 1\n        name: Ada Lovelace, Countess of Lovelace # expect: oas3-valid-media-example\n',
    );
    const findings = await lintExamples(text);
    expect(marksOf(findings)).toEqual(expectedMarks(text));
    expect(findings[0]?.message).toBe(
      'Example value at /name must NOT have more than 20 characters: fix the example or the schema.',
    );
  });

  it('names a missing required property, on the example it is missing from', async () => {
    const text = edit(
      cleanOpenApi30,
      `      value:\n${adaName}`,
      '      value: # expect: oas3-valid-media-example\n        id: 1\n',
    );
    const findings = await lintExamples(text);
    expect(marksOf(findings)).toEqual(expectedMarks(text));
    expect(findings[0]?.message).toBe(
      "Example must have required property 'name': fix the example or the schema.",
    );
  });

  it('points at a property the schema does not allow', async () => {
    let text = edit(
      cleanOpenApi30,
      '      required: [id, name]\n',
      '      required: [id, name]\n      additionalProperties: false\n',
    );
    // On the object that has the property, as Spectral reports it.
    text = edit(
      text,
      `      value:\n${adaName}`,
      `      value: # expect: oas3-valid-media-example\n${adaName}        nick: ada\n`,
    );
    const findings = await lintExamples(text);
    expect(marksOf(findings)).toEqual(expectedMarks(text));
    expect(findings[0]?.message).toBe(
      'Example value at /nick is not a property the schema allows: fix the example or the schema.',
    );
  });

  it('honours OpenAPI 3.0 nullable: null passes, another type fails', async () => {
    const nullable =
      '        name:\n          type: string\n          nullable: true\n          maxLength: 20\n';
    const valid = edit(
      edit(cleanOpenApi30, userName, nullable),
      adaName,
      '        id: 1\n        name: null\n',
    );
    expect(await lintExamples(valid)).toEqual([]);

    const invalid = edit(
      edit(cleanOpenApi30, userName, nullable),
      adaName,
      '        id: 1\n        name: 42 # expect: oas3-valid-media-example\n',
    );
    const findings = await lintExamples(invalid);
    expect(marksOf(findings)).toEqual(expectedMarks(invalid));
    expect(findings[0]?.message).toBe(
      'Example value at /name must be string,null: fix the example or the schema.',
    );
  });

  it('honours Swagger 2.0 x-nullable', async () => {
    const text = edit(
      edit(
        cleanSwagger20,
        '      name:\n        type: string\n',
        '      name:\n        type: string\n        x-nullable: true\n',
      ),
      '              name: Ada',
      '              name: null',
    );
    expect(await lintExamples(text, 'swagger.yaml')).toEqual([]);
  });

  it('still checks the rest of a schema whose pattern JavaScript unicode regexes reject', async () => {
    const text = edit(
      edit(cleanOpenApi30, userName, `${userName}          pattern: '^[A-Za-z ]+\\-?'\n`),
      adaName,
      '        id: 1\n        name: [Ada] # expect: oas3-valid-media-example\n',
    );
    const findings = await lintExamples(text);
    expect(marksOf(findings)).toEqual(expectedMarks(text));
    expect(findings[0]?.message).toBe(
      'Example value at /name must be string: fix the example or the schema.',
    );
  });

  it('reports an enum with its allowed values', async () => {
    const text = edit(
      cleanOpenApi30,
      '          example: active\n',
      '          example: gone # expect: oas3-valid-media-example\n',
    );
    const findings = await lintExamples(text);
    expect(marksOf(findings)).toEqual(expectedMarks(text));
    expect(findings[0]?.message).toBe(
      'Example must be one of "active", "disabled": fix the example or the schema.',
    );
  });
});
