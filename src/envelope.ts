// The Qualtrics v3 envelope (docs/qualtrics-facts.md §2.1): {result, meta:{httpStatus, requestId, notice, error}}.
// Some calls (DELETE, most PUTs) answer with meta only; a few bodies are not enveloped at all.

export interface QualtricsMeta {
  httpStatus?: string;
  requestId?: string;
  notice?: string;
  error?: { errorMessage?: string; errorCode?: string; instanceId?: string };
}

export interface Envelope {
  /** the unwrapped `result`, or the whole body when it is not an envelope */
  result: unknown;
  meta: QualtricsMeta;
  enveloped: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

export function readMeta(body: unknown): QualtricsMeta {
  if (!isObject(body) || !isObject(body.meta)) return {};
  const m = body.meta;
  const meta: QualtricsMeta = { httpStatus: str(m.httpStatus), requestId: str(m.requestId), notice: str(m.notice) };
  if (isObject(m.error)) {
    meta.error = {
      errorMessage: str(m.error.errorMessage),
      errorCode: str(m.error.errorCode),
      instanceId: str(m.error.instanceId),
    };
  }
  return meta;
}

export function unwrap(body: unknown): Envelope {
  const meta = readMeta(body);
  if (isObject(body) && isObject(body.meta)) {
    return { result: "result" in body ? body.result : undefined, meta, enveloped: true };
  }
  return { result: body, meta, enveloped: false };
}
