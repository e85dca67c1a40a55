// A City as the API server would store it (defaults applied), for the unit tests.
import { API_VERSION, type City, type CitySpec } from '../../operator/city/types.js';

export function testCity(name: string, spec: Partial<CitySpec> = {}, metadata: Partial<City['metadata']> = {}): City {
  return {
    apiVersion: API_VERSION,
    kind: 'City',
    metadata: { name, namespace: 'platform', uid: `uid-${name}`, generation: 1, resourceVersion: '10', ...metadata },
    spec: {
      role: name === 'hq' ? 'hq' : 'city',
      displayName: name,
      timezone: 'Europe/London',
      api: {
        image: 'registry.example/crashdesk/api:1.0.0',
        replicas: { min: 2, max: 10 },
        resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      },
      scaling: { targetRequestsPerSecond: 50, targetCpuUtilization: 70, scaleDownStabilizationSeconds: 300, schedules: [] },
      ingress: { host: 'crashdesk.example', controllerNamespace: 'ingress-nginx' },
      database: { managed: { instances: 3, storageSize: '20Gi' } },
      cache: {},
      encryption: {
        vaultAddress: 'http://vault.vault.svc:8200',
        transitMount: 'transit',
        authMount: 'kubernetes',
        deleteKeyOnDelete: false,
        blindIndexSecretName: 'crashdesk-blind-index',
      },
      replication: { hq: 'hq', secretName: 'crashdesk-replication', keyVersion: 1 },
      intake: { retentionDays: 7 },
      ...spec,
    },
  };
}
