/**
 * The web address of a GitHub host from its REST base URL, for links when an answer carries no `html_url`:
 * `https://api.github.com` → `https://github.com`, GitHub Enterprise Server's `https://HOST/api/v3` →
 * `https://HOST`, GitHub Enterprise Cloud with data residency `https://api.SUBDOMAIN.ghe.com` →
 * `https://SUBDOMAIN.ghe.com`. Any other base URL is its own web address.
 * @module
 */
export function webUrlOf(apiBaseUrl: string): string {
  const url = new URL(apiBaseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '' && (url.hostname === 'api.github.com' || /^api\.[^.]+\.ghe\.com$/.test(url.hostname))) {
    return `${url.protocol}//${url.host.slice('api.'.length)}`;
  }
  return `${url.origin}${path.replace(/\/api\/v3$/, '')}`;
}
