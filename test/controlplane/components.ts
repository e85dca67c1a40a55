// Command lines of the control-plane components: pure functions of ports and file locations, so
// what runs can be read in one place.
import { join } from 'node:path';
import type { Pki } from './pki.js';

export const serviceClusterIpRange = '10.0.0.0/24';
/** First address of the service range: the `kubernetes` Service, named in the serving certificate. */
export const kubernetesServiceIp = '10.0.0.1';
const podCidr = '10.244.0.0/16';
const serviceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';

export interface Ports {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiserver: number;
  readonly controllerManager: number;
  readonly scheduler: number;
  readonly kwok: number;
}

export function etcdArgs(ports: Ports, dir: string): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    '--name=default',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=default=${peer}`,
    // Throwaway data: skipping fsync makes every write as fast as the page cache.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

export function apiserverArgs(ports: Ports, pki: Pki): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    `--tls-cert-file=${pki.servingCertFile}`,
    `--tls-private-key-file=${pki.servingKeyFile}`,
    `--client-ca-file=${pki.caFile}`,
    '--authorization-mode=Node,RBAC',
    `--service-account-issuer=${serviceAccountIssuer}`,
    `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`,
    `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
    `--service-cluster-ip-range=${serviceClusterIpRange}`,
    // The `kubernetes` Service cannot point at a loopback address (validation refuses it, every
    // few seconds); nothing runs in pods here that would use it.
    '--endpoint-reconciler-type=none',
    // Request-header authentication, as kubeadm sets it up: the controller-manager and scheduler
    // read this CA from kube-system/extension-apiserver-authentication and complain without it.
    `--requestheader-client-ca-file=${pki.caFile}`,
    '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki.certFile('front-proxy-client')}`,
    `--proxy-client-key-file=${pki.keyFile('front-proxy-client')}`,
    '--allow-privileged=true',
    '--profiling=false',
  ];
}

function delegatedAuthArgs(kubeconfigPath: string, port: number, certDir: string): string[] {
  return [
    `--kubeconfig=${kubeconfigPath}`,
    `--authentication-kubeconfig=${kubeconfigPath}`,
    `--authorization-kubeconfig=${kubeconfigPath}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${certDir}`,
    // One instance of each: leader election would only add a lease round-trip to start-up.
    '--leader-elect=false',
  ];
}

export function controllerManagerArgs(ports: Ports, pki: Pki, kubeconfigPath: string, dir: string): string[] {
  return [
    ...delegatedAuthArgs(kubeconfigPath, ports.controllerManager, join(dir, 'kube-controller-manager')),
    // Each controller acts as its own service account, as in a real cluster, so RBAC is exercised.
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki.serviceAccountKeyFile}`,
    `--root-ca-file=${pki.caFile}`,
    `--cluster-signing-cert-file=${pki.caFile}`,
    `--cluster-signing-key-file=${join(pki.dir, 'ca.key')}`,
    `--service-cluster-ip-range=${serviceClusterIpRange}`,
  ];
}

export function schedulerArgs(ports: Ports, kubeconfigPath: string, dir: string): string[] {
  return delegatedAuthArgs(kubeconfigPath, ports.scheduler, join(dir, 'kube-scheduler'));
}

/** Annotation that marks the nodes KWOK plays the kubelet for. */
export const kwokNodeAnnotation = 'kwok.x-k8s.io/node';

export function kwokArgs(ports: Ports, kubeconfigPath: string, stagesPath: string): string[] {
  return [
    `--kubeconfig=${kubeconfigPath}`,
    `--config=${stagesPath}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation}=fake`,
    `--server-address=127.0.0.1:${ports.kwok}`,
    // The fake nodes' kubelet endpoint is KWOK's own loopback server, so a stray `kubectl logs`
    // reaches it instead of some made-up address.
    '--node-ip=127.0.0.1',
    `--node-port=${ports.kwok}`,
    `--cidr=${podCidr}`,
    // Nodes renew a Lease, so the node lifecycle controller never marks them unreachable.
    '--node-lease-duration-seconds=40',
  ];
}
