import { describe, expect, it } from 'vitest';
import { compareFindings, type Finding } from '../../shared/core/findings.js';

const finding = (file: string, line: number, id = 'x'): Finding => ({
  kind: 'lint',
  id,
  severity: 'error',
  message: id,
  file,
  line,
  column: 1,
  pointer: '',
});

describe('compareFindings', () => {
  it('orders by file, then line, then id', () => {
    const sorted = [
      finding('b.yaml', 1),
      finding('a.yaml', 9),
      finding('a.yaml', 2, 'z'),
      finding('a.yaml', 2, 'a'),
    ]
      .sort(compareFindings)
      .map((f) => `${f.file}:${f.line}:${f.id}`);
    expect(sorted).toEqual(['a.yaml:2:a', 'a.yaml:2:z', 'a.yaml:9:x', 'b.yaml:1:x']);
  });
});
