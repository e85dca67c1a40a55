import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, startApiProcess } from '../support/api-process.js';
import { singleSiteEnvironment } from '../support/single-site-env.js';

const ADMIN_PASSWORD = 'tls-test-admin-password';

/** GET over HTTPS, trusting only the test's own self-signed certificate. */
function httpsGet(port: number, path: string, ca: Buffer): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca, servername: 'localhost' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function exitOf(api: ApiProcess): Promise<number | null> {
  return new Promise((resolve) => (api.child.exitCode === null ? api.child.once('exit', resolve) : resolve(api.child.exitCode)));
}

describe('HTTPS', () => {
  let dir: string;
  let site: Awaited<ReturnType<typeof singleSiteEnvironment>>;
  let cert: string;
  let key: string;
  const started: ApiProcess[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crashdesk-tls-'));
    cert = join(dir, 'cert.pem');
    key = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    site = await singleSiteEnvironment(ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await Promise.all(started.map((api) => api.stop('SIGKILL')));
    await site?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves HTTPS with the configured certificate when TLS_CERT and TLS_KEY are set', async () => {
    const api = await startApiProcess({ ...site.env, TLS_CERT: cert, TLS_KEY: key });
    started.push(api);
    const ca = await readFile(cert);
    let ready: Awaited<ReturnType<typeof httpsGet>> = { status: 0, headers: {}, body: '' };
    for (let attempt = 0; attempt < 300 && ready.status !== 200; attempt += 1) {
      if (api.child.exitCode !== null) throw new Error(`the api exited:\n${api.output()}`);
      ready = await httpsGet(api.port, '/london/readyz', ca).catch(() => ready);
      if (ready.status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ready.status).toBe(200);
    expect(ready.headers['x-content-type-options']).toBe('nosniff');
    expect(api.output()).toContain(`https://127.0.0.1:${api.port}/london/`);
    // Plain HTTP on the same port is not served.
    await expect(fetch(`http://127.0.0.1:${api.port}/london/readyz`)).rejects.toThrow();
  });

  it('refuses to start with only one of TLS_CERT and TLS_KEY, naming the missing one', async () => {
    const api = await startApiProcess({ ...site.env, TLS_CERT: cert });
    expect(await exitOf(api)).toBe(2);
    expect(api.output()).toContain('TLS_KEY: HTTPS needs both TLS_CERT and TLS_KEY');
  });

  it('refuses to start when a TLS file cannot be read, naming it', async () => {
    const api = await startApiProcess({ ...site.env, TLS_CERT: cert, TLS_KEY: join(dir, 'missing.pem') });
    expect(await exitOf(api)).toBe(2);
    expect(api.output()).toContain(`TLS_KEY: cannot read ${join(dir, 'missing.pem')}: ENOENT`);
  });

  it('refuses to start when the key does not belong to the certificate', async () => {
    const otherKey = join(dir, 'other-key.pem');
    await writeFile(otherKey, execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']));
    const api = await startApiProcess({ ...site.env, TLS_CERT: cert, TLS_KEY: otherKey });
    expect(await exitOf(api)).toBe(2);
    expect(api.output()).toContain('TLS_CERT and TLS_KEY are not a usable certificate and private key');
    expect(api.output()).not.toContain('PRIVATE KEY');
  });
});
