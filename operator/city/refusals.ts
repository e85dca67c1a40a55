// The rules a City must meet that the CRD's CEL rules cannot check, because they depend on the
// operator's configuration or on other Cities: pure functions of the City and what the operator
// knows. A refused City gets no children and no Vault objects; its status and an event name the rule.
import { vaultOrigin } from '../vault-http.js';
import { type City, cityNames } from './types.js';

export interface Refusal {
  /** The condition reason: `VaultAddressNotAllowed`, `IngressTlsRequired`, `IngressPathTaken`, … */
  readonly reason: string;
  /** The rule's name, which every message carries as `(rule …)`. */
  readonly rule: string;
  readonly message: string;
}

/** A refusal found while acting (Vault's records say a name is another City's), thrown to reconcile. */
export class RefusedError extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.message);
  }
}

export const refusal = (reason: string, rule: string, message: string): Refusal => ({ reason, rule, message: `${message} (rule ${rule})` });

/** Where the operator sends a City's Vault requests, and which addresses a City may choose instead. */
export interface VaultAddresses {
  /** The operator's own Vault (VAULT_ADDR): a City without encryption.vaultAddress uses it. */
  readonly address: string;
  /** VAULT_ADDR and VAULT_ALLOWED_ADDRESSES. */
  readonly allowed: readonly string[];
}

export function vaultAddressOf(city: City, vault: VaultAddresses): string {
  return city.spec.encryption.vaultAddress ?? vault.address;
}

export function vaultAddressAllowed(city: City, vault: VaultAddresses): boolean {
  const address = vaultAddressOf(city, vault);
  return vault.allowed.some((allowed) => vaultOrigin(allowed) === vaultOrigin(address));
}

export interface AdmissionContext {
  readonly vault: VaultAddresses;
  /** A development cluster (the chart's `developmentCluster`) may serve Cities over plain HTTP. */
  readonly developmentCluster: boolean;
  /** Every City the operator reconciles, in every namespace it watches. */
  readonly cities: readonly City[];
  /** Whether cert-manager's Certificate CRD is installed, so the operator can have internal certificates issued. */
  readonly certificates: boolean;
}

/** Every rule the City breaks, in a fixed order; empty when it may be reconciled. */
export function refusalsOf(city: City, context: AdmissionContext): Refusal[] {
  const refusals: Refusal[] = [];
  if (!vaultAddressAllowed(city, context.vault)) {
    const address = vaultAddressOf(city, context.vault);
    refusals.push(
      refusal(
        'VaultAddressNotAllowed',
        'vault-address-allowed',
        `encryption.vaultAddress ${address} is not one of the Vault addresses the operator allows (${context.vault.allowed.join(', ')})`,
      ),
    );
  }
  if (!city.spec.ingress.tlsSecretName && !context.developmentCluster) {
    refusals.push(
      refusal('IngressTlsRequired', 'ingress-tls-required', 'ingress.tlsSecretName is required: Cities are served over HTTPS except on a development cluster'),
    );
  }
  if (!context.certificates && !city.spec.internalTls?.secretName) {
    refusals.push(
      refusal(
        'InternalTlsMissing',
        'internal-tls-source',
        'the internal port needs a certificate: install cert-manager (the operator then has one issued) or name a Secret in internalTls.secretName',
      ),
    );
  }
  const holder = pathHolder(city, context.cities);
  if (holder) {
    refusals.push(
      refusal(
        'IngressPathTaken',
        'ingress-path-unique',
        `${city.spec.ingress.host}${cityNames(city).path} is already served for City ${holder.metadata.namespace}/${holder.metadata.name}`,
      ),
    );
  }
  return refusals;
}

/**
 * The City that holds the same host and path in another namespace, if it came first (created
 * earlier, or at the same second and first by namespace): one of two colliding Cities keeps serving.
 */
function pathHolder(city: City, cities: readonly City[]): City | undefined {
  const order = (candidate: City) => `${candidate.metadata.creationTimestamp ?? ''}|${candidate.metadata.namespace}`;
  return cities.find(
    (other) =>
      other.metadata.uid !== city.metadata.uid &&
      other.metadata.name === city.metadata.name &&
      other.spec.ingress.host === city.spec.ingress.host &&
      order(other) < order(city),
  );
}
