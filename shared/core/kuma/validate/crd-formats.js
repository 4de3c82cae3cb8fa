// The OpenAPI formats Kuma's CRDs use, in plain JavaScript: the run-time Ajv (crd-ajv.ts) and the precompiled
// validators (generated/kuma-crds.js imports this file) check formats with these very definitions.
export const crdFormats = {
  int32: { type: 'number', validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
  int64: { type: 'number', validate: (n) => Number.isSafeInteger(n) },
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
};
