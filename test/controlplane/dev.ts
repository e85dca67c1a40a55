// `npm run dev:cluster`: the tests' control plane in the foreground, for trying the operator
// without Docker. Ctrl-C stops every component and removes its state.
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startControlPlane } from './cluster.js';
import { upstreamCrdDirectory } from './crds.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    'keep-state': { type: 'boolean', default: false },
  },
});
const nodes = Number(values.nodes);
if (!Number.isInteger(nodes) || nodes < 1) throw new Error(`--nodes must be a positive integer, not ${values.nodes}`);

const controlPlane = await startControlPlane({
  nodes,
  vault: true,
  crdDirectory: upstreamCrdDirectory,
  keepDirectory: values['keep-state'],
});

console.log(`
Control plane ready in ${(controlPlane.startedInMs / 1000).toFixed(1)} s (${nodes} KWOK nodes, upstream CRDs installed).
Logs and state: ${controlPlane.directory}

  export KUBECONFIG=${controlPlane.kubeconfigPath}
  export PATH=${dirname(controlPlane.kubectl)}:$PATH   # a kubectl of the same version
  export VAULT_ADDR=${controlPlane.vault?.address ?? ''}
  export VAULT_TOKEN=${controlPlane.vault?.token ?? ''}

Press Ctrl-C to stop.`);

let stopping = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the control plane`);
  controlPlane.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(new Error('stopping the control plane', { cause: error }));
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
