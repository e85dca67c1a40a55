import { describe, expect, it } from 'vitest';
import type { Accident } from '../accidents/schema.js';
import { csvExportStream, csvField, csvLine, eachDay } from './csv-export.js';

const report = (id: string, accidentDate: string, overrides: Partial<Accident> = {}): Accident => ({
  id,
  site: 'london',
  version: 1,
  createdAt: '2026-11-20T09:30:00.000Z',
  updatedAt: '2026-11-20T09:30:00.000Z',
  createdBy: 'agent1',
  callReason: 'Report a car accident',
  cause: '',
  drivers: ['Sarah Standl'],
  policyNumber: '546452',
  accidentDate,
  location: 'M23',
  damages: [],
  summary: '',
  status: 'open',
  ...overrides,
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  // Keep the byte-order mark: it is part of what is asserted.
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await new Response(stream).arrayBuffer());
}

describe('CSV fields', () => {
  it('leaves plain text as it is', () => {
    expect(csvField('Sarah Standl')).toBe('Sarah Standl');
    expect(csvField(3)).toBe('3');
  });

  it('quotes a field holding a comma, a quote or a line break, doubling the quotes (RFC 4180)', () => {
    expect(csvField('M23, junction 10')).toBe('"M23, junction 10"');
    expect(csvField('the "other" car')).toBe('"the ""other"" car"');
    expect(csvField('line one\nline two')).toBe('"line one\nline two"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
  });

  it('makes text that a spreadsheet would run as a formula inert with a leading quote', () => {
    for (const start of ['=', '+', '-', '@', '\t']) expect(csvField(`${start}SUM(A1:A9)`)).toBe(`'${start}SUM(A1:A9)`);
    expect(csvField('\rSUM(A1)')).toBe('"\'\rSUM(A1)"');
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('a=b')).toBe('a=b');
  });

  it('ends every line with CRLF', () => {
    expect(csvLine(['a', 'b,c'])).toBe('a,"b,c"\r\n');
  });
});

describe('CSV export stream', () => {
  it('lists every day of the range, inclusive, across a month end', () => {
    expect([...eachDay('2026-10-30', '2026-11-02')]).toEqual(['2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02']);
    expect([...eachDay('2026-11-02', '2026-11-01')]).toEqual([]);
  });

  it('writes each day page by page, reading the next page only when the previous one was taken', async () => {
    const days: Record<string, Accident[]> = {
      '2026-11-01': ['15', '14', '13', '12', '11'].map((id) => report(id, '2026-11-01')),
      '2026-11-03': [report('31', '2026-11-03', { location: 'Upper St, "the" corner', drivers: ['A', 'B'] })],
    };
    const reads: string[] = [];
    const readPage = async (date: string, limit: number, beforeId?: string) => {
      reads.push(`${date}/${beforeId ?? '-'}`);
      const rows = (days[date] ?? []).filter((r) => beforeId === undefined || BigInt(r.id) < BigInt(beforeId));
      return { items: rows.slice(0, limit), hasMore: rows.length > limit };
    };
    const stream = csvExportStream({ readPage, from: '2026-11-01', to: '2026-11-03', pageSize: 2, onError: () => undefined });
    const reader = stream.getReader();
    await reader.read(); // the header
    expect(reads.length).toBeLessThanOrEqual(1);
    const rest: string[] = [];
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest.push(new TextDecoder().decode(chunk.value));
    expect(reads).toEqual(['2026-11-01/-', '2026-11-01/14', '2026-11-01/12', '2026-11-02/-', '2026-11-03/-']);
    const lines = rest.join('').split('\r\n').filter(Boolean);
    expect(lines.map((line) => line.split(',')[0])).toEqual(['15', '14', '13', '12', '11', '31']);
    expect(lines[5]).toContain('A; B,"Upper St, ""the"" corner"');
  });

  it('starts with a byte-order mark and the header line', async () => {
    const text = await readAll(
      csvExportStream({ readPage: async () => ({ items: [], hasMore: false }), from: '2026-11-01', to: '2026-11-01', onError: () => undefined }),
    );
    expect(text).toBe(
      '\uFEFFid,site,version,createdAt,updatedAt,createdBy,accidentDate,status,policyNumber,callReason,cause,drivers,location,damages,summary\r\n',
    );
  });
});
