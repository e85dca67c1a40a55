// The api image under a real OCI runtime (podman with runc), as a pod runs it: non-root, read-only
// root filesystem with no writable tmpfs, every capability dropped, against the test PostgreSQL.
import { chown } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImages, type ImageSet } from '../../images/build.js';
import { createPodman, type Podman, podmanEnvironment } from '../../images/podman.js';
import { freePort, launch, logTail, type ManagedProcess } from '../controlplane/processes.js';
import { draftCall, recordAndReadBack, waitUntilReady } from '../support/api-process.js';
import { newReport } from '../support/site.js';
import { singleSiteEnvironment } from '../support/single-site-env.js';

const ADMIN_PASSWORD = 'api-image-admin-password';
let images: ImageSet;
let podman: Podman;
let site: Awaited<ReturnType<typeof singleSiteEnvironment>>;
let container: ManagedProcess | undefined;

beforeAll(async () => {
  podman = await createPodman();
  images = await ensureImages({ log: (line) => console.error(line) });
  site = await singleSiteEnvironment(ADMIN_PASSWORD);
}, 1_200_000);

afterAll(async () => {
  await container?.stop();
  await site?.cleanup();
});

describe('the api image', () => {
  it('is labelled with its source, version and revision, runs as a numeric non-root user, and stays under 200 MB', async () => {
    const config = JSON.parse(await podman.run(['image', 'inspect', '--format', '{{json .Config}}', images.api.name])) as {
      User: string;
      Labels: Record<string, string>;
      Entrypoint: string[];
    };
    expect(config.User).toBe('10001:10001');
    expect(config.Entrypoint).toEqual(['/nodejs/bin/node', 'dist/api/main.js']);
    expect(config.Labels).toMatchObject({ 'org.opencontainers.image.version': images.version, 'org.opencontainers.image.title': 'crashdesk-api' });
    expect(config.Labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}$/);
    expect(config.Labels['org.opencontainers.image.source']).toMatch(/^https:\/\//);
    expect(images.api.sizeBytes).toBeLessThanOrEqual(200_000_000);
  });

  it('holds no shell, no package manager and no development dependency, but the SBOM and the package list', async () => {
    const list = (path: string) =>
      podman
        .run([
          'run',
          '--rm',
          '--entrypoint',
          '/nodejs/bin/node',
          images.api.name,
          '-e',
          `console.log(JSON.stringify(require('fs').readdirSync(${JSON.stringify(path)})))`,
        ])
        .then((out) => JSON.parse(out) as string[]);
    expect(await list('/usr/bin')).toEqual([]);
    expect(await list('/bin').catch(() => [])).not.toContain('sh');
    const modules = await list('/app/node_modules');
    for (const devOnly of ['typescript', 'vitest', 'tsx', 'cdk8s', 'npm']) expect(modules).not.toContain(devOnly);
    expect(await list('/app/sbom')).toEqual(['npm.cdx.json']);
    expect(await list('/var/lib/dpkg/status.d')).toEqual(expect.arrayContaining(['libc6', 'libstdc++6', 'tzdata', 'ca-certificates']));
  });

  it('serves /readyz, records and reads a report against PostgreSQL, and stops cleanly on SIGTERM', async () => {
    // The key file is the site's own secret (mode 0600); in a pod, a mounted Secret owned by the pod's user.
    await chown(dirname(site.env.CRASHDESK_LOCAL_KEY_FILE!), 10001, 10001);
    await chown(site.env.CRASHDESK_LOCAL_KEY_FILE!, 10001, 10001);
    const port = await freePort();
    const env = { ...site.env, CRASHDESK_LOCAL_KEY_FILE: '/keys/keys.json', PORT: String(port), CRASHDESK_INTERNAL_PORT: '0', LOG_LEVEL: 'warn' };
    const args = [
      'run',
      '--rm',
      '--name',
      `crashdesk-api-test-${port}`,
      '--network',
      'host',
      '--read-only',
      '--read-only-tmpfs=false',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--volume',
      `${dirname(site.env.CRASHDESK_LOCAL_KEY_FILE!)}:/keys:ro`,
      ...Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]),
      images.api.name,
    ];
    container = launch('api-image', 'podman', args, dirname(site.env.CRASHDESK_LOCAL_KEY_FILE!), podmanEnvironment());
    const running = container;
    const base = `http://127.0.0.1:${port}`;
    await waitUntilReady(
      base,
      'london',
      () => !running.hasExited(),
      () => logTail(running),
      120_000,
    );
    const report = newReport();
    const read = await recordAndReadBack(base, 'london', ADMIN_PASSWORD, report);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: read.id, policyNumber: report.policyNumber, location: report.location });
    // A Chinese call needs the segmenter's native binary, an optional package the image must keep.
    const drafted = await draftCall(base, 'london', read.agent, {
      transcript: '客服：请问您怎么称呼？\n来电者：我叫王小明。\n客服：保单号呢？\n来电者：幺二三四五六。',
      callDate: '2026-11-21',
    });
    expect(drafted).toMatchObject({ status: 'done', language: 'zh', draft: { drivers: ['王小明'], policyNumber: '123456' } });
    await running.stop();
    expect(await running.exited).toBe('0');
  });
});
