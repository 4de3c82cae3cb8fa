/**
 * The admission rules of MeshOpenTelemetryBackend (kumahq/kuma v2.14.3
 * `pkg/core/resources/apis/meshopentelemetrybackend/api/v1alpha1/validator.go`) that its CRD schema does not
 * express: the address an IP or a DNS name (govalidator's `IsIP`/`IsDNSName`), the port 1-65535, a path only
 * with protocol http, starting with `/` and without query or fragment.
 * @module
 */
import { isIpAddress } from './kuma-formats.js';
import { asObject, type Json, type Report } from './problem.js';

/** govalidator's `DNSName` pattern. */
const dnsName = /^([a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})(\.[a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})*[._]?$/;

/** govalidator `IsIP(s) || IsDNSName(s)`: what Kuma accepts as a collector address. */
export function isCollectorAddress(address: string): boolean {
  if (isIpAddress(address)) return true;
  return address !== '' && address.replaceAll('.', '').length <= 255 && dnsName.test(address);
}

export function checkMeshOpenTelemetryBackend(spec: Json, report: Report): void {
  const endpoint = asObject(spec.endpoint);
  if (!endpoint) return;
  const { address, port, path } = endpoint;
  if (address === '') report('spec.endpoint.address', 'must not be empty', 'otel-backend-address');
  else if (typeof address === 'string' && !isCollectorAddress(address))
    report('spec.endpoint.address', 'address has to be a valid IP or hostname', 'otel-backend-address');
  if (typeof port === 'number' && (port < 1 || port > 65535))
    report('spec.endpoint.port', 'port must be a valid (1-65535)', 'otel-backend-port');
  if (typeof path !== 'string' || path === '') return;
  if ((spec.protocol ?? 'grpc') === 'grpc')
    report('spec.endpoint.path', 'must not be set when protocol is grpc', 'otel-backend-path');
  else {
    if (!path.startsWith('/')) report('spec.endpoint.path', 'must start with /', 'otel-backend-path');
    if (/[?#]/.test(path))
      report('spec.endpoint.path', 'must not contain query or fragment', 'otel-backend-path');
  }
}
