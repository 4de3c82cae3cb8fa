/**
 * The value formats Kuma's validators check with Go libraries. Expected answers follow the SPIFFE ID standard
 * (SPIFFE-ID.md §2: trust domain `[a-z0-9._-]`, path segments `[a-zA-Z0-9._-]`, no empty, `.` or `..` segment),
 * govalidator's documented behaviour and Kuma's own test cases (test/conformance covers those end to end).
 */
import { describe, expect, it } from 'vitest';
import {
  decimalOf,
  isDns1123Subdomain,
  isFilePath,
  isJsonPair,
  isUrl,
  spiffeIdProblem,
} from '../../../../shared/core/kuma/validate/kuma-formats.js';

describe('SPIFFE IDs', () => {
  it.each([
    'spiffe://trust.domain',
    'spiffe://default/ns/backend-ns/sa/backend',
    'spiffe://td_1/Path.With-Upper_case',
  ])('accepts %s', (id) => expect(spiffeIdProblem(id)).toBeUndefined());

  it.each([
    ['some-service', 'scheme'],
    ['SPIFFE://td/x', 'scheme'],
    ['spiffe:///x', 'trust domain is missing'],
    ['spiffe://Trust/x', 'trust domain characters'],
    ['spiffe://td/a//b', 'empty segments'],
    ['spiffe://td/a/', 'empty segments'],
    ['spiffe://td/./a', 'dot segments'],
    ['spiffe://td/a/..', 'dot segments'],
    ['spiffe://td/a%20b', 'path segment characters'],
  ])('refuses %s (%s)', (id, reason) => expect(spiffeIdProblem(id)).toContain(reason));
});

describe('file paths, URLs, JSON pairs, DNS names, decimals', () => {
  it('takes absolute Unix and Windows paths only', () => {
    expect(['/tmp/logs.txt', '/dev/stdout', 'C:\\logs\\a.txt'].map(isFilePath)).toEqual([true, true, true]);
    expect(['', '#not_valid', 'logs.txt', './logs'].map(isFilePath)).toEqual([false, false, false, false]);
  });

  it('takes host:port and scheme://host URLs, not bare words or hostless URLs', () => {
    const valid = [
      '127.0.0.1:5000',
      'http://logs.com',
      'logs.example.com:5000',
      '[::1]:5000',
      'collector.svc',
    ];
    expect(valid.map(isUrl)).toEqual(valid.map(() => true));
    const invalid = ['not_valid_url', '', 'a:', '.example.com', 'http://#frag', 'logs!host:5000'];
    expect(invalid.map(isUrl)).toEqual(invalid.map(() => false));
  });

  it('builds the JSON pair by concatenation, as Kuma does: a quote in the key breaks it', () => {
    expect(isJsonPair('start_time', '%START_TIME%')).toBe(true);
    expect(isJsonPair('"', '%START_TIME%')).toBe(false);
    expect(isJsonPair('a', 'b\\')).toBe(false);
  });

  it('knows DNS-1123 subdomains', () => {
    expect(['sni.extsvc.default.zone-1.aws-aurora.8443', 'a'].map(isDns1123Subdomain)).toEqual([true, true]);
    expect(['not_valid', 'Upper.case', '-a', `${'a'.repeat(254)}`].map(isDns1123Subdomain)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('reads integers and numeric strings as decimals, nothing else', () => {
    expect([decimalOf(80), decimalOf('60.1'), decimalOf('-2'), decimalOf('1e2')]).toEqual([
      80, 60.1, -2, 100,
    ]);
    expect([decimalOf('xyz'), decimalOf(''), decimalOf(true), decimalOf('10%')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
