// A certificate authority for tests, made with the openssl command (Debian's openssl): a CA and
// certificates it issues for 127.0.0.1 and localhost, usable as servers and as clients, so sites
// can talk mutual TLS on loopback.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface IssuedCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface TestCa {
  readonly caFile: string;
  readonly ca: Buffer;
  /**
   * A certificate for `name` (its CN), valid for 127.0.0.1 and localhost, for serving and for calling;
   * `dnsNames` adds names, e.g. the `<service>.<namespace>.svc` the kube-apiserver checks of an aggregated API.
   */
  issue(name: string, options?: { readonly dnsNames?: readonly string[] }): Promise<IssuedCertificate>;
  remove(): Promise<void>;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  await run('openssl', [...args], { cwd }).catch((error: unknown) => {
    throw new Error(`openssl ${args[0]} failed (is Debian's openssl installed?)`, { cause: error });
  });
}

export async function createTestCa(label = 'crashdesk test ca'): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'crashdesk-ca-'));
  const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(['req', '-x509', ...curve, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${label}`], dir);
  return {
    caFile: join(dir, 'ca.crt'),
    ca: await readFile(join(dir, 'ca.crt')),
    async issue(name, { dnsNames = [] } = {}) {
      const altNames = ['DNS:localhost', 'IP:127.0.0.1', ...dnsNames.map((dnsName) => `DNS:${dnsName}`)].join(',');
      await writeFile(join(dir, `${name}.cnf`), `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth,clientAuth\n`);
      await openssl(['req', ...curve, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
      await openssl(
        [
          'x509',
          '-req',
          '-in',
          `${name}.csr`,
          '-CA',
          'ca.crt',
          '-CAkey',
          'ca.key',
          '-CAcreateserial',
          '-out',
          `${name}.crt`,
          '-days',
          '2',
          '-extfile',
          `${name}.cnf`,
        ],
        dir,
      );
      const certFile = join(dir, `${name}.crt`);
      const keyFile = join(dir, `${name}.key`);
      return { certFile, keyFile, cert: await readFile(certFile), key: await readFile(keyFile) };
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
