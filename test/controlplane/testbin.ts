import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const controlPlaneSources = dirname(fileURLToPath(import.meta.url));

interface GoModule {
  /** Folder under test/controlplane holding the module's go.mod. */
  readonly dir: string;
  readonly binaries: readonly string[];
  /** What `go build` compiles; each main package gives one binary. */
  readonly packages: readonly string[];
  readonly ldflags: (pins: Pins) => string;
  /** `go build -o dir/` names each binary after its package's folder; these are renamed after the build. */
  readonly renames?: Readonly<Record<string, string>>;
}

/** Versions read from the modules' go.mod files, stamped into the binaries that report them. */
interface Pins {
  readonly kubernetes: string;
  readonly helm: string;
  readonly keda: string;
}

// One Go module per upstream dependency tree, each built and cached on its own: KWOK, the transit
// server and helm pin their own k8s.io and OpenBao SDK versions, which must not be unified with the
// kube-apiserver's, and a change to one module must not rebuild the others.
const goModules = [
  {
    dir: 'kube',
    binaries: ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'testpki'],
    packages: ['./cmd/...'],
    ldflags: (pins) => kubernetesVersionFlags(pins.kubernetes),
  },
  { dir: 'kwok', binaries: ['kwok'], packages: ['./cmd/...'], ldflags: () => '-s -w' },
  { dir: 'transit', binaries: ['transit-dev'], packages: ['./cmd/...'], ldflags: () => '-s -w' },
  // helm's own main package, built at the version go.mod pins (go install of a module outside a
  // module cannot be pinned by go.sum); stamped as its release build does.
  {
    dir: 'helm',
    binaries: ['helm'],
    packages: ['helm.sh/helm/v3/cmd/helm'],
    ldflags: (pins) => `-s -w -X helm.sh/helm/v3/internal/version.version=${pins.helm} -X helm.sh/helm/v3/internal/version.gitTreeState=clean`,
  },
  // KEDA's operator and metrics API server, for the scaling test only; the largest build of all
  // (about 6 minutes and 3.4 GB of memory on two cores), since KEDA links every scaler's SDK.
  {
    dir: 'keda',
    binaries: ['keda-operator', 'keda-adapter'],
    packages: ['github.com/kedacore/keda/v2/cmd/operator', 'github.com/kedacore/keda/v2/cmd/adapter'],
    ldflags: (pins) => `-s -w -X github.com/kedacore/keda/v2/version.Version=${pins.keda.replace(/^v/, '')}`,
    renames: { operator: 'keda-operator', adapter: 'keda-adapter' },
  },
] as const satisfies readonly GoModule[];

/**
 * Linker flags: strip symbols (the binaries are large enough), and stamp the Kubernetes version the
 * way the upstream release build does, so that /version and `kubectl version` report v1.x.y
 * instead of v0.0.0-master, which clients that check the server version would misread.
 */
function kubernetesVersionFlags(kubernetesVersion: string): string {
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
  /** The cache directory of each module's build, each holding `bin/` and `manifest.json`. */
  readonly dirs: readonly string[];
  readonly kubernetesVersion: string;
  readonly helmVersion: string;
  readonly kedaVersion: string;
  readonly kwokStages: string;
  /** KEDA's CustomResourceDefinitions (config/crd/bases) of the version its binaries were built from. */
  readonly kedaCrds: string;
  binary(name: BinaryName): string;
}

export interface TestbinOptions {
  /** Where progress lines go; the build itself streams Go's output to stderr. */
  readonly log?: (line: string) => void;
}

/**
 * Returns the compiled control-plane binaries and helm, building each Go module first if this exact
 * module and Go version has not been built on this machine. The cache lives outside the repository
 * (`$CRASHDESK_TESTBIN_DIR`, default `~/.cache/crashdesk/testbin`) so fresh clones reuse it.
 */
export async function ensureTestbin({ log = (line) => console.error(line) }: TestbinOptions = {}): Promise<Testbin> {
  const go = await findGo();
  const pins: Pins = {
    kubernetes: await pinnedVersion('kube', 'k8s.io/kubernetes'),
    helm: await pinnedVersion('helm', 'helm.sh/helm/v3'),
    keda: await pinnedVersion('keda', 'github.com/kedacore/keda/v2'),
  };
  const root = process.env.CRASHDESK_TESTBIN_DIR ?? join(homedir(), '.cache', 'crashdesk', 'testbin');
  const binaries = new Map<string, string>();
  const dirs: string[] = [];
  for (const module of goModules) {
    const ldflags = module.ldflags(pins);
    const dir = join(root, `${module.dir}-${await sourceHash(module, `${go.version} ${ldflags}`)}`);
    if (existsSync(join(dir, 'manifest.json'))) {
      // The manifest's modification time records the last use, for pruneUnused().
      const now = new Date();
      await utimes(join(dir, 'manifest.json'), now, now);
    } else {
      log(`testbin: building ${module.dir} (${module.binaries.join(', ')}) with ${go.version} into ${dir}; the first build takes minutes`);
      await build(go, module, ldflags, root, dir, log);
    }
    dirs.push(dir);
    for (const name of module.binaries) binaries.set(name, join(dir, 'bin', name));
  }
  log(`testbin: ready in ${root}`);
  await pruneUnused(root, new Set(dirs), log);
  return {
    dirs,
    kubernetesVersion: pins.kubernetes,
    helmVersion: pins.helm,
    kedaVersion: pins.keda,
    kwokStages: join(binaries.get('kwok')!, '..', '..', 'kwok-stages.yaml'),
    kedaCrds: join(binaries.get('keda-operator')!, '..', '..', 'crds'),
    binary: (name) => binaries.get(name)!,
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

async function pinnedVersion(moduleDir: string, modulePath: string): Promise<string> {
  const goMod = await readFile(join(controlPlaneSources, moduleDir, 'go.mod'), 'utf8');
  const pinned = new RegExp(`^\\s*${modulePath.replace(/[./]/g, '\\$&')} (v\\S+)`, 'm').exec(goMod)?.[1];
  if (pinned === undefined) throw new Error(`${moduleDir}/go.mod does not require ${modulePath}`);
  return pinned;
}

/** Hashes the module's go.mod, go.sum and Go sources, plus how they are compiled. */
async function sourceHash(module: GoModule, toolchainAndFlags: string): Promise<string> {
  const hash = createHash('sha256').update(`${toolchainAndFlags}\n${module.packages.join(' ')}\n${process.platform}/${process.arch}\n`);
  for (const file of await listSources(join(controlPlaneSources, module.dir))) {
    hash.update(`${relative(controlPlaneSources, file)}\n`).update(await readFile(file));
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

async function build(go: GoToolchain, module: GoModule, ldflags: string, root: string, dir: string, log: (line: string) => void): Promise<void> {
  // Build beside the final directory and rename at the end, so an interrupted build or a
  // concurrent one never leaves a half-filled cache entry behind.
  const staging = `${dir}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(join(staging, 'bin'), { recursive: true });
  const started = performance.now();
  try {
    await goBuild(go, join(controlPlaneSources, module.dir), join(staging, 'bin'), ldflags, module.packages);
    for (const [built, name] of Object.entries(module.renames ?? {})) await rename(join(staging, 'bin', built), join(staging, 'bin', name));
    if (module.dir === 'kwok') await writeFile(join(staging, 'kwok-stages.yaml'), await readKwokStages(go));
    if (module.dir === 'keda') await copyKedaCrds(go, join(staging, 'crds'));
    const buildSeconds = Math.round((performance.now() - started) / 1000);
    const manifest = { module: module.dir, binaries: module.binaries, goVersion: go.version, ldflags, builtAt: new Date().toISOString(), buildSeconds };
    await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await mkdir(root, { recursive: true });
    await rename(staging, dir).catch(async (error: unknown) => {
      if (!existsSync(join(dir, 'manifest.json'))) throw error;
      log('testbin: another build finished first; using it');
      await rm(staging, { recursive: true, force: true });
    });
    log(`testbin: built ${module.dir} in ${buildSeconds} s, ${await directoryMegabytes(join(dir, 'bin'))} MB of binaries`);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(`building the test binaries of ${module.dir} into ${dir}`, { cause: error });
  }
}

const unusedForMs = 14 * 24 * 3600 * 1000;

/** Each change to a Go module makes a new entry (the kube one is ~400 MB); drop those unused for two
 * weeks, and staging directories of builds that were killed. */
async function pruneUnused(root: string, inUse: ReadonlySet<string>, log: (line: string) => void): Promise<void> {
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (!entry.isDirectory() || inUse.has(path)) continue;
    const marker = entry.name.includes('.building-') ? path : join(path, 'manifest.json');
    const lastUsed = await stat(marker).then(
      (info) => info.mtimeMs,
      () => 0,
    );
    if (Date.now() - lastUsed > unusedForMs) {
      log(`testbin: removing ${path}, unused for two weeks`);
      await rm(path, { recursive: true, force: true });
    }
  }
}

function goBuild(go: GoToolchain, moduleDir: string, outputDir: string, ldflags: string, packages: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go.command, ['build', '-trimpath', `-ldflags=${ldflags}`, '-o', `${outputDir}/`, ...packages], {
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
  const kwokDir = await moduleDir(go, 'kwok', 'sigs.k8s.io/kwok');
  const stages = await Promise.all(kwokStageFiles.map((file) => readFile(join(kwokDir, file), 'utf8')));
  return stages.map((stage) => stage.trimEnd()).join('\n---\n') + '\n';
}

// Copied rather than read from the module cache at test time, so that a cleaned module cache
// (go clean -modcache) does not break a cached build.
async function copyKedaCrds(go: GoToolchain, target: string): Promise<void> {
  const kedaDir = await moduleDir(go, 'keda', 'github.com/kedacore/keda/v2');
  await cp(join(kedaDir, 'config', 'crd', 'bases'), target, { recursive: true });
  // The module cache is read-only; the copies must not be, or pruneUnused could not remove them.
  await chmod(target, 0o755);
  for (const file of await readdir(target)) await chmod(join(target, file), 0o644);
}

async function moduleDir(go: GoToolchain, moduleDirName: string, modulePath: string): Promise<string> {
  const { stdout } = await run(go.command, ['list', '-m', '-f', '{{.Dir}}', modulePath], {
    cwd: join(controlPlaneSources, moduleDirName),
    env: goEnvironment(),
  });
  return stdout.trim();
}

export async function directoryMegabytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const sizes = await Promise.all(entries.filter((entry) => entry.isFile()).map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size));
  return Math.round(sizes.reduce((total, size) => total + size, 0) / 1_000_000);
}
