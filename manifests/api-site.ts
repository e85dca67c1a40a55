import { INTERNAL_PORT, apiDeployment as sharedApiDeployment, siteLabels } from '../operator/city/api-deployment.js';

export { siteLabels };

export interface ApiSiteProps {
  readonly site: string;
  readonly siteNumber: number;
  readonly image: string;
  readonly replicas: number;
  /** Secret with keys `url` (the api's own role) and `owner-url` (the schema owner, only to migrate): the site's PostgreSQL. */
  readonly databaseSecret: string;
  /** Secret with key `password`: the site's admin password. */
  readonly adminSecret: string;
  /** Secret with key `key`: the platform-wide blind-index key (base64), the same for every site. */
  readonly blindIndexSecret: string;
  /** Field encryption through Vault transit, logging in with the pod's service account. */
  readonly vault: { readonly address: string; readonly role: string; readonly transitMount?: string };
  /** Secret with `tls.crt`, `tls.key` and the peers' CA `ca.crt`: the internal (replication) port's mutual TLS. */
  readonly internalTlsSecret: string;
}

/** The api in single-site mode, built by the operator's own builder (operator/city/api-deployment.ts). */
export function apiDeployment(props: ApiSiteProps) {
  return sharedApiDeployment({
    site: props.site,
    siteNumber: props.siteNumber,
    image: props.image,
    replicas: props.replicas,
    databaseUrl: { name: props.databaseSecret, key: 'url' },
    databaseOwnerUrl: { name: props.databaseSecret, key: 'owner-url' },
    adminPassword: { name: props.adminSecret, key: 'password' },
    blindIndexKey: { name: props.blindIndexSecret, key: 'key' },
    vault: props.vault,
    internalTlsSecret: props.internalTlsSecret,
  });
}

export function apiService(props: Pick<ApiSiteProps, 'site'>) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `crashdesk-api-${props.site}`, labels: siteLabels(props.site) },
    spec: {
      selector: siteLabels(props.site),
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'internal', port: INTERNAL_PORT, targetPort: 'internal' },
      ],
    },
  };
}
