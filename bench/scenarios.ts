import type { Accident, NewAccident } from '../api/accidents/schema.js';
import { normalisePolicyNumber } from '../api/accidents/schema.js';
import type { AuditRecorder } from '../api/audit/entry.js';
import { hashToken } from '../api/auth/tokens.js';
import { callApi } from './api-client.js';
import { BENCH_SITE, dayOf, idOf, newAccidentBody, policyKeyOf, policyNumberOf, type DatasetShape } from './dataset.js';
import type { FloorQueries } from './floor-queries.js';
import type { HttpScenario } from './http-load.js';

export interface HttpOperation {
  readonly name: string;
  readonly http: HttpScenario;
  /** One request through the API, checked for the right shape before anything is measured. */
  readonly check: (baseUrl: string, token: string) => Promise<void>;
}

export interface Operation {
  readonly name: string;
  /** Absent for what only the floor measures. */
  readonly http?: HttpScenario;
  readonly check?: (baseUrl: string, token: string) => Promise<void>;
  readonly floor: () => Promise<unknown>;
}

const BODY_VARIANTS = 1000;
const PAGE_SIZE = 50;

/** Random existing targets and valid new reports, drawn from the data set's shape. */
function datasetPicks(shape: DatasetShape) {
  const randomRow = () => Math.floor(Math.random() * shape.rows);
  const bodies: NewAccident[] = Array.from({ length: BODY_VARIANTS }, (_, n) => newAccidentBody(shape, n));
  let nextBody = 0;
  return {
    randomId: () => idOf(shape, randomRow()).toString(),
    // Weighted by how many reports a policy has, as lookups come from callers with a claim.
    randomPolicy: () => policyNumberOf(policyKeyOf(shape, randomRow())),
    randomDay: () => dayOf(shape, Math.floor(Math.random() * shape.days)),
    bodies,
    bodyTexts: bodies.map((body) => JSON.stringify(body)),
    takeBody: () => (nextBody = (nextBody + 1) % BODY_VARIANTS),
  };
}

const expectTrue = (condition: boolean, what: string) => {
  if (!condition) throw new Error(`sanity check failed: ${what}`);
};

/** The routes under autocannon, each with a sanity check of one answer. */
export function buildHttpOperations(shape: DatasetShape, agentUsername: string) {
  const base = `/${BENCH_SITE}/v1/accidents`;
  const { randomId, randomPolicy, randomDay, bodies, bodyTexts, takeBody } = datasetPicks(shape);
  const operations = {
    create: {
      name: 'create (POST)',
      http: { name: 'create', method: 'POST', next: () => ({ path: base, body: bodyTexts[takeBody()] }) },
      async check(baseUrl, token) {
        const report = await callApi<Accident>(baseUrl, { method: 'POST', path: base, token, body: bodies[0], expect: 201 });
        expectTrue(report.version === 1 && report.createdBy === agentUsername, 'a created report is version 1 by the agent');
      },
    },
    get: {
      name: 'get by id',
      http: { name: 'get', method: 'GET', next: () => ({ path: `${base}/${randomId()}` }) },
      async check(baseUrl, token) {
        const id = randomId();
        const report = await callApi<Accident>(baseUrl, { method: 'GET', path: `${base}/${id}`, token, expect: 200 });
        expectTrue(report.id === id, 'get returns the report asked for');
      },
    },
    policy: {
      name: 'policy lookup',
      http: { name: 'policy', method: 'GET', next: () => ({ path: `${base}?policyNumber=${encodeURIComponent(randomPolicy())}` }) },
      async check(baseUrl, token) {
        const policy = randomPolicy();
        const path = `${base}?policyNumber=${encodeURIComponent(policy)}`;
        const { items } = await callApi<{ items: Accident[] }>(baseUrl, { method: 'GET', path, token, expect: 200 });
        const same = items.every((item) => normalisePolicyNumber(item.policyNumber) === normalisePolicyNumber(policy));
        expectTrue(items.length > 0 && same, `the lookup of ${policy} finds its reports and only those`);
      },
    },
    datePage: {
      name: `date page (${PAGE_SIZE} rows)`,
      http: { name: 'date', method: 'GET', next: () => ({ path: `${base}?date=${randomDay()}&limit=${PAGE_SIZE}` }) },
      async check(baseUrl, token) {
        const day = randomDay();
        const path = `${base}?date=${day}&limit=${PAGE_SIZE}`;
        const page = await callApi<{ items: Accident[]; nextCursor: string | null }>(baseUrl, { method: 'GET', path, token, expect: 200 });
        const sameDay = page.items.every((item) => item.accidentDate === day);
        const consistent = page.items.length === PAGE_SIZE || page.nextCursor === null;
        expectTrue(page.items.length > 0 && sameDay && consistent, `a first page of ${day}, full unless it is the last`);
      },
    },
  } satisfies Record<string, HttpOperation>;
  return operations;
}

/** Every route under autocannon beside its statement through the raw driver, plus the per-request extras. */
export function buildOperations(shape: DatasetShape, floor: FloorQueries, audit: AuditRecorder, agent: { username: string; token: string }): Operation[] {
  const web = buildHttpOperations(shape, agent.username);
  const { randomId, randomPolicy, randomDay, bodies, takeBody } = datasetPicks(shape);
  return [
    { ...web.create, floor: () => floor.create(bodies[takeBody()] as NewAccident, agent.username) },
    { ...web.get, floor: () => floor.get(randomId()) },
    { ...web.policy, floor: () => floor.byPolicy(randomPolicy()) },
    { ...web.datePage, floor: () => floor.datePage(randomDay(), PAGE_SIZE) },
    {
      name: 'token lookup (every API request runs it)',
      floor: () => floor.session(hashToken(agent.token)),
    },
    {
      // Through the site's own audit store, as the routes call it after every read.
      name: 'audit append (every read appends one)',
      floor: () => audit.record({ actor: agent.username, action: 'report.read', resource: randomId(), outcome: 'success', details: { version: 1 } }),
    },
  ];
}
