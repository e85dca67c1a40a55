import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const controlPlaneSources = dirname(fileURLToPath(import.meta.url));

// One Go module per upstream dependency tree: KWOK and the transit server pin their own k8s.io
// and OpenBao SDK versions, which must not be unified with the kube-apiserver's.
const goModules = [
  { dir: 'kube', binaries: ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'testpki'], stampVersion: true },
  { dir: 'kwok', binaries: ['kwok'], stampVersion: false },
  { dir: 'transit', binaries: ['transit-dev'], stampVersion: false },
] as const;

/**
 * Linker flags: strip symbols (the binaries are large enough), and stamp the Kubernetes version the
 * way the upstream release build does, so that /version and `kubectl version` report v1.x.y
 * instead of v0.0.0-master, which clients that check the server version would misread.
 */
function linkerFlags(kubernetesVersion: string, stampVersion: boolean): string {
  if (!stampVersion) return '-s -w';
  const [major, minor] = kubernetesVersion.replace(/^v/, '').split('.');
  const stamp = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${kubernetesVersion}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]);
  return ['-s', '-w', ...stamp].join(' ');
}

export type BinaryName = (typeof goModules)[number]['binaries'][number];

// KWOK's own stage definitions, read from the downloaded module rather than copied into this
// repository: nodes become Ready and keep a lease, pods go Pending -> Running/Ready -> deleted.
const kwokStageFiles = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'kustomize/stage/pod/general/pod-create.yaml',
  'kustomize/stage/pod/general/pod-init-container-running.yaml',
  'kustomize/stage/pod/general/pod-init-container-completed.yaml',
  'kustomize/stage/pod/general/pod-ready.yaml',
  'kustomize/stage/pod/general/pod-complete.yaml',
  'kustomize/stage/pod/general/pod-delete.yaml',
];

export interface Testbin {
  /** The cache directory holding `bin/`, `kwok-stages.yaml` and `manifest.json`. */
  readonly dir: string;
  readonly kubernetesVersion: string;
  readonly kwokStages: string;
  binary(name: BinaryName): string;
}

export interface TestbinOptions {
  /** Where progress lines go; the build itself streams Go's output to stderr. */
  readonly log?: (line: string) => void;
}

/**
 * Returns the compiled control-plane binaries, building them first if this exact set of Go modules
 * and Go version has not been built on this machine. The cache lives outside the repository
 * (`$CRASHDESK_TESTBIN_DIR`, default `~/.cache/crashdesk/testbin`) so fresh clones reuse it.
 */
export async function ensureTestbin({ log = (line) => console.error(line) }: TestbinOptions = {}): Promise<Testbin> {
  const go = await findGo();
  const kubernetesVersion = await pinnedKubernetesVersion();
  const key = `${kubernetesVersion}-${await sourceHash(`${go.version} ${linkerFlags(kubernetesVersion, true)}`)}`;
  const root = process.env.CRASHDESK_TESTBIN_DIR ?? join(homedir(), '.cache', 'crashdesk', 'testbin');
  const dir = join(root, key);

  if (existsSync(join(dir, 'manifest.json'))) {
    log(`testbin: reusing ${dir}`);
    // The manifest's modification time records the last use, for pruneUnused().
    const now = new Date();
    await utimes(join(dir, 'manifest.json'), now, now);
  } else {
    log(`testbin: building ${key} with ${go.version} into ${dir} (the first build takes several minutes)`);
    await build(go, root, dir, key, kubernetesVersion, log);
    await pruneUnused(root, log);
  }
  return {
    dir,
    kubernetesVersion,
    kwokStages: join(dir, 'kwok-stages.yaml'),
    binary: (name) => join(dir, 'bin', name),
  };
}

interface GoToolchain {
  readonly command: string;
  readonly version: string;
}

async function findGo(): Promise<GoToolchain> {
  const candidates = [process.env.GO, 'go', '/usr/local/go/bin/go'].filter((candidate) => candidate !== undefined);
  for (const command of candidates) {
    try {
      const { stdout } = await run(command, ['env', 'GOVERSION'], { env: goEnvironment() });
      return { command, version: stdout.trim() };
    } catch {
      // Not this one; the error below names every place that was tried.
    }
  }
  throw new Error(
    `The Go toolchain is needed to build the test control plane, but none of ${candidates.join(', ')} runs. ` +
      'Install Go (see go.mod for the version) or set GO to its path.',
  );
}

function goEnvironment(): NodeJS.ProcessEnv {
  // GOTOOLCHAIN=local: a go.mod asking for a newer Go must fail here, not download a toolchain.
  // -buildvcs=false: the binaries must not depend on (or fail on) the state of our git checkout.
  return { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly -buildvcs=false' };
}

async function pinnedKubernetesVersion(): Promise<string> {
  const goMod = await readFile(join(controlPlaneSources, 'kube', 'go.mod'), 'utf8');
  const pinned = /^\s*k8s\.io\/kubernetes (v\S+)/m.exec(goMod)?.[1];
  if (pinned === undefined) throw new Error('kube/go.mod does not require k8s.io/kubernetes');
  return pinned;
}

/** Hashes every go.mod, go.sum and Go source of the modules, plus how they are compiled. */
async function sourceHash(toolchainAndFlags: string): Promise<string> {
  const hash = createHash('sha256').update(`${toolchainAndFlags}\n${process.platform}/${process.arch}\n`);
  for (const module of goModules) {
    for (const file of await listSources(join(controlPlaneSources, module.dir))) {
      hash.update(`${relative(controlPlaneSources, file)}\n`).update(await readFile(file));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

async function listSources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(async (entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return listSources(path);
        return /^go\.(mod|sum)$|\.go$/.test(entry.name) ? [path] : [];
      }),
  );
  return files.flat();
}

async function build(
  go: GoToolchain,
  root: string,
  dir: string,
  key: string,
  kubernetesVersion: string,
  log: (line: string) => void,
): Promise<void> {
  // Build beside the final directory and rename at the end, so an interrupted build or a
  // concurrent one never leaves a half-filled cache entry behind.
  const staging = `${dir}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'bin'), { recursive: true });
  const started = performance.now();
  try {
    for (const module of goModules) {
      log(`testbin: go build ${module.dir} (${module.binaries.join(', ')})`);
      await goBuild(go, join(controlPlaneSources, module.dir), join(staging, 'bin'), linkerFlags(kubernetesVersion, module.stampVersion));
    }
    await writeFile(join(staging, 'kwok-stages.yaml'), await readKwokStages(go));
    const buildSeconds = Math.round((performance.now() - started) / 1000);
    const manifest = { key, kubernetesVersion, goVersion: go.version, builtAt: new Date().toISOString(), buildSeconds };
    await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await mkdir(root, { recursive: true });
    await rename(staging, dir).catch(async (error: unknown) => {
      if (!existsSync(join(dir, 'manifest.json'))) throw error;
      log('testbin: another build finished first; using it');
      await rm(staging, { recursive: true, force: true });
    });
    log(`testbin: built in ${buildSeconds} s, ${await directoryMegabytes(join(dir, 'bin'))} MB of binaries`);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`building the test control plane binaries into ${dir}`, { cause: error });
  }
}

const unusedForMs = 14 * 24 * 3600 * 1000;

/** Each change to the Go modules makes a new ~400 MB entry; drop those unused for two weeks, and
 * staging directories of builds that were killed. */
async function pruneUnused(root: string, log: (line: string) => void): Promise<void> {
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(root, entry.name);
    const marker = entry.name.includes('.building-') ? path : join(path, 'manifest.json');
    const lastUsed = await stat(marker).then((info) => info.mtimeMs, () => 0);
    if (Date.now() - lastUsed > unusedForMs) {
      log(`testbin: removing ${path}, unused for two weeks`);
      await rm(path, { recursive: true, force: true });
    }
  }
}

function goBuild(go: GoToolchain, moduleDir: string, outputDir: string, ldflags: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go.command, ['build', '-trimpath', `-ldflags=${ldflags}`, '-o', `${outputDir}/`, './cmd/...'], {
      cwd: moduleDir,
      env: goEnvironment(),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`go build in ${moduleDir} exited with ${signal ?? String(code)}`));
    });
  });
}

async function readKwokStages(go: GoToolchain): Promise<string> {
  const { stdout } = await run(go.command, ['list', '-m', '-f', '{{.Dir}}', 'sigs.k8s.io/kwok'], {
    cwd: join(controlPlaneSources, 'kwok'),
    env: goEnvironment(),
  });
  const kwokDir = stdout.trim();
  const stages = await Promise.all(kwokStageFiles.map((file) => readFile(join(kwokDir, file), 'utf8')));
  return stages.map((stage) => stage.trimEnd()).join('\n---\n') + '\n';
}

export async function directoryMegabytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const sizes = await Promise.all(
    entries.filter((entry) => entry.isFile()).map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size),
  );
  return Math.round(sizes.reduce((total, size) => total + size, 0) / 1_000_000);
}
