/**
 * Object metadata as Kubernetes and Kuma check it: names, namespace, mesh and labels.
 * Names are DNS-1123 and at most 63 characters: Kuma copies a resource's name into the
 * `kuma.io/display-name` label, and label values are limited to 63.
 * @module
 */
import type { KumaResource } from '../resource.js';
import { isClusterScoped } from './crd-schema.js';
import { joinPath, type Report } from './problem.js';

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Labels Kuma's mutating webhook computes and overwrites; authoring them only causes GitOps drift. */
const computedLabels = [
  'kuma.io/policy-role',
  'kuma.io/env',
  'k8s.kuma.io/namespace',
  'kuma.io/display-name',
];
export const systemNamespace = 'kuma-system';

export function checkMeta(resource: KumaResource, report: Report): void {
  const { name, namespace, mesh, kind } = resource;
  if (!name) report('name', 'must be set', 'name');
  else if (name.length > 63 || !dns1123Subdomain.test(name)) {
    report('name', `'${name}' must be a lower-case DNS-1123 name of at most 63 characters`, 'name');
  }
  if (!mesh || !dns1123Label.test(mesh) || mesh.length > 63) {
    report('mesh', `'${mesh}' must be a lower-case DNS-1123 label (mesh: cannot be empty)`, 'mesh');
  }
  if (isClusterScoped(kind) && namespace !== undefined) {
    report('namespace', `${kind} is cluster-scoped and takes no namespace`, 'namespace');
  } else if (namespace !== undefined && (!dns1123Label.test(namespace) || namespace.length > 63)) {
    report('namespace', `'${namespace}' must be a lower-case DNS-1123 label`, 'namespace');
  }
  for (const [key, value] of Object.entries(resource.labels ?? {})) {
    const at = joinPath('labels', key);
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : '';
    const local = key.slice(slash + 1);
    if ((slash >= 0 && !dns1123Subdomain.test(prefix)) || local.length > 63 || !labelName.test(local)) {
      report(at, 'not a valid Kubernetes label key', 'labels');
    }
    if (value.length > 63 || !labelValue.test(value))
      report(at, `'${value}' is not a valid label value`, 'labels');
    if (key === 'kuma.io/origin' && value !== 'zone' && value !== 'global') {
      report(at, "must be 'zone' or 'global'", 'labels');
    }
    if (key === 'kuma.io/mesh' && value !== mesh)
      report(at, `must equal the resource's mesh '${mesh}'`, 'labels');
    if (computedLabels.includes(key)) report(at, 'is computed by Kuma; do not set it', 'labels');
  }
}

/** Role `system`: Universal resources (no namespace) and policies in the control plane's namespace. */
export function isSystemRole(resource: KumaResource): boolean {
  return resource.namespace === undefined || resource.namespace === systemNamespace;
}
