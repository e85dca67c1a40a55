import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { kwokNodeAnnotation } from './components.js';
import { type ManagedProcess, waitUntil } from './processes.js';

/** Zones the fake nodes are spread over, so topology spread constraints have something to spread. */
const zones = ['zone-a', 'zone-b', 'zone-c'];

export function fakeNode(index: number): V1Node {
  const name = `kwok-node-${index}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { [kwokNodeAnnotation]: 'fake' },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': zones[index % zones.length] ?? 'zone-a',
        type: 'kwok',
      },
    },
  };
}

/** Registers `count` nodes for KWOK to play the kubelet of, and waits until each reports Ready. */
export async function addFakeNodes(kubeConfig: KubeConfig, count: number, watch: readonly ManagedProcess[]): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await Promise.all(Array.from({ length: count }, (_, index) => core.createNode({ body: fakeNode(index) })));
  await waitUntil(
    `${count} KWOK nodes to be Ready`,
    async () => {
      const nodes = await core.listNode({ labelSelector: 'type=kwok' });
      const ready = nodes.items.filter((node) => node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True'));
      return ready.length >= count;
    },
    { watch },
  );
}
