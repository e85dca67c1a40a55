// The City resource as the operator reads it. The CRD's structural schema (crd.ts) fills the
// defaults, so every field marked required here is present on any City the API server stored.

export const GROUP = 'crashdesk.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'City';
export const PLURAL = 'cities';
/** The one field manager of every object the operator applies. */
export const FIELD_MANAGER = 'crashdesk-operator';
export const FINALIZER = 'crashdesk.io/vault-cleanup';
/** Where a city's site number lives once allocated: on the City itself, so it survives status loss. */
export const SITE_NUMBER_ANNOTATION = 'crashdesk.io/site-number';

/** The namespace's platform replication secret: hq signs with it, the operator derives each city's key from it. */
export const PLATFORM_REPLICATION_SECRET = 'crashdesk-replication';

export type Role = 'hq' | 'city';

export interface ScheduleWindow {
  readonly name: string;
  /** Days the window applies, `mon`..`sun`; empty means every day. */
  readonly days: readonly string[];
  /** `HH:MM`, in the City's timezone; a window whose end is before its start runs past midnight. */
  readonly start: string;
  readonly end: string;
  readonly minReplicas: number;
}

export interface ResourceList {
  readonly cpu?: string;
  readonly memory?: string;
}

export interface CitySpec {
  readonly role: Role;
  readonly displayName: string;
  readonly timezone: string;
  readonly api: {
    readonly image: string;
    readonly replicas: { readonly min: number; readonly max: number };
    readonly resources: { readonly requests: ResourceList; readonly limits: ResourceList };
  };
  readonly scaling: {
    readonly targetRequestsPerSecond: number;
    readonly targetCpuUtilization: number;
    /** How long lower wishes must hold before pods are given back (the HPA's scale-down stabilisation). */
    readonly scaleDownStabilizationSeconds: number;
    readonly schedules: readonly ScheduleWindow[];
    /** Where KEDA asks for the site's requests per second; unset: the operator's (OPERATOR_PROMETHEUS_ADDRESS). */
    readonly prometheusAddress?: string;
    /** Namespaces of the City's own Prometheus, admitted to scrape the api besides the operator's (OPERATOR_PROMETHEUS_NAMESPACES). */
    readonly prometheusNamespaces?: readonly string[];
  };
  readonly ingress: {
    readonly host: string;
    /** Refused unless `/{name}` (CEL rule ingress-path-is-site); the operator always serves `/{name}`. */
    readonly path?: string;
    readonly className?: string;
    /** Required unless the operator runs on a development cluster (rule ingress-tls-required). */
    readonly tlsSecretName?: string;
    /** The ingress controller's namespace: its pods, and Prometheus's (to scrape), are the only ones that may reach the api's http port. */
    readonly controllerNamespace: string;
  };
  readonly database: {
    readonly managed?: { readonly instances: number; readonly storageSize: string; readonly storageClass?: string };
    readonly external?: { readonly secretName: string; readonly urlKey: string; readonly ownerUrlKey?: string };
  };
  readonly cache: {
    readonly managed?: { readonly image: string; readonly memory: string };
    readonly url?: string;
  };
  readonly encryption: {
    /** One of the operator's allowed Vault addresses (rule vault-address-allowed); unset: the operator's own. */
    readonly vaultAddress?: string;
    readonly transitMount: string;
    /**
     * Refused since the operator derives every Vault name (CEL rule vault-names-derived); a City
     * stored before may still carry them, and the operator reads them only to adopt its Vault objects.
     */
    readonly keyName?: string;
    readonly authRole?: string;
    readonly authMount: string;
    /** The key outlives the City unless this is true, and even then only a key the operator created. */
    readonly deleteKeyOnDelete: boolean;
    /** Secret (key `key`) holding the platform-wide blind-index key, the same for every City. */
    readonly blindIndexSecretName: string;
  };
  /**
   * The internal (replication) port's certificate: from cert-manager (a Certificate the operator
   * makes, issued by the operator's issuer) unless the City names a Secret of its own, with
   * `tls.crt`, `tls.key` and the peers' CA in `ca.crt`.
   */
  readonly internalTls?: { readonly secretName?: string };
  readonly replication: {
    /** The hq City's name; cities ship to it. */
    readonly hq: string;
    /** Secret (key `secret`) holding the platform's replication secret, read by hq and by the operator. */
    readonly secretName: string;
    /**
     * A city's key version: hq's `replication:cities rotate` gives a city a new one; set it here
     * and the operator derives that key, so the pods roll onto it while hq still accepts the old.
     */
    readonly keyVersion: number;
  };
  /** Intake assist: how long calls and drafts are kept, and the customer's language model, if any. */
  readonly intake: {
    readonly retentionDays: number;
    readonly llm?: {
      /** An OpenAI-compatible chat-completions base URL, e.g. `http://llm.models.svc:8000/v1`. */
      readonly url: string;
      readonly model: string;
      readonly timeoutMs: number;
      /** A Secret of the City's namespace whose key `apiKey` is sent as the bearer token. */
      readonly apiKeySecretName?: string;
    };
  };
}

export interface Condition {
  readonly type: ConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number;
  readonly lastTransitionTime: string;
}

export const CONDITION_TYPES = ['Ready', 'DatabaseReady', 'ApiAvailable', 'EncryptionReady', 'ReplicationConfigured', 'ScalingConfigured'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

export interface CityStatus {
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition[];
  readonly endpoint?: string;
  readonly replicas?: number;
  readonly siteNumber?: number;
  /** The transit key the City's data is sealed with, as Vault's record says (see city/vault.ts). */
  readonly transitKey?: string;
}

export interface City {
  readonly apiVersion: typeof API_VERSION;
  readonly kind: typeof KIND;
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly uid: string;
    readonly creationTimestamp?: string;
    readonly generation: number;
    readonly resourceVersion?: string;
    readonly deletionTimestamp?: string;
    readonly finalizers?: readonly string[];
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec: CitySpec;
  readonly status?: CityStatus;
}

/** Names derived from a City, in one place so builders, reconcile and tests agree. */
export function cityNames(city: Pick<City, 'metadata'>) {
  const { name, namespace } = city.metadata;
  const base = `crashdesk-api-${name}`;
  // The Vault policy and role, and the transit key of a City created since names were derived.
  const vault = `crashdesk-${namespace}-${name}`;
  return {
    site: name,
    api: base,
    serviceAccount: base,
    database: `crashdesk-${name}-db`,
    /** The api's own login to a managed database (a CloudNativePG managed role); the owner is CloudNativePG's `-app`. */
    databaseLogin: `crashdesk-${name}-db-api`,
    cache: `crashdesk-${name}-cache`,
    replicationSecret: `crashdesk-${name}-replication`,
    adminSecret: `crashdesk-${name}-admin`,
    certificate: `${base}-internal`,
    /** cert-manager writes the internal port's certificate here (unless the City names its own Secret). */
    certificateSecret: `${base}-internal-tls`,
    path: `/${name}`,
    vaultRole: vault,
    vaultPolicy: vault,
    transitKey: vault,
  };
}
