/**
 * Kuma rendering: OpenAPI + repo config → Kuma 2.x gateway resources, and their manifest files.
 * @module
 */
export { type RenderInput, type RenderResult, renderApi, systemNamespace } from './render-api.js';
export { joinManifests, serializeResources } from './serialize-resources.js';
export type * from './types.js';
export { validateXKuma } from './x-kuma.js';
