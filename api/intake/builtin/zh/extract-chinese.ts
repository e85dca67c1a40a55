// The built-in drafter for Simplified Chinese calls: each field is read by its own rules from the call's turns,
// then the summary is put together from what was found. Any transcript gives a draft, with fewer fields when
// less is said.
import type { DraftField, DraftFields, EvidenceSpan, Extraction, ExtractionInput } from '../../extractor.js';
import { parseTurns } from '../turns.js';
import { extractAccidentDate } from './accident-date.js';
import { extractDamages } from './damages.js';
import { extractDrivers } from './drivers.js';
import { extractLocation } from './location.js';
import { composeSummary, extractCallReason, extractCause } from './narrative.js';
import { extractPolicyNumber } from './policy-number.js';
import { inferSpeakers, type FieldResult } from './transcript-text.js';

export function extractChinese(input: ExtractionInput): Extraction {
  const turns = inferSpeakers(parseTurns(input.transcript.normalize('NFC')));
  const draft: DraftFields = {};
  const confidence: Partial<Record<DraftField, number>> = {};
  const evidence: Partial<Record<DraftField, EvidenceSpan[]>> = {};
  const keep = <K extends DraftField>(field: K, result: FieldResult<NonNullable<DraftFields[K]>> | undefined) => {
    if (!result) return;
    draft[field] = result.value;
    confidence[field] = result.confidence;
    evidence[field] = result.evidence;
  };
  if (turns.length === 0) return { draft, confidence, evidence };
  keep('callReason', extractCallReason(turns));
  keep('policyNumber', extractPolicyNumber(turns));
  keep('accidentDate', extractAccidentDate(turns, input.callDate));
  keep('drivers', extractDrivers(turns));
  keep('location', extractLocation(turns));
  keep('damages', extractDamages(turns));
  keep('cause', extractCause(turns));
  draft.summary = composeSummary(draft);
  confidence.summary = Math.min(confidence.drivers ?? 0.3, 0.6);
  evidence.summary = [...(evidence.drivers ?? []), ...(evidence.cause ?? [])];
  return { draft, confidence, evidence };
}
