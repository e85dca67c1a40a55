// The kind path cannot run here (no Docker daemon, no registry), but what it applies can be checked:
// its Cities pass the real CRD's schema and CEL rules, its internal CA passes cert-manager's CRDs,
// and its cluster publishes the ingress ports.
import { readFile } from 'node:fs/promises';
import { KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { createTestNamespace, testKubeConfig } from './kube-client.js';
import { createKube, installCityCrd } from './operator-support.js';

const kubeConfig = testKubeConfig();
const files = new URL('../../scripts/kind/', import.meta.url);
let namespace: Awaited<ReturnType<typeof createTestNamespace>>;

beforeAll(async () => {
  await installCityCrd(createKube(kubeConfig));
  namespace = await createTestNamespace(kubeConfig, 'kind-files');
});
afterAll(async () => {
  await namespace?.remove();
});

describe('the kind platform files', () => {
  it('apply Cities hq, london and manchester that the City CRD accepts', async () => {
    const text = (await readFile(new URL('cities.yaml', files), 'utf8')).replaceAll('CRASHDESK_API_IMAGE', 'crashdesk/api:test');
    const cities = parseAllDocuments(text).map((document) => document.toJS() as { metadata: { name: string; namespace: string } });
    expect(cities.map((city) => city.metadata.name)).toEqual(['hq', 'london', 'manchester']);
    const client = KubernetesObjectApi.makeApiClient(kubeConfig);
    for (const city of cities) {
      city.metadata.namespace = namespace.name;
      await client.patch(city as never, undefined, 'All', 'kind-files-test', true, PatchStrategy.ServerSideApply);
    }
  });

  it('declare the ClusterIssuer crashdesk-internal-ca the chart asks for, and its CA, which the cert-manager CRDs accept', async () => {
    const objects = parseAllDocuments(await readFile(new URL('internal-ca.yaml', files), 'utf8')).map(
      (document) => document.toJS() as { kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> },
    );
    const issuer = objects.find((object) => object.kind === 'ClusterIssuer' && object.metadata.name === 'crashdesk-internal-ca');
    expect(issuer?.spec).toEqual({ ca: { secretName: 'crashdesk-internal-ca' } });
    const client = KubernetesObjectApi.makeApiClient(kubeConfig);
    for (const object of objects) {
      if (object.metadata.namespace) object.metadata.namespace = namespace.name;
      await client.patch(object as never, undefined, 'All', 'kind-files-test', true, PatchStrategy.ServerSideApply);
    }
  });

  it('publish ports 80 and 443 from the node labelled for the ingress controller', async () => {
    const config = parse(await readFile(new URL('kind-config.yaml', files), 'utf8')) as {
      nodes: { role: string; extraPortMappings?: { hostPort: number }[]; kubeadmConfigPatches?: string[] }[];
    };
    const ingressNode = config.nodes.find((node) => node.kubeadmConfigPatches?.some((patch) => patch.includes('ingress-ready=true')));
    expect(ingressNode?.extraPortMappings?.map((mapping) => mapping.hostPort)).toEqual([80, 443]);
  });
});
