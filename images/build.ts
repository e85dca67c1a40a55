// Builds the api and operator images from the repository's Dockerfile with podman, on the bases of
// images/base-images.ts. An image already built from the same inputs is reused, so CI's
// `npm run images` and the tests that run the images build once between them.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ensureBaseImages, imageCacheRoot } from './base-images.js';
import { completion, createPodman, type Podman } from './podman.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SOURCE_HASH_LABEL = 'io.crashdesk.source-hash';
export const IMAGE_REPOSITORIES = { api: 'localhost/crashdesk/api', operator: 'localhost/crashdesk/operator' } as const;
type Target = keyof typeof IMAGE_REPOSITORIES;

/** What the Dockerfile copies: a change to any of these makes new images. */
const BUILD_INPUTS = [
  'Dockerfile',
  '.dockerignore',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'scripts/build.mjs',
  'api',
  'operator',
];

export interface BuiltImage {
  readonly name: string;
  readonly sizeBytes: number;
}

export interface ImageSet {
  /** `git describe --tags --always --dirty`, the images' tag and OCI version. */
  readonly version: string;
  readonly api: BuiltImage;
  readonly operator: BuiltImage;
  readonly runtimePackages: readonly string[];
  readonly rebuilt: boolean;
}

export interface BuildOptions {
  readonly log?: (line: string) => void;
  /** Rebuild the images (and, with refreshBase, the bases) even when they are up to date. */
  readonly force?: boolean;
  readonly refreshBase?: boolean;
}

export async function ensureImages({ log = console.error, force = false, refreshBase = false }: BuildOptions = {}): Promise<ImageSet> {
  const podman = await createPodman();
  // One build at a time on a machine: two test projects asking at once share the first one's result.
  return withBuildLock(async () => {
    const base = await ensureBaseImages(podman, { log, refresh: refreshBase });
    const version = await git(['describe', '--tags', '--always', '--dirty']).catch(() => 'dev');
    const revision = await git(['rev-parse', 'HEAD']).catch(() => 'unknown');
    const sourceHash = await hashBuildInputs(base.key);
    const names = { api: `${IMAGE_REPOSITORIES.api}:${version}`, operator: `${IMAGE_REPOSITORIES.operator}:${version}` };
    const upToDate = async (target: Target) => (await podman.imageLabel(names[target], SOURCE_HASH_LABEL)) === sourceHash;
    const rebuild = force || !(await upToDate('api')) || !(await upToDate('operator'));
    if (rebuild) {
      const buildArgs = {
        BUILD_BASE: base.build,
        RUNTIME_BASE: base.runtime,
        VERSION: version,
        REVISION: revision,
        CREATED: new Date().toISOString(),
      };
      // The operator first: the api build then finds every shared stage in podman's layer cache.
      for (const target of ['operator', 'api'] as const) {
        log(`images: building ${names[target]}`);
        await buildTarget(podman, target, names[target], buildArgs, sourceHash);
      }
      await pruneOlderImages(podman, version, log);
    } else {
      log(`images: ${names.api} and ${names.operator} are up to date`);
    }
    return {
      version,
      api: { name: names.api, sizeBytes: await podman.imageSize(names.api) },
      operator: { name: names.operator, sizeBytes: await podman.imageSize(names.operator) },
      runtimePackages: base.runtimePackages,
      rebuilt: rebuild,
    };
  });
}

async function buildTarget(podman: Podman, target: Target, name: string, buildArgs: Record<string, string>, sourceHash: string): Promise<void> {
  const args = [
    'build',
    '--file',
    'Dockerfile',
    '--target',
    target,
    '--tag',
    name,
    '--tag',
    `${IMAGE_REPOSITORIES[target]}:latest`,
    '--label',
    `${SOURCE_HASH_LABEL}=${sourceHash}`,
    // Also given as labels here, not only as the Dockerfile's ARGs: buildah's layer cache reuses a LABEL step
    // whose ARG values changed, so a commit that changes nothing the image holds got the last build's version.
    ...['version', 'revision', 'created'].flatMap((key) => ['--label', `org.opencontainers.image.${key}=${buildArgs[key.toUpperCase()]}`]),
    // The build stage's npm ci reaches the registry through the host's network.
    '--network',
    'host',
    '--layers',
    // A TLS-inspecting proxy's CA that this machine's Node trusts, lent to the build's npm only.
    ...(process.env.NODE_EXTRA_CA_CERTS ? ['--secret', `id=build-ca,src=${process.env.NODE_EXTRA_CA_CERTS}`] : []),
    ...Object.entries(buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    '.',
  ];
  await completion(podman.spawn(args, { cwd: ROOT }), `podman build --target ${target}`);
}

/** Every build of another commit leaves two images and its stages behind; a build machine keeps only the newest. */
async function pruneOlderImages(podman: Podman, keepVersion: string, log: (line: string) => void): Promise<void> {
  for (const repository of Object.values(IMAGE_REPOSITORIES)) {
    const tags = (await podman.run(['images', '--filter', `reference=${repository}`, '--format', '{{.Tag}}'])).split('\n').filter((tag) => tag !== '');
    const stale = tags.filter((tag) => tag !== keepVersion && tag !== 'latest').map((tag) => `${repository}:${tag}`);
    if (stale.length > 0) {
      log(`images: removing ${stale.join(', ')}`);
      await podman.run(['rmi', '--ignore', ...stale]);
    }
  }
  // Stages no image uses any more, once a day old: the layer cache of today's builds stays warm.
  await podman.run(['image', 'prune', '--force', '--filter', 'until=24h']);
}

async function git(args: readonly string[]): Promise<string> {
  const { stdout } = await run('git', [...args], { cwd: ROOT });
  return stdout.trim();
}

async function hashBuildInputs(baseKey: string): Promise<string> {
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...BUILD_INPUTS], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  const files = stdout
    .split('\0')
    .filter((file) => file !== '')
    .sort();
  const hash = createHash('sha256').update(`${baseKey}\n`);
  for (const file of files) {
    const content = await readFile(join(ROOT, file)).catch(() => undefined); // a deleted, not yet staged file
    if (content) hash.update(`${relative('.', file)}\n`).update(content);
  }
  return hash.digest('hex').slice(0, 24);
}

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = join(imageCacheRoot(), 'build.lock');
  await mkdir(imageCacheRoot(), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A build that was killed leaves its lock behind; its process is gone.
      const holder = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => '0'));
      if (holder > 0 && !isAlive(holder)) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
