// A language model the customer runs, reached over the OpenAI chat-completions protocol that vLLM,
// llama.cpp, Ollama and the hosted services all speak. It is asked for JSON matching the draft's schema;
// whatever comes back is validated, and on any failure (an HTTP error, a malformed or invalid answer, a
// timeout) the built-in extractor's draft is used, so a model outage never fails an intake.
import { z } from 'zod';
import type { Logger } from 'pino';
import { type DraftField, type DraftFields, type Extraction, ExtractionError, type ExtractionInput, type Extractor } from './extractor.js';

export interface LlmSettings {
  /** The base URL, e.g. `http://llm:8000/v1`; requests go to `{url}/chat/completions`. */
  readonly url: string;
  readonly model: string;
  readonly apiKey?: string;
  readonly timeoutMs: number;
}

const text = (max: number) => z.string().trim().min(1).max(max);
/** What the model must answer: the report fields, each optional, within the report's own limits. */
export const LlmDraftSchema = z.strictObject({
  callReason: text(500).optional(),
  cause: text(2000).optional(),
  drivers: z.array(text(200)).max(10).optional(),
  policyNumber: text(64).optional(),
  accidentDate: z.iso.date().optional(),
  location: text(500).optional(),
  damages: z.array(text(500)).max(50).optional(),
  summary: text(8000).optional(),
});

const INSTRUCTIONS = [
  'You draft a car-accident report from the transcript of an insurance call. Answer with one JSON object and nothing else.',
  'Fields (omit any the call does not give): callReason (a short phrase), cause (one sentence), drivers (full names of everyone who',
  "was driving a vehicle involved; never the agent, passengers or witnesses), policyNumber (the caller's own policy as finally",
  'confirmed, digits and capital letters), accidentDate (YYYY-MM-DD, resolved against callDate, never after it), location (the most',
  'precise place given), damages (one short phrase per damaged part; "other vehicle\'s …" for the other car; no injuries), summary',
  '(1 to 3 sentences naming every driver). Write cause and summary in the language of the call.',
].join(' ');

const ChatAnswerSchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1) });

export function createLlmExtractor(settings: LlmSettings, fallback: Extractor, logger: Logger): Extractor {
  const endpoint = `${settings.url.replace(/\/+$/, '')}/chat/completions`;
  const schema = z.toJSONSchema(LlmDraftSchema);

  async function ask(input: ExtractionInput, signal: AbortSignal): Promise<DraftFields> {
    const response = await fetch(endpoint, {
      method: 'POST',
      signal,
      headers: { 'content-type': 'application/json', ...(settings.apiKey && { authorization: `Bearer ${settings.apiKey}` }) },
      body: JSON.stringify({
        model: settings.model,
        temperature: 0,
        response_format: { type: 'json_schema', json_schema: { name: 'accident_report_draft', schema, strict: true } },
        messages: [
          { role: 'system', content: INSTRUCTIONS },
          { role: 'user', content: JSON.stringify({ callDate: input.callDate, language: input.language, transcript: input.transcript }) },
        ],
      }),
    }).catch((cause: unknown) => {
      throw new ExtractionError(signal.aborted ? `the model did not answer within ${settings.timeoutMs} ms` : 'the model could not be reached', { cause });
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new ExtractionError(`the model answered HTTP ${response.status}`);
    }
    const answer = ChatAnswerSchema.safeParse(await response.json().catch(() => undefined));
    const content = answer.success ? answer.data.choices[0]?.message.content : undefined;
    if (!content) throw new ExtractionError('the model answered something other than a chat completion');
    let parsed: unknown;
    try {
      parsed = JSON.parse(content.replace(/^\s*```(?:json)?\s*|\s*```\s*$/g, ''));
    } catch {
      throw new ExtractionError('the model answered text that is not JSON');
    }
    const draft = LlmDraftSchema.safeParse(parsed);
    if (!draft.success)
      throw new ExtractionError(`the model's JSON does not match the draft: ${draft.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}`);
    if (draft.data.accidentDate && draft.data.accidentDate > input.callDate) delete draft.data.accidentDate;
    return draft.data;
  }

  return {
    name: 'llm',
    warm: () => fallback.warm?.(),
    async extract(input, signal) {
      const builtin = await fallback.extract(input, signal);
      const deadline = AbortSignal.timeout(settings.timeoutMs);
      try {
        const draft = await ask(input, signal ? AbortSignal.any([signal, deadline]) : deadline);
        return { ...merge(input.transcript, draft, builtin), source: 'llm' };
      } catch (error) {
        // Only our own words reach the log: the model's answer may quote the call.
        logger.warn({ reason: error instanceof ExtractionError ? error.message : 'unexpected error' }, 'the language model failed; using the built-in draft');
        return { ...builtin, source: `${fallback.name} (the model failed: ${error instanceof ExtractionError ? error.message : 'unexpected error'})` };
      }
    },
  };
}

/**
 * The model's fields, with evidence: the built-in extractor's where both agree (and then more
 * confidence), else where the value itself appears in the transcript.
 */
function merge(transcript: string, draft: DraftFields, builtin: Extraction): Extraction {
  const confidence: Extraction['confidence'] = {};
  const evidence: Extraction['evidence'] = {};
  for (const field of Object.keys(draft) as DraftField[]) {
    const value = draft[field];
    const agrees = JSON.stringify(value) === JSON.stringify(builtin.draft[field]);
    confidence[field] = agrees ? Math.max(0.9, builtin.confidence[field] ?? 0) : 0.6;
    const found = agrees ? builtin.evidence[field] : spansOf(transcript, Array.isArray(value) ? value : [value ?? '']);
    if (found?.length) evidence[field] = found;
  }
  return { draft, confidence, evidence };
}

function spansOf(transcript: string, values: readonly string[]) {
  const lower = transcript.toLowerCase();
  return values.flatMap((value) => {
    const start = value.length >= 2 ? lower.indexOf(value.toLowerCase()) : -1;
    return start < 0 ? [] : [{ start, end: start + value.length }];
  });
}
