// The English built-in extractor: parses the transcript into turns once and lets each field's finder read
// them. Every finder is a pure function of the turns, so a field that cannot be found is simply left out,
// and the summary is composed last from what the others found.
import type { DraftField, DraftFields, EvidenceSpan, Extraction, ExtractionInput } from '../../extractor.js';
import { parseTurns } from '../turns.js';
import { findAccidentDate } from './accident-date.js';
import { findDamages } from './damages.js';
import { findDrivers } from './drivers.js';
import { findLocation } from './location.js';
import { buildSummary, findCallReason, findCause } from './narrative.js';
import type { FoundValue } from './policy-number.js';
import { findPolicyNumber } from './policy-number.js';

// Past this a "transcript" is not one phone call; the rules stay linear, but a draft of it helps nobody.
const MAX_CHARS = 200_000;

export function extractEnglish(input: ExtractionInput): Extraction {
  const draft: DraftFields = {};
  const confidence: Partial<Record<DraftField, number>> = {};
  const evidence: Partial<Record<DraftField, EvidenceSpan[]>> = {};
  const transcript = typeof input.transcript === 'string' ? input.transcript.slice(0, MAX_CHARS) : '';
  const turns = parseTurns(transcript);
  const record = <K extends DraftField>(field: K, found: FoundValue<NonNullable<DraftFields[K]>> | undefined) => {
    if (!found) return;
    draft[field] = found.value;
    confidence[field] = found.confidence;
    evidence[field] = found.evidence;
  };
  if (!turns.length) return { draft, confidence, evidence };
  const drivers = findDrivers(turns);
  const namedOthers = drivers.value.filter((d) => d !== drivers.caller).length;
  record('callReason', findCallReason(turns, namedOthers));
  record('policyNumber', findPolicyNumber(turns));
  record('accidentDate', findAccidentDate(turns, input.callDate));
  if (drivers.value.length) record('drivers', drivers);
  record('location', findLocation(turns));
  record('damages', findDamages(turns));
  record('cause', findCause(turns));
  const summary = buildSummary({
    ...(drivers.caller ? { caller: drivers.caller } : {}),
    reason: draft.callReason,
    drivers: draft.drivers,
    date: draft.accidentDate,
    location: draft.location,
    damages: draft.damages,
    cause: draft.cause,
  });
  if (summary) record('summary', { value: summary, evidence: [], confidence: 0.4 });
  return { draft, confidence, evidence };
}
