import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, newReport, type TestSite } from '../support/site.js';

interface BadInput {
  readonly name: string;
  readonly method: string;
  /** May use {id} for an existing report and {cursor} for a valid cursor. */
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly as?: 'agent' | 'admin' | 'nobody';
  readonly status: number;
  /** The field the problem must name, when there is one. */
  readonly field?: string;
}

const valid = newReport({ accidentDate: '2026-11-01' });
const withField = (field: string, value: unknown) => ({ ...valid, [field]: value });
const without = (field: string) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== field));
const long = 'x'.repeat(10_000);
const json = (text: string) => ({ body: text, headers: { 'content-type': 'application/json' } });
const create = (name: string, body: unknown, status: number, field?: string): BadInput => ({
  name,
  method: 'POST',
  path: '/v1/accidents',
  body,
  status,
  field,
});
const list = (name: string, query: string, field?: string): BadInput => ({ name, method: 'GET', path: `/v1/accidents?${query}`, status: 400, field });
const patch = (name: string, body: unknown, field?: string, headers: Record<string, string> = { 'if-match': '"1"' }): BadInput => ({
  name,
  method: 'PATCH',
  path: '/v1/accidents/{id}',
  body,
  headers,
  status: 400,
  field,
});

const cases: BadInput[] = [
  { name: 'malformed JSON', method: 'POST', path: '/v1/accidents', ...json('{"callReason":'), status: 400 },
  { name: 'text/plain body', method: 'POST', path: '/v1/accidents', body: JSON.stringify(valid), headers: { 'content-type': 'text/plain' }, status: 415 },
  {
    name: 'form body',
    method: 'POST',
    path: '/v1/accidents',
    body: 'callReason=x',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
  },
  { name: 'empty JSON body', method: 'POST', path: '/v1/accidents', ...json(''), status: 400 },
  { name: 'JSON array instead of object', method: 'POST', path: '/v1/accidents', ...json('[]'), status: 400 },
  { name: 'JSON null', method: 'POST', path: '/v1/accidents', ...json('null'), status: 400 },
  { name: 'JSON string', method: 'POST', path: '/v1/accidents', ...json('"a report"'), status: 400 },
  { name: 'deeply nested JSON', method: 'POST', path: '/v1/accidents', ...json('['.repeat(200_000) + ']'.repeat(200_000)), status: 400 },
  { name: 'body over 1 MiB', method: 'POST', path: '/v1/accidents', body: { ...valid, summary: 'y'.repeat(1_100_000) }, status: 413 },
  create('missing callReason', without('callReason'), 400, 'callReason'),
  create('missing drivers', without('drivers'), 400, 'drivers'),
  create('missing policyNumber', without('policyNumber'), 400, 'policyNumber'),
  create('missing accidentDate', without('accidentDate'), 400, 'accidentDate'),
  create('missing location', without('location'), 400, 'location'),
  create('callReason of the wrong type', withField('callReason', 42), 400, 'callReason'),
  create('no drivers', withField('drivers', []), 400, 'drivers'),
  create(
    'eleven drivers',
    withField(
      'drivers',
      Array.from({ length: 11 }, (_, i) => `Driver ${i}`),
    ),
    400,
    'drivers',
  ),
  create('an empty driver name', withField('drivers', ['Sarah Standl', '']), 400, 'drivers.1'),
  create('a blank driver name', withField('drivers', ['   ']), 400, 'drivers.0'),
  create('drivers as a string', withField('drivers', 'Sarah Standl'), 400, 'drivers'),
  create('drivers as numbers', withField('drivers', [1, 2]), 400, 'drivers.0'),
  create('policyNumber as a number', withField('policyNumber', 546452), 400, 'policyNumber'),
  create('policyNumber of symbols', withField('policyNumber', '!!!'), 400, 'policyNumber'),
  create('impossible date 30 February', withField('accidentDate', '2026-02-30'), 400, 'accidentDate'),
  create('month 13', withField('accidentDate', '2026-13-01'), 400, 'accidentDate'),
  create('day-first date', withField('accidentDate', '20-11-2026'), 400, 'accidentDate'),
  create('a date-time instead of a date', withField('accidentDate', '2026-11-20T10:00:00Z'), 400, 'accidentDate'),
  create('a date after tomorrow', withField('accidentDate', '2999-01-01'), 400, 'accidentDate'),
  create('a date before 1970', withField('accidentDate', '1900-01-01'), 400, 'accidentDate'),
  create('NUL byte in callReason', withField('callReason', 'crash\u0000'), 400, 'callReason'),
  create('NUL byte in summary', withField('summary', 'a\u0000b'), 400, 'summary'),
  create('lone surrogate in location', withField('location', 'M23 \ud800'), 400, 'location'),
  create('10,000-character callReason', withField('callReason', long), 400, 'callReason'),
  create('10,000-character summary', withField('summary', long), 400, 'summary'),
  create('10,000-character driver name', withField('drivers', [long]), 400, 'drivers.0'),
  create('10,000-character location', withField('location', long), 400, 'location'),
  create(
    '51 damages',
    withField(
      'damages',
      Array.from({ length: 51 }, () => 'dent'),
    ),
    400,
    'damages',
  ),
  create('an unknown field', withField('admin', true), 400, 'admin'),
  create('a status on create', withField('status', 'closed'), 400, 'status'),
  create('an id on create', withField('id', '1'), 400, 'id'),
  {
    name: 'Idempotency-Key of 300 characters',
    method: 'POST',
    path: '/v1/accidents',
    body: valid,
    headers: { 'idempotency-key': 'k'.repeat(300) },
    status: 400,
    field: 'idempotency-key',
  },
  {
    name: 'Idempotency-Key with a space',
    method: 'POST',
    path: '/v1/accidents',
    body: valid,
    headers: { 'idempotency-key': 'a b' },
    status: 400,
    field: 'idempotency-key',
  },
  list('no query at all', ''),
  list('both policyNumber and date', 'policyNumber=1&date=2026-11-01'),
  list('impossible date', 'date=2026-02-30', 'date'),
  list('limit 0', 'date=2026-11-01&limit=0', 'limit'),
  list('limit 201', 'date=2026-11-01&limit=201', 'limit'),
  list('huge limit', 'date=2026-11-01&limit=99999999999999999999', 'limit'),
  list('negative limit', 'date=2026-11-01&limit=-5', 'limit'),
  list('fractional limit', 'date=2026-11-01&limit=1.5', 'limit'),
  list('limit that is not a number', 'date=2026-11-01&limit=fifty', 'limit'),
  list('forged cursor', 'date=2026-11-01&cursor=MjAyNi0xMS0wMS85OTk5.AAAAAAAAAAAAAAAAAAAAAA', 'cursor'),
  list('tampered cursor', 'date=2026-11-01&cursor={tampered}', 'cursor'),
  list('cursor of dots', 'date=2026-11-01&cursor=...', 'cursor'),
  list('5,000-character cursor', `date=2026-11-01&cursor=${'a'.repeat(5000)}`, 'cursor'),
  list('cursor with a policy lookup', 'policyNumber=123&cursor=abc'),
  list('an unknown query parameter', 'date=2026-11-01&sort=asc', 'sort'),
  list('date given twice', 'date=2026-11-01&date=2026-11-02', 'date'),
  list('NUL byte in policyNumber', 'policyNumber=12%0034', 'policyNumber'),
  { name: 'id that is not a number', method: 'GET', path: '/v1/accidents/abc', status: 400, field: 'id' },
  { name: 'negative id', method: 'GET', path: '/v1/accidents/-1', status: 400, field: 'id' },
  { name: 'id above 2^63-1', method: 'GET', path: '/v1/accidents/9223372036854775808', status: 400, field: 'id' },
  { name: 'id in exponent notation', method: 'GET', path: '/v1/accidents/1e3', status: 400, field: 'id' },
  { name: 'id zero', method: 'GET', path: '/v1/accidents/0', status: 400, field: 'id' },
  { name: 'id with a NUL byte', method: 'GET', path: '/v1/accidents/12%0034', status: 400, field: 'id' },
  { name: 'PATCH without If-Match', method: 'PATCH', path: '/v1/accidents/{id}', body: { status: 'closed' }, status: 428 },
  patch('If-Match that is not a version', { status: 'closed' }, 'if-match', { 'if-match': 'abc' }),
  patch('an empty patch', {}),
  patch('a patch of the id', { id: '1' }, 'id'),
  patch('a patch of the version', { version: 7 }, 'version'),
  patch('an unknown status', { status: 'deleted' }, 'status'),
  patch('no drivers', { drivers: [] }, 'drivers'),
  patch('a NUL byte in cause', { cause: '\u0000' }, 'cause'),
  { name: 'login with malformed JSON', method: 'POST', path: '/v1/auth/login', ...json('{"username"'), as: 'nobody', status: 400 },
  { name: 'login without a password', method: 'POST', path: '/v1/auth/login', body: { username: 'admin' }, as: 'nobody', status: 400, field: 'password' },
  {
    name: 'login with a 10,000-character username',
    method: 'POST',
    path: '/v1/auth/login',
    body: { username: long, password: 'x' },
    as: 'nobody',
    status: 400,
    field: 'username',
  },
  { name: 'login as text/plain', method: 'POST', path: '/v1/auth/login', body: '{}', headers: { 'content-type': 'text/plain' }, as: 'nobody', status: 415 },
  {
    name: 'a user with an unknown role',
    method: 'POST',
    path: '/v1/users',
    body: { username: 'eve', password: 'Correct-Horse-Battery-9', role: 'root' },
    as: 'admin',
    status: 400,
    field: 'role',
  },
  {
    name: 'a username with a space',
    method: 'POST',
    path: '/v1/users',
    body: { username: 'bad name', password: 'Correct-Horse-Battery-9', role: 'agent' },
    as: 'admin',
    status: 400,
    field: 'username',
  },
  {
    name: 'a username with a NUL byte',
    method: 'POST',
    path: '/v1/users',
    body: { username: 'ev\u0000e', password: 'Correct-Horse-Battery-9', role: 'agent' },
    as: 'admin',
    status: 400,
    field: 'username',
  },
  {
    name: 'login body over 16 KiB',
    method: 'POST',
    path: '/v1/auth/login',
    body: { username: 'admin', password: 'p'.repeat(20_000) },
    as: 'nobody',
    status: 413,
  },
  ...[
    ['an empty account change', {}, undefined],
    ['an unknown field in an account change', { admin: true }, 'admin'],
    ['an unknown role in an account change', { role: 'root' }, 'role'],
    ['disabled as a string', { disabled: 'yes' }, 'disabled'],
    ['a short new password', { password: 'short' }, 'password'],
    ['a new password containing the username', { password: 'agent-agent-agent-1' }, 'password'],
    ['a 10,000-character new password', { password: long }, 'password'],
    ['an account change of null', null, undefined],
  ].map(([name, body, field]): BadInput => ({
    name: name as string,
    method: 'PATCH',
    path: '/v1/users/agent',
    body,
    as: 'admin',
    status: 400,
    field: field as string | undefined,
  })),
  {
    name: 'an account change as text/plain',
    method: 'PATCH',
    path: '/v1/users/agent',
    body: '{"disabled":true}',
    headers: { 'content-type': 'text/plain' },
    as: 'admin',
    status: 415,
  },
  {
    name: 'an account name with a space',
    method: 'PATCH',
    path: '/v1/users/bad%20name',
    body: { disabled: true },
    as: 'admin',
    status: 400,
    field: 'username',
  },
  { name: 'a 10,000-character account name', method: 'GET', path: `/v1/users/${long}`, as: 'admin', status: 400, field: 'username' },
  {
    name: 'a 10,000-character bearer token',
    method: 'GET',
    path: '/v1/accidents?date=2026-11-01',
    headers: { authorization: `Bearer ${long}` },
    as: 'nobody',
    status: 401,
  },
  { name: 'an unknown route', method: 'GET', path: '/v1/nothing-here', status: 404 },
];

async function snapshot(site: TestSite) {
  const [row] = await site.sql`
    select
      (select count(*) from accidents)::int as accidents,
      (select coalesce(max(version), 0) from accidents)::int as "maxVersion",
      (select max(updated_at) from accidents) as "lastChange",
      (select count(*) from accounts)::int as accounts,
      (select max(updated_at) from accounts) as "lastAccountChange",
      (select count(*) from auth_tokens where revoked_at is not null)::int as "revokedTokens",
      (select count(*) from idempotency_keys)::int as "idempotencyKeys"`;
  return row;
}

describe('bad input', () => {
  let site: TestSite;
  const tokens: Record<string, string> = {};
  let existingId: string;
  let validCursor: string;

  beforeAll(async () => {
    site = await createTestSite();
    tokens.agent = await site.tokenFor('agent');
    tokens.admin = await site.tokenFor('admin');
    existingId = (await site.call('POST', '/v1/accidents', { token: tokens.agent, body: valid })).body.id;
    await site.call('POST', '/v1/accidents', { token: tokens.agent, body: valid });
    validCursor = (await site.call('GET', '/v1/accidents?date=2026-11-01&limit=1', { token: tokens.agent })).body.nextCursor;
  });
  afterAll(() => site?.stop());

  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('$name → $status problem+json, nothing changed', async (input) => {
    const before = await snapshot(site);
    const [payload, mac] = validCursor.split('.');
    const tampered = `${Buffer.from(
      Buffer.from(payload!, 'base64url')
        .toString()
        .replace(/\d$/, (digit) => String((Number(digit) + 1) % 10)),
    ).toString('base64url')}.${mac}`;
    const path = input.path.replace('{id}', existingId).replace('{tampered}', tampered);
    const as = input.as ?? 'agent';
    const response = await site.call(input.method, path, {
      token: as === 'nobody' ? undefined : tokens[as],
      body: input.body,
      headers: input.headers,
    });

    expect(response.status).toBe(input.status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: input.status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    if (input.field) expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(input.field);
    expect(await snapshot(site)).toEqual(before);
  });
});
