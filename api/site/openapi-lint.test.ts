import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '../../test/support/site.js';

const run = promisify(execFile);
const REDOCLY = join(dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin/cli.js');

interface LintProblem {
  readonly ruleId: string;
  readonly severity: string;
  readonly message: string;
  readonly location: readonly { readonly pointer?: string }[];
}

/** Redocly CLI's lint with its recommended rules, as an integrator runs it; it exits 1 when it finds an error. */
async function redoclyLint(file: string): Promise<LintProblem[]> {
  const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
  const output = await run(process.execPath, [REDOCLY, 'lint', '--extends', 'recommended', '--format', 'json', file], { env }).then(
    ({ stdout }) => stdout,
    (error: { stdout?: string }) => {
      if (!error.stdout) throw error;
      return error.stdout;
    },
  );
  return (JSON.parse(output) as { problems: LintProblem[] }).problems;
}

describe('the OpenAPI document a site serves', () => {
  let site: TestSite;
  let dir: string;
  interface Content {
    readonly [mediaType: string]: { readonly example?: unknown };
  }
  interface Operation {
    readonly operationId?: string;
    readonly security?: unknown[];
    readonly tags?: string[];
    readonly requestBody?: { readonly content: Content };
    readonly responses: Record<string, { readonly content?: Content }>;
  }
  let doc: { paths: Record<string, Record<string, Operation>>; tags?: { name: string; description?: string }[] };
  beforeAll(async () => {
    site = await createTestSite();
    dir = await mkdtemp(join(tmpdir(), 'crashdesk-openapi-'));
    doc = (await site.call('GET', '/openapi.json')).body;
  });
  afterAll(async () => {
    await site?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes redocly lint with the recommended rules: no error and no warning', async () => {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc, null, 2));
    const problems = await redoclyLint(file);
    expect(problems.map((problem) => `${problem.severity} ${problem.ruleId} at ${problem.location[0]?.pointer}: ${problem.message}`)).toEqual([]);
  });

  it('names every operation with a stable camelCase operationId, and says outright which one needs no token', () => {
    const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods));
    const ids = operations.map((operation) => operation.operationId);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z]+$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining(['createAccident', 'getAccident', 'listAccidents', 'updateAccident', 'deleteAccident', 'createIntake', 'getIntake', 'signIn']),
    );
    const open = operations
      .filter((operation) => Array.isArray(operation.security) && operation.security.length === 0)
      .map((operation) => operation.operationId);
    expect(open).toEqual(['signIn']);
  });

  it('shows an example of every request and response body, and describes every tag an operation uses', () => {
    const missing: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
          if (media.example === undefined) missing.push(`${method} ${path} request ${type}`);
        }
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const [type, media] of Object.entries(response.content ?? {})) {
            if (media.example === undefined) missing.push(`${method} ${path} ${status} ${type}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
    const used = new Set(Object.values(doc.paths).flatMap((methods) => Object.values(methods).flatMap((operation) => operation.tags ?? [])));
    const described = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description]));
    for (const tag of used) expect(described.get(tag) ?? '', tag).toMatch(/\w/);
  });
});
