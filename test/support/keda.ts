// KEDA against the test control plane, for the tests that need it (not every cluster test): its
// operator and its metrics API server (the adapter) as processes on loopback, its CRDs, and the
// adapter registered as v1beta1.external.metrics.k8s.io, the API the HPA controller reads KEDA's
// triggers from.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { installCrds } from '../controlplane/crds.js';
import { type ManagedProcess, freePort, launch, logTail, waitUntil } from '../controlplane/processes.js';
import type { Testbin } from '../controlplane/testbin.js';
import { type AggregatedApi, registerAggregatedApi } from './aggregated-api.js';
import type { TestCa } from './test-ca.js';

export interface KedaOptions {
  readonly testbin: Testbin;
  /** Admin credentials: the test's client, and the file both processes read. */
  readonly kubeConfig: KubeConfig;
  readonly kubeconfigPath: string;
  /** Issues the certificate the adapter serves and that operator and adapter share for their mutual-TLS gRPC. */
  readonly ca: TestCa;
}

export interface Keda {
  /** KEDA's own namespace (KEDA_CLUSTER_OBJECT_NAMESPACE), made for this start. */
  readonly namespace: string;
  /** Holds keda-operator.log and keda-adapter.log. */
  readonly directory: string;
  readonly processes: readonly ManagedProcess[];
  /** Unregisters the adapter, stops both processes, and deletes the namespace and the CRDs it installed (not those already there). */
  stop(): Promise<void>;
}

const metricsServerService = 'keda-metrics-apiserver';

/**
 * Starts KEDA as its release manifests run it, with what a pod would have given it set by hand: the
 * namespace by environment, certificates in a directory of its own instead of /certs, and KEDA's
 * certificate rotation off (it would write a Secret and patch the APIService with a CA of its own).
 */
export async function startKeda(options: KedaOptions): Promise<Keda> {
  const { testbin, kubeConfig, kubeconfigPath, ca } = options;
  const namespace = `keda-${randomBytes(3).toString('hex')}`;
  const directory = await mkdtemp(join(tmpdir(), 'crashdesk-keda-'));
  const processes: ManagedProcess[] = [];
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  let installedCrds: string[] = [];
  let registration: AggregatedApi | undefined;

  const stop = async (keepDirectory = false) => {
    // The CRDs first, while KEDA still runs: a CRD goes once its objects have, and a ScaledObject
    // goes once KEDA's operator has removed its finalizer. Until then the CRD is only terminating,
    // and a test that put its own copy back would apply it to the terminating one and see it vanish.
    for (const name of installedCrds) {
      await extensions.deleteCustomResourceDefinition({ name }).catch((error: unknown) => {
        if ((error as { code?: number }).code !== 404) throw new Error(`deleting CRD ${name}`, { cause: error });
      });
    }
    await waitUntil(`the CRDs KEDA installed (${installedCrds.join(', ')}) to be gone`, async () => {
      const left = new Set((await extensions.listCustomResourceDefinition()).items.map((crd) => crd.metadata?.name));
      return installedCrds.every((name) => !left.has(name));
    });
    await registration?.remove();
    for (const managed of [...processes].reverse()) await managed.stop();
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
    if (!keepDirectory) await rm(directory, { recursive: true, force: true });
  };

  try {
    const existingCrds = new Set((await extensions.listCustomResourceDefinition()).items.map((crd) => crd.metadata?.name));
    installedCrds = (await installCrds(kubeConfig, testbin.kedaCrds)).filter((name) => !existingCrds.has(name));
    await core.createNamespace({ body: { metadata: { name: namespace } } });

    // One certificate for all three uses, as KEDA's own rotation makes one: the adapter's HTTPS (the
    // kube-apiserver checks <service>.<namespace>.svc), and both ends of the gRPC between them.
    const certDir = join(directory, 'certs');
    await mkdir(certDir);
    const certificate = await ca.issue('keda', { dnsNames: [`${metricsServerService}.${namespace}.svc`] });
    await copyFile(ca.caFile, join(certDir, 'ca.crt'));
    await copyFile(certificate.certFile, join(certDir, 'tls.crt'));
    await copyFile(certificate.keyFile, join(certDir, 'tls.key'));

    const ports = { grpc: await freePort(), probe: await freePort(), adapter: await freePort(), adapterMetrics: await freePort() };
    const env = { ...process.env, KUBECONFIG: kubeconfigPath, WATCH_NAMESPACE: '', POD_NAMESPACE: namespace, KEDA_CLUSTER_OBJECT_NAMESPACE: namespace };
    const operator = launch(
      'keda-operator',
      testbin.binary('keda-operator'),
      [
        '--leader-elect=false',
        '--enable-cert-rotation=false',
        `--cert-dir=${certDir}`,
        `--ca-dir=${join(directory, 'custom-ca')}`,
        `--metrics-service-bind-address=127.0.0.1:${ports.grpc}`,
        `--health-probe-bind-address=127.0.0.1:${ports.probe}`,
        '--metrics-bind-address=0',
        '--zap-log-level=info',
        '--zap-encoder=console',
      ],
      directory,
      env,
    );
    processes.push(operator);
    await waitUntil('the KEDA operator /readyz', async () => (await fetch(`http://127.0.0.1:${ports.probe}/readyz`)).ok, {
      watch: processes,
      timeoutMs: 60_000,
    });

    const adapter = launch(
      'keda-adapter',
      testbin.binary('keda-adapter'),
      [
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.adapter}`,
        `--cert-dir=${certDir}`,
        `--tls-cert-file=${join(certDir, 'tls.crt')}`,
        `--tls-private-key-file=${join(certDir, 'tls.key')}`,
        `--kubeconfig=${kubeconfigPath}`,
        `--lister-kubeconfig=${kubeconfigPath}`,
        `--authentication-kubeconfig=${kubeconfigPath}`,
        `--authorization-kubeconfig=${kubeconfigPath}`,
        `--metrics-service-address=127.0.0.1:${ports.grpc}`,
        // Its own /metrics listens on every interface (KEDA binds ":port"); a free port at least.
        `--port=${ports.adapterMetrics}`,
        '--zap-log-level=info',
      ],
      directory,
      env,
    );
    processes.push(adapter);
    registration = await registerAggregatedApi(kubeConfig, {
      group: 'external.metrics.k8s.io',
      version: 'v1beta1',
      namespace,
      serviceName: metricsServerService,
      port: ports.adapter,
      caBundle: ca.ca,
      watch: processes,
    });
  } catch (error) {
    const logs = await Promise.all(processes.map(async (p) => `--- ${p.name} (${p.logPath})\n${await logTail(p, 20)}`));
    await stop(true).catch(() => undefined);
    throw new Error(`starting KEDA in ${directory}\n${logs.join('\n')}`, { cause: error });
  }
  return { namespace, directory, processes, stop: () => stop() };
}
