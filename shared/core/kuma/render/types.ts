/**
 * Inputs of the Kuma renderer: one API of the repo config, the `x-kuma` extension, and the rendered files.
 * @module
 */

/** A version of the backing service for traffic splits (canary, blue/green): one Kuma service per version. */
export interface ServiceVersion {
  /** Version name, used as the key of `x-kuma.weights`. */
  name: string;
  /** MeshService of this version; default `<service>-<version>`. */
  service?: string;
  /**
   * Relative weight when `x-kuma.weights` does not say. Either every version has one or none does; without
   * weights one version is marked {@link default}.
   */
  weight?: number;
  /** The version that takes all traffic when `x-kuma.weights` does not say (when no version has a weight). */
  default?: boolean;
}

/** How the platform runs Envoy Gateway: what the API's policies may rely on. */
export interface EnvoyGatewayConfig {
  /**
   * The EnvoyGateway configuration names a rate limit service (`rateLimit.backend`): `x-kuma.rateLimit.scope:
   * global` is allowed. Envoy Gateway rejects global limits without it.
   */
  globalRateLimit?: boolean;
  /**
   * Where `routingType: Service` is set, so the gateway sends to Service ClusterIPs (which Kuma's transparent
   * proxy intercepts) instead of pod IPs (which leave the mesh): `BackendTrafficPolicy` (each route's policy;
   * Envoy Gateway 1.7+, the default) or `EnvoyProxy` (the platform's EnvoyProxy `spec.routingType`; 1.1+).
   */
  routingType?: 'BackendTrafficPolicy' | 'EnvoyProxy';
  /** Namespace of the Envoy proxy pods; default `envoy-gateway-system` (Envoy Gateway's own). */
  namespace?: string;
  /**
   * Labels of the Envoy proxy pods of the parent Gateway; default Envoy Gateway's
   * `gateway.envoyproxy.io/owning-gateway-name` and `-namespace`.
   */
  proxyLabels?: Record<string, string>;
}

/** Where an API is exposed: Kuma's builtin gateway, or Gateway API HTTPRoutes on a delegated gateway. */
export type RenderTargetName = 'kuma-gateway' | 'gateway-api';

/** The Gateway API `Gateway` (owned by the platform team) the HTTPRoutes of a `gateway-api` API attach to. */
export interface ParentGatewayRef {
  name: string;
  /** Default: the namespace of the HTTPRoutes (Gateway API's own default). */
  namespace?: string;
  /** One listener of the Gateway; default: every listener that allows the routes. */
  sectionName?: string;
}

/** One entry of `apis` in `.kuma-api-forge.yaml` (schema: `#/definitions/api`). */
export interface ApiConfig {
  name: string;
  spec: string;
  /** Default: the repo config's `target`, else `kuma-gateway`. */
  target?: RenderTargetName;
  /** The parent Gateway of a `gateway-api` API (required there, refused on `kuma-gateway`). */
  parentRef?: ParentGatewayRef;
  /** Namespace of the HTTPRoutes and their edge policies (`gateway-api`); default the service's namespace. */
  routeNamespace?: string;
  /** MeshGateway that exposes the API; default `gateway`. */
  gateway?: string;
  /**
   * `kuma.io/service` tag of the gateway proxies, allowed to reach the service under mTLS (MeshTrafficPermission
   * `from`). Default: on Kubernetes `<gateway>_<gatewayNamespace>_svc` (a MeshGatewayInstance named like the
   * gateway), on Universal the gateway name.
   */
  gatewayService?: string;
  /** Kubernetes namespace of the gateway's MeshGatewayInstance, for the default `gatewayService`; default `default`. */
  gatewayNamespace?: string;
  /**
   * SPIFFE ID of the gateway proxies on a mesh with MeshIdentity (where Kuma ignores `from`): the permission
   * becomes a `rules` entry allowing exactly this ID. Wins over `gatewayService`.
   */
  gatewaySpiffeId?: string;
  hostnames?: string[];
  /** The one path prefix of every operation at the gateway; default every server's path (routing/server-paths.ts). */
  basePath?: string;
  /** Prefix that replaces `basePath` on the way to the service (literal paths only, see the README, "How a spec becomes Kuma resources"). */
  rewrite?: string;
  service?: {
    name?: string;
    namespace?: string;
    port?: number;
    versions?: ServiceVersion[];
    /**
     * Labels every pod of the service (all versions) carries, e.g. its Deployment's selector: the Kuma 3.x
     * handle on "the backend's proxies" (`targetRef: {kind: Dataplane, labels}`). Default `app: <service name>`.
     */
    podLabels?: Record<string, string>;
  };
  /** Envoy Gateway settings, for the `gateway-api` target. */
  envoyGateway?: EnvoyGatewayConfig;
  /** Defaults for `x-kuma` keys of this API; the spec's own `x-kuma` wins. */
  defaults?: XKumaRoot;
  /**
   * OIDC login at the gateway (target `gateway-api`), by security scheme name: for `openIdConnect` schemes and
   * `oauth2` schemes with an authorization-code flow. The client secret is referenced by Secret name only.
   */
  oidc?: Record<string, OidcClient>;
  /**
   * API keys at the gateway (target `gateway-api`), by `apiKey` security scheme name: the Secrets that hold the
   * keys (one key per client ID). Keys themselves are never written into the config or the spec.
   */
  apiKeys?: Record<string, ApiKeySecrets>;
}

/** A Kubernetes Secret in the namespace of the API's routes, by name. */
export interface SecretRef {
  name: string;
}

/** The OIDC client the gateway logs users in with (Envoy Gateway SecurityPolicy `oidc`). */
export interface OidcClient {
  clientId: string;
  /** Secret with the client secret under the key `client-secret`. */
  clientSecretRef: SecretRef;
  /** The provider's issuer URL (https); default: the scheme's `openIdConnectUrl` without `/.well-known/openid-configuration`. */
  issuer?: string;
  /** Where the provider sends the user back; default Envoy Gateway's `<scheme>://<host>/oauth2/callback`. */
  redirectUrl?: string;
  /** Path that logs the user out; default Envoy Gateway's `/logout`. */
  logoutPath?: string;
}

/** Where the gateway finds the keys of an `apiKey` scheme (Envoy Gateway SecurityPolicy `apiKeyAuth`). */
export interface ApiKeySecrets {
  /** Secrets with one key per client ID (the data key is the client ID, its value the API key). */
  secretRefs: SecretRef[];
}

/**
 * CORS at the gateway (`x-kuma.cors`). Only the `gateway-api` target can express it: the builtin gateway has no
 * CORS filter and answers a preflight with 404.
 */
export interface CorsSettings {
  /** Allowed origins: `https://app.example.com`, `https://*.example.com`, or `*` (never with credentials). */
  origins: string[];
  /** Allowed methods; default the methods of the path's CORS-enabled operations. */
  methods?: string[];
  /** Allowed request headers; default the header parameters the path's CORS-enabled operations declare (plus Content-Type for a body and their auth headers). */
  headers?: string[];
  /** Response headers scripts may read. */
  exposeHeaders?: string[];
  /** How long browsers may cache a preflight answer (whole seconds on Gateway API, at least 1). */
  maxAge?: string;
  /** Allow cookies and Authorization headers on cross-origin requests. */
  credentials?: boolean;
}

export interface HeaderChanges {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

/** `x-kuma` keys that apply per operation (path item, operation, and root). */
export interface XKumaRoute {
  disabled?: boolean;
  timeout?: string;
  idleTimeout?: string;
  retries?: {
    attempts: number;
    perTryTimeout?: string;
    backOff?: { base?: string; max?: string };
    on?: (string | number)[];
    nonIdempotent?: boolean;
  };
  rateLimit?: {
    requests: number;
    interval: string;
    status?: number;
    /** `local` (default): per gateway replica; `global`: across replicas (gateway-api target only). */
    scope?: 'local' | 'global';
  };
  /** Fault injection for resilience tests: delay and/or abort a share of the requests. */
  faultInjection?: {
    delay?: { duration: string; percentage?: number };
    abort?: { status: number; percentage?: number };
  };
  requestHeaders?: HeaderChanges;
  responseHeaders?: HeaderChanges;
  weights?: Record<string, number>;
  /**
   * Pins the name of the operation's MeshHTTPRoute (`<api>-<route>`, path item or operation only): operations
   * that pin one name share that route, and must have equal timeout, retries and rate limit.
   */
  route?: string;
  cors?: CorsSettings;
}

export interface JwtProvider {
  issuer: string;
  jwksUri: string;
  audiences?: string[];
  forward?: boolean;
}

/** Root `x-kuma` (and config defaults): route keys plus the gateway- and backend-wide ones. */
export interface XKumaRoot extends XKumaRoute {
  auth?: Record<string, JwtProvider>;
  circuitBreaker?: {
    maxConnections?: number;
    maxPendingRequests?: number;
    maxRequests?: number;
    consecutiveErrors?: number;
    interval?: string;
    baseEjectionTime?: string;
    maxEjectionPercent?: number;
  };
  healthCheck?: {
    path: string;
    interval?: string;
    timeout?: string;
    unhealthyThreshold?: number;
    healthyThreshold?: number;
  };
  accessLog?: { file?: string; tcp?: string };
  trace?: { zipkin?: string; openTelemetry?: string; sampling?: number };
}

/** One rendered file: path relative to the API's output folder, and its exact bytes. */
export interface ManifestFile {
  path: string;
  content: string;
}

export type ManifestFormat = 'k8s' | 'universal';

/** Provenance written into every file's header. */
export interface ManifestHeader {
  /** `owner/repo` of the source repo, when known. */
  repo?: string;
  /** Entry file of the spec, relative to the repo root. */
  spec: string;
  commit?: string;
}
