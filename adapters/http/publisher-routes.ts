// The endpoints of the publisher API: each one translates a request into one call of the
// PublisherApi contract and its answer into JSON. No logic of the publisher lives here.
import type { ActionResult, Operator, PublisherApi, SimulatorAction } from '../../src/api/publisher-api.ts';
import { MAX_COPIES } from '../../src/config/defaults.ts';
import {
  bodyObject, optionalCount, optionalText, requiredBoolean, requiredChoice, requiredNumber, requiredText, requiredTextList, requiredWholeNumber, type BodyFields,
} from './body-fields.ts';
import { HttpError } from './http-error.ts';
import { optionalLimit, optionalParam } from './request-input.ts';
import type { Route } from './router.ts';

/** What a handler may ask of the request; the body and the operator are read only when asked for. */
export interface RequestContext {
  query: URLSearchParams;
  operator(): Operator;
  body(): Promise<unknown>;
}

export interface Reply {
  status: number;
  body: unknown;
}

export type PublisherRoute = Route<RequestContext, Promise<Reply>>;

export const MAX_HOLD_REASON_LENGTH = 500;

/** Simulator actions: the fields each kind takes, and bounds the simulator narrows further (a model's bins and slots). */
export const SIMULATOR_FIELDS = {
  fault: ['code', 'trigger'],
  fillBin: ['bin', 'count'],
  cover: ['open'],
  cartridge: ['slot', 'type'],
  ink: ['slot', 'pct'],
  power: ['on'],
} as const satisfies Record<SimulatorAction['kind'], readonly string[]>;
export const MAX_SIMULATOR_TEXT_LENGTH = 100;
export const MAX_SIMULATOR_BIN = 99;
export const MAX_SIMULATOR_SLOT = 99;
export const MAX_SIMULATOR_BIN_COUNT = 10_000;

const ok = (body: unknown): Reply => ({ status: 200, body });

function found<T>(view: T | undefined, what: string): Reply {
  if (view === undefined) throw new HttpError(404, `no such ${what}`);
  return ok(view);
}

function actionReply(result: ActionResult): Reply {
  if (result.ok) return ok(result.jobId === undefined ? { ok: true } : { ok: true, jobId: result.jobId });
  if (!Number.isInteger(result.status) || result.status < 400 || result.status > 499) {
    throw new Error(`the publisher API refused an action with status ${String(result.status)}, not a 4xx status`);
  }
  throw new HttpError(result.status, result.error);
}

/** An action endpoint: the operator, then the body checked against the fields it knows. */
function action(
  pattern: string,
  fields: readonly string[],
  act: (params: Record<string, string>, by: Operator, body: Record<string, unknown>) => ActionResult,
): PublisherRoute {
  return {
    method: 'POST',
    pattern,
    async handle(context, params) {
      const by = context.operator();
      const body = bodyObject(await context.body(), fields);
      return actionReply(await act(params, by, body));
    },
  };
}

/** A simulator action from its JSON body: `kind` first, then only the fields of that kind. */
function simulatorActionFrom(body: unknown): SimulatorAction {
  const kinds = Object.keys(SIMULATOR_FIELDS) as SimulatorAction['kind'][];
  const kind = requiredChoice(bodyObject(body, ['kind', ...new Set(Object.values(SIMULATOR_FIELDS).flat())]), 'kind', kinds);
  const fields: BodyFields = bodyObject(body, ['kind', ...SIMULATOR_FIELDS[kind]]);
  const text = (name: string) => requiredText(fields, name, MAX_SIMULATOR_TEXT_LENGTH);
  switch (kind) {
    case 'fault': {
      const trigger = optionalText(fields, 'trigger', MAX_SIMULATOR_TEXT_LENGTH);
      return { kind, code: text('code'), ...(trigger === undefined ? {} : { trigger }) };
    }
    case 'fillBin':
      return { kind, bin: requiredWholeNumber(fields, 'bin', 1, MAX_SIMULATOR_BIN), count: requiredWholeNumber(fields, 'count', 0, MAX_SIMULATOR_BIN_COUNT) };
    case 'cover':
      return { kind, open: requiredBoolean(fields, 'open') };
    case 'cartridge':
      return { kind, slot: requiredWholeNumber(fields, 'slot', 1, MAX_SIMULATOR_SLOT), type: text('type') };
    case 'ink':
      return { kind, slot: requiredWholeNumber(fields, 'slot', 1, MAX_SIMULATOR_SLOT), pct: requiredNumber(fields, 'pct', 0, 100) };
    case 'power':
      return { kind, on: requiredBoolean(fields, 'on') };
  }
}

function listFilter(query: URLSearchParams): { state?: string; q?: string } {
  const state = optionalParam(query, 'state');
  const q = optionalParam(query, 'q');
  return { ...(state === undefined ? {} : { state }), ...(q === undefined ? {} : { q }) };
}

export function publisherRoutes(api: PublisherApi): PublisherRoute[] {
  return [
    { method: 'GET', pattern: '/api/health', handle: async () => ok({ ok: true }) },

    { method: 'GET', pattern: '/api/studies', handle: async ({ query }) => ok({ studies: await api.listStudies(listFilter(query)) }) },
    { method: 'GET', pattern: '/api/studies/:uid', handle: async (_, { uid }) => found(await api.getStudy(uid!), `study ${uid}`) },
    action('/api/studies/:uid/release-now', [], ({ uid }, by) => api.releaseStudyNow(uid!, by)),
    action('/api/studies/:uid/hold', ['reason'], ({ uid }, by, body) =>
      api.holdStudy(uid!, by, requiredText(body, 'reason', MAX_HOLD_REASON_LENGTH))),
    action('/api/studies/:uid/release', [], ({ uid }, by) => api.releaseStudy(uid!, by)),
    action('/api/studies/:uid/split', ['sopInstanceUids'], ({ uid }, by, body) =>
      api.splitStudy(uid!, { sopInstanceUids: requiredTextList(body, 'sopInstanceUids') }, by)),

    { method: 'GET', pattern: '/api/jobs', handle: async ({ query }) => ok({ jobs: await api.listJobs(listFilter(query)) }) },
    { method: 'GET', pattern: '/api/jobs/:id', handle: async (_, { id }) => found(await api.getJob(id!), `job ${id}`) },
    action('/api/jobs/:id/cancel', [], ({ id }, by) => api.cancelJob(id!, by)),
    action('/api/jobs/:id/retry', [], ({ id }, by) => api.retryJob(id!, by)),
    action('/api/jobs/:id/reburn', ['copies'], ({ id }, by, body) => {
      const copies = optionalCount(body, 'copies', MAX_COPIES);
      return copies === undefined ? api.reburnJob(id!, by) : api.reburnJob(id!, by, copies);
    }),
    action('/api/jobs/:id/reprint', [], ({ id }, by) => api.reprintLabel(id!, by)),

    { method: 'GET', pattern: '/api/robots', handle: async () => ok({ robots: await api.listRobots() }) },
    { method: 'GET', pattern: '/api/associations', handle: async () => ok({ associations: await api.listAssociations() }) },
    action('/api/robots/:name/clear-error', [], ({ name }, by) => api.clearRobotError(name!, by)),
    action('/api/robots/:name/acknowledge-ink-low', [], ({ name }, by) => api.acknowledgeInkLow(name!, by)),
    {
      method: 'GET',
      pattern: '/api/robots/:name/simulator/faults',
      handle: async (_, { name }) => {
        const faults = api.simulatorFaults(name!);
        if (faults === undefined) throw new HttpError(404, `no simulated robot ${name}`);
        return ok({ faults });
      },
    },
    {
      method: 'POST',
      pattern: '/api/robots/:name/simulator',
      async handle(context, { name }) {
        const by = context.operator();
        return actionReply(await api.simulatorAction(name!, simulatorActionFrom(await context.body()), by));
      },
    },

    {
      method: 'GET',
      pattern: '/api/audit',
      handle: async ({ query }) => {
        const subject = optionalParam(query, 'subject');
        const limit = optionalLimit(query, 'limit');
        const filter = { ...(subject === undefined ? {} : { subject }), ...(limit === undefined ? {} : { limit }) };
        return ok({ audit: await api.audit(filter) });
      },
    },
  ];
}
