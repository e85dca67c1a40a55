import { randomUUID } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import type { Permission } from '../auth/roles.js';
import { ProblemError } from '../http/problem.js';
import type { AuditedIntakes } from '../intake/audited.js';
import { NewIntakeSchema } from '../intake/schema.js';
import type { Intake } from '../intake/store.js';
import type { ReportFormValues } from './form-input.js';
import { translateValidation } from './i18n.js';
import type { PageContext } from './pages/layout.js';
import { IntakeDraftPage, IntakePendingPage, IntakeStartPage, type IntakeStartValues } from './pages/intake.js';
import { MessagePage } from './pages/messages.js';
import { type ConsoleContext, formBody, html, sessionOf } from './render.js';
import type { ConsoleEnv } from './session.js';

export interface IntakeRoutesDeps {
  readonly site: string;
  readonly intakes: AuditedIntakes;
  readonly ctx: (c: ConsoleContext) => Promise<PageContext>;
  readonly allowed: (permission: Permission) => MiddlewareHandler<ConsoleEnv>;
  readonly actorOf: (c: ConsoleContext) => string;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** The new-report form's values from a draft: what it found, and the call's day when it found no accident date. */
function draftValues(intake: Intake): ReportFormValues {
  const draft = intake.extraction?.draft ?? {};
  return {
    callReason: draft.callReason ?? '',
    cause: draft.cause ?? '',
    drivers: draft.drivers ?? [],
    policyNumber: draft.policyNumber ?? '',
    accidentDate: draft.accidentDate ?? intake.callDate,
    location: draft.location ?? '',
    damages: draft.damages ?? [],
    summary: draft.summary ?? '',
    intakeId: intake.id,
  };
}

/** "New report from a call": paste the transcript, wait for the draft, check it in the report form beside the call. */
export function createIntakeRoutes({ site, intakes, ctx, allowed, actorOf }: IntakeRoutesDeps) {
  const base = `/${site}`;
  const app = new Hono<ConsoleEnv>();
  const start = async (c: ConsoleContext, values: IntakeStartValues, errors?: Record<string, string[]>, status: 200 | 400 | 413 = 200) =>
    html(c, <IntakeStartPage ctx={await ctx(c)} values={values} errors={errors} />, status);

  app.get('/intakes/new', allowed('intakes:write'), (c) => start(c, { transcript: '', callDate: intakes.today(), language: '' }));

  app.post('/intakes/new', allowed('intakes:write'), async (c) => {
    const body = await formBody(c);
    const values = { transcript: text(body.transcript), callDate: text(body.callDate), language: text(body.language) };
    const parsed = NewIntakeSchema.safeParse({
      transcript: values.transcript,
      ...(values.callDate && { callDate: values.callDate }),
      ...(values.language && { language: values.language }),
    });
    if (!parsed.success) {
      const errors: Record<string, string[]> = {};
      for (const issue of parsed.error.issues)
        (errors[String(issue.path[0] ?? 'transcript')] ??= []).push(translateValidation(c.get('language'), issue.message));
      return start(c, values, errors, 400);
    }
    try {
      const intake = await intakes.submit(sessionOf(c).user.username, parsed.data);
      return c.redirect(`${base}/intakes/${intake.id}`, 303);
    } catch (error) {
      if (error instanceof ProblemError && error.status === 413) return start(c, values, { transcript: [c.get('t')('intakeTooLarge')] }, 413);
      throw error;
    }
  });

  // The telephony system posts a call through the API and hands the agent its id.
  app.get('/intakes/open', allowed('intakes:read'), (c) => {
    const id = c.req.query('id')?.trim() ?? '';
    return c.redirect(/^[0-9]{1,20}$/.test(id) ? `${base}/intakes/${id}` : `${base}/intakes/new`, 303);
  });

  app.get('/intakes/:id', allowed('intakes:read'), async (c) => {
    const id = c.req.param('id');
    const intake = await intakes.read(actorOf(c), id);
    const t = c.get('t');
    if (!intake) {
      const page = (
        <MessagePage
          ctx={await ctx(c)}
          title={t('notFoundTitle')}
          message={t('intakeNotFound', { id })}
          link={{ href: `${base}/intakes/new`, label: t('navIntake') }}
        />
      );
      return html(c, page, 404);
    }
    c.header('cache-control', 'no-store');
    if (intake.status === 'queued' || intake.status === 'running') return html(c, <IntakePendingPage ctx={await ctx(c)} id={id} status={intake.status} />);
    const extraction = intake.extraction;
    return html(
      c,
      <IntakeDraftPage
        ctx={await ctx(c)}
        id={id}
        transcript={intake.transcript}
        values={draftValues(intake)}
        confidence={extraction?.confidence ?? {}}
        evidence={extraction?.evidence ?? {}}
        idempotencyKey={randomUUID()}
        failed={intake.status === 'failed' ? (intake.error?.detail ?? t('intakeFailedTitle')) : undefined}
      />,
    );
  });

  return app;
}
