import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** File names written by the `testpki` binary; each client identity has `<name>.crt` and `<name>.key`. */
export type ClientIdentity = 'admin' | 'kube-controller-manager' | 'kube-scheduler' | 'front-proxy-client';

export interface Pki {
  readonly dir: string;
  readonly caFile: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  readonly serviceAccountKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
  certFile(identity: ClientIdentity): string;
  keyFile(identity: ClientIdentity): string;
}

export async function createPki(testpkiBinary: string, dir: string, serviceIp: string): Promise<Pki> {
  await mkdir(dir, { recursive: true });
  await run(testpkiBinary, ['-dir', dir, '-service-ip', serviceIp]);
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    servingCertFile: join(dir, 'apiserver.crt'),
    servingKeyFile: join(dir, 'apiserver.key'),
    serviceAccountKeyFile: join(dir, 'service-account.key'),
    serviceAccountPublicKeyFile: join(dir, 'service-account.pub'),
    certFile: (identity) => join(dir, `${identity}.crt`),
    keyFile: (identity) => join(dir, `${identity}.key`),
  };
}

/** Writes a kubeconfig with the certificates embedded, so it stays valid if copied elsewhere. */
export async function writeKubeconfig(path: string, server: string, pki: Pki, identity: ClientIdentity): Promise<void> {
  const base64 = async (file: string) => (await readFile(file)).toString('base64');
  // JSON is valid YAML, and every Kubernetes client reads it.
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'crashdesk-test', cluster: { server, 'certificate-authority-data': await base64(pki.caFile) } }],
    users: [
      {
        name: identity,
        user: {
          'client-certificate-data': await base64(pki.certFile(identity)),
          'client-key-data': await base64(pki.keyFile(identity)),
        },
      },
    ],
    contexts: [{ name: 'crashdesk-test', context: { cluster: 'crashdesk-test', user: identity } }],
    'current-context': 'crashdesk-test',
  };
  await writeFile(path, `${JSON.stringify(kubeconfig, null, 2)}\n`, { mode: 0o600 });
}

export interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export async function clientTls(pki: Pki, identity: ClientIdentity): Promise<TlsMaterial> {
  const [ca, cert, key] = await Promise.all([readFile(pki.caFile), readFile(pki.certFile(identity)), readFile(pki.keyFile(identity))]);
  return { ca, cert, key };
}

/**
 * GETs a health endpoint and reports whether it answered 200. Without a CA the server's
 * certificate is not checked: the controller-manager and scheduler serve a self-signed one on
 * loopback, and only their health is asked for.
 */
export function httpsOk(url: string, tls: TlsMaterial = {}): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, rejectUnauthorized: tls.ca !== undefined, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy(new Error(`${url} did not answer within 2 s`)));
    req.once('error', reject);
    req.end();
  });
}
