// What every extractor takes and gives back. The intake queue runs one behind this interface: the built-in
// drafter (offline, the default) or a language model the customer runs, which falls back to the built-in one.

export type IntakeLanguage = 'en' | 'zh';

/** A call to draft from; `language` is already decided (given by the client or detected). */
export interface ExtractionInput {
  readonly transcript: string;
  /** `YYYY-MM-DD`, the day of the call: "yesterday" and 昨天 resolve against it. */
  readonly callDate: string;
  readonly language: IntakeLanguage;
}

/** The report fields a draft may hold: the writable fields of a report, each only when found. */
export interface DraftFields {
  callReason?: string;
  cause?: string;
  drivers?: string[];
  policyNumber?: string;
  accidentDate?: string;
  location?: string;
  damages?: string[];
  summary?: string;
}

export type DraftField = keyof DraftFields;

/** Half-open character range `[start, end)` of the transcript (UTF-16 offsets, as JavaScript strings index). */
export interface EvidenceSpan {
  readonly start: number;
  readonly end: number;
}

export interface Extraction {
  readonly draft: DraftFields;
  /** 0 to 1 per field found: how sure the extractor is, so the console can ask the agent to check. */
  readonly confidence: Partial<Record<DraftField, number>>;
  /** Where each field's value came from in the transcript. */
  readonly evidence: Partial<Record<DraftField, EvidenceSpan[]>>;
  /** Which extractor drafted it when not the one asked (the model's fallback says so); recorded with the intake. */
  readonly source?: string;
}

export interface Extractor {
  /** `builtin` or `llm`, recorded with the draft. */
  readonly name: string;
  extract(input: ExtractionInput, signal?: AbortSignal): Promise<Extraction>;
  /** Loads what the first call would otherwise pay for (the Chinese dictionary), at start rather than on a call. */
  warm?(): void;
}

/**
 * An extractor's failure in words written for the agent, holding no personal data: its message goes into
 * the intake's `error`. Any other error is reported by its class alone, since its message might quote the call.
 */
export class ExtractionError extends Error {
  override name = 'ExtractionError';
}
