import { describe, expect, it } from 'vitest';
import {
  escapeMessage,
  escapeWorkflowData,
  escapeWorkflowProperty,
  inlineCode,
} from '../../../shared/core/report/escape.js';

describe('inlineCode', () => {
  it('writes ordinary text as a plain code span', () => {
    expect(inlineCode('openapi/users.yaml:12')).toBe('`openapi/users.yaml:12`');
  });

  it('fences text with backticks by a longer run, padded when it starts or ends with one', () => {
    expect(inlineCode('a`b')).toBe('``a`b``');
    expect(inlineCode('a ``` b')).toBe('````a ``` b````');
    expect(inlineCode('`x`')).toBe('`` `x` ``');
    expect(inlineCode('```')).toBe('```` ``` ````');
  });

  it('keeps the span on one line: line breaks become spaces, control characters visible', () => {
    expect(inlineCode('a\n# b\r\n* c')).toBe('`a # b * c`');
    expect(inlineCode('a\u001b[31mb')).toBe('`a\\x1b[31mb`');
  });
});

describe('escapeMessage', () => {
  it('turns paired backticks into <code>, escaping inside and out', () => {
    expect(escapeMessage('property `@org/x` of <b>')).toBe(
      'property <code>@&#8203;org/x</code> of &lt;b&gt;',
    );
  });

  it('leaves an unpaired backtick as escaped text', () => {
    expect(escapeMessage('a `b` c ` d #1')).toBe('a <code>b</code> c \\` d #&#8203;1');
  });
});

describe('workflow command escaping', () => {
  it('percent-encodes %, CR and LF in a message, and also : and , in a property', () => {
    expect(escapeWorkflowData('50% a:b,c\r\n::error::x')).toBe('50%25 a:b,c%0D%0A::error::x');
    expect(escapeWorkflowProperty('50% a:b,c\r\n::error::x')).toBe('50%25 a%3Ab%2Cc%0D%0A%3A%3Aerror%3A%3Ax');
    // An already-encoded sequence stays literal text after GitHub decodes it.
    expect(escapeWorkflowData('%0A')).toBe('%250A');
    // Other control characters cannot reach the runner's log either.
    expect(escapeWorkflowData('a\u001b[31mb\u2028c')).toBe('a\\x1b[31mb c');
  });
});
