/**
 * The value formats Kuma's validators test with Go libraries: govalidator's `IsFilePath`/`IsURL`/`IsJSON`,
 * go-spiffe's `spiffeid.FromString`, Kubernetes' `IsDNS1123Subdomain` and Kuma's `NewDecimalFromIntOrString`.
 * @module
 */

const unixPath = /^(\/[^/\0]*)+\/?$/;
const windowsPath = /^[a-zA-Z]:\\(?:[^\\/:*?"<>|\r\n]+\\)*[^\\/:*?"<>|\r\n]*$/;

/** govalidator.IsFilePath: an absolute Unix or Windows path. */
export function isFilePath(text: string): boolean {
  return windowsPath.test(text) || unixPath.test(text);
}

const urlPattern =
  /^(?:(?:[a-zA-Z][a-zA-Z0-9+.-]*):\/\/)?(?:[^\s/@]+@)?(?:\[[0-9a-fA-F:.]+\]|[\w\u00a1-\uffff-]+(?:\.[\w\u00a1-\uffff-]+)*)(?::\d{1,5})?(?:[/?#]\S*)?$/;

/**
 * govalidator.IsURL, in the cases that matter for a collector address: `host:port`, `scheme://host[:port][/…]`,
 * a dotted host; a bare word without a dot or colon (`not_valid_url`) is not a URL, as Go's parser sees a path.
 */
export function isUrl(text: string): boolean {
  if (text.length <= 3 || text.length >= 2083 || text.startsWith('.')) return false;
  if (!text.includes('://') && !text.includes(':') && !text.includes('.')) return false;
  return urlPattern.test(text);
}

/** govalidator.IsJSON of `{"key": "value"}` built by string concatenation, as Kuma's access-log check does. */
export function isJsonPair(key: string, value: string): boolean {
  try {
    JSON.parse(`{"${key}": "${value}"}`);
    return true;
  } catch {
    return false;
  }
}

const trustDomain = /^[a-z0-9._-]+$/;
const pathSegment = /^[A-Za-z0-9._-]+$/;

/** go-spiffe `spiffeid.FromString`: why the text is not a SPIFFE ID, or undefined when it is one. */
export function spiffeIdProblem(text: string): string | undefined {
  if (!text.startsWith('spiffe://')) return 'scheme is missing or invalid';
  const rest = text.slice('spiffe://'.length);
  const slash = rest.indexOf('/');
  const domain = slash < 0 ? rest : rest.slice(0, slash);
  if (domain === '') return 'trust domain is missing';
  if (!trustDomain.test(domain))
    return 'trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores';
  if (slash < 0) return undefined;
  for (const segment of rest.slice(slash + 1).split('/')) {
    if (segment === '') return 'path cannot contain empty segments';
    if (segment === '.' || segment === '..') return 'path cannot contain dot segments';
    if (!pathSegment.test(segment))
      return 'path segment characters are limited to letters, numbers, dots, dashes, and underscores';
  }
  return undefined;
}

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes `IsDNS1123Subdomain`. */
export function isDns1123Subdomain(text: string): boolean {
  return text.length <= 253 && dns1123Subdomain.test(text);
}

const decimalText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Kuma's `NewDecimalFromIntOrString`: an integer, or a string holding a decimal number; else undefined. */
export function decimalOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && decimalText.test(value)) return Number(value);
  return undefined;
}

const ipv4Octet = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const ipv4 = new RegExp(`^${ipv4Octet}(?:\\.${ipv4Octet}){3}$`);

/** Go's `net.ParseIP` (govalidator `IsIP`): dotted-quad IPv4 without leading zeros, or IPv6 without a zone. */
export function isIpAddress(text: string): boolean {
  if (ipv4.test(text)) return true;
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return false;
  // WHATWG URL parses IPv6 literals as RFC 4291 writes them (and refuses the rest): a pure check, no socket API.
  return URL.canParse(`http://[${text}]/`);
}
