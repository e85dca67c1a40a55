// podman, configured by images/containers.conf, for building and running the images without a
// Docker daemon.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CONTAINERS_CONF = fileURLToPath(new URL('./containers.conf', import.meta.url));

export interface Podman {
  /** Runs podman to completion and returns what it printed on stdout. */
  run(args: readonly string[], options?: { cwd?: string }): Promise<string>;
  /** Starts podman with its output piped (a container in the foreground, a long build). */
  spawn(args: readonly string[], options?: { cwd?: string; inherit?: boolean }): ChildProcess;
  imageExists(name: string): Promise<boolean>;
  /** A label of a local image, or undefined when the image or the label is missing. */
  imageLabel(name: string, label: string): Promise<string | undefined>;
  /** The image's uncompressed size in bytes. */
  imageSize(name: string): Promise<number>;
}

export function podmanEnvironment(): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_CONF };
}

export async function createPodman(): Promise<Podman> {
  await run('podman', ['--version'], { env: podmanEnvironment() }).catch((error: unknown) => {
    throw new Error('podman is needed to build and run the images without a Docker daemon: apt-get install podman buildah runc mmdebstrap binutils', {
      cause: error,
    });
  });
  const podman: Podman = {
    async run(args, options = {}) {
      const { stdout } = await run('podman', [...args], { env: podmanEnvironment(), cwd: options.cwd, maxBuffer: 64 * 1024 * 1024 });
      return stdout;
    },
    spawn(args, options = {}) {
      return spawn('podman', [...args], {
        env: podmanEnvironment(),
        cwd: options.cwd,
        stdio: options.inherit ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
      });
    },
    async imageExists(name) {
      return run('podman', ['image', 'exists', name], { env: podmanEnvironment() }).then(
        () => true,
        () => false,
      );
    },
    async imageLabel(name, label) {
      if (!(await podman.imageExists(name))) return undefined;
      const labels = JSON.parse(await podman.run(['image', 'inspect', '--format', '{{json .Labels}}', name])) as Record<string, string> | null;
      return labels?.[label];
    },
    async imageSize(name) {
      return Number((await podman.run(['image', 'inspect', '--format', '{{.Size}}', name])).trim());
    },
  };
  return podman;
}

/** Runs a spawned podman to completion, failing with its output when it does not exit 0. */
export function completion(child: ChildProcess, what: string): Promise<void> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`${what}: podman did not start`, { cause: error })));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (${signal ?? `exit ${code}`})${output ? `:\n${output.slice(-4000)}` : ''}`));
    });
  });
}
