// A survey's questions, kept for a few minutes per account (per client, so per config node), so
// labelling every response of a busy survey does not fetch its definition each time.
import type { QualtricsClient } from "./client";
import { QualtricsApiError } from "./errors";
import { QuestionCatalog, catalogFromDefinition, catalogFromSurvey } from "./survey-questions";
import { getSurvey, getSurveyDefinition } from "./surveys";
import { requireId } from "./validate";

export const DEFINITION_CACHE_MS = 5 * 60_000;

export interface CatalogAnswer {
  catalog: QuestionCatalog;
  /** of the request that fetched it */
  requestId?: string;
  notice?: string;
  /** served from the cache */
  cached: boolean;
}

interface Entry {
  at: number;
  answer: Promise<Omit<CatalogAnswer, "cached">>;
}

const caches = new WeakMap<QualtricsClient, Map<string, Entry>>();

async function load(client: QualtricsClient, surveyId: string): Promise<Omit<CatalogAnswer, "cached">> {
  try {
    const res = await getSurveyDefinition(client, surveyId);
    return { catalog: catalogFromDefinition(surveyId, res.result), requestId: res.requestId, notice: res.notice };
  } catch (err) {
    // UNCONFIRMED (docs/qualtrics-facts.md §8.1): who may read /survey-definitions; a user who may not
    // (403), or a survey kind it does not serve (404), still has GET /surveys/{id} with the
    // questions in the v3 survey format
    if (!(err instanceof QualtricsApiError) || (err.statusCode !== 403 && err.statusCode !== 404)) throw err;
    const res = await getSurvey(client, surveyId);
    return { catalog: catalogFromSurvey(surveyId, res.result), requestId: res.requestId, notice: res.notice };
  }
}

function raceSignal<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

export interface CatalogOptions {
  /** fetch again even when a recent copy is kept */
  refresh?: boolean;
  signal?: AbortSignal;
  ttlMs?: number;
}

/**
 * The survey's questions from a copy younger than ttlMs, else from Qualtrics. Messages asking at
 * the same time share one request; a failure is not kept. A caller's signal ends only its own wait.
 */
export async function questionCatalog(client: QualtricsClient, surveyId: unknown, opts: CatalogOptions = {}): Promise<CatalogAnswer> {
  const id = requireId("surveyId", surveyId, "survey");
  const ttl = opts.ttlMs ?? DEFINITION_CACHE_MS;
  let entries = caches.get(client);
  if (!entries) caches.set(client, (entries = new Map()));
  const now = Date.now();
  for (const [k, e] of entries) if (now - e.at > ttl) entries.delete(k);
  const hit = entries.get(id);
  if (hit && !opts.refresh) return { ...(await raceSignal(hit.answer, opts.signal)), cached: true };
  const entry: Entry = { at: now, answer: load(client, id) };
  entries.set(id, entry);
  entry.answer.catch(() => {
    if (entries!.get(id) === entry) entries!.delete(id);
  });
  return { ...(await raceSignal(entry.answer, opts.signal)), cached: false };
}

/** forget a survey's copy (or every copy of the account) */
export function forgetCatalog(client: QualtricsClient, surveyId?: string): void {
  if (surveyId === undefined) caches.delete(client);
  else caches.get(client)?.delete(surveyId);
}
