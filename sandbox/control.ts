// Sandbox-only endpoints (never under /API/v3, no token): the HTML home page, a fake survey page
// for generated links, and /__sandbox/* controls for tests.
import { errorEnvelope } from "./envelope";
import { FaultConfigError, Faults, parseFaultConfig } from "./faults";
import { handleExportControl } from "./export-control";
import { Answer, escapeHtml, htmlAnswer, jsonAnswer } from "./http-io";
import type { PublicationUrlMode } from "./publication-urls";
import { distributionRecipients } from "./recipients";
import { UnknownSurveyError } from "./responses";
import { checkTransactionRules } from "./transaction-rules";
import { CompleteOptions, CompleteResult, Sandbox } from "./types";

export interface ControlDeps {
  sandbox: Sandbox;
  faults: Faults;
}

export interface ControlRequest {
  method: string;
  url: URL;
  contentType: string;
  rawBody: string;
}

const PAGE_STYLE = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
  + "code{background:#f3f3f3;padding:.1rem .3rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}";

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head><body>${body}</body></html>`;
}

function homePage(sb: Sandbox): string {
  const surveys = [...sb.state.surveys.values()].map((s) => `<tr><td>${escapeHtml(s.name)}</td><td><code>${escapeHtml(s.id)}</code></td><td>${s.responses.size}</td>`
    + `<td><form method="post" action="/__sandbox/surveys/${encodeURIComponent(s.id)}/complete"><button type="submit">Complete a response</button></form></td>`
    + `<td><a href="/jfe/form/${encodeURIComponent(s.id)}">survey page</a></td></tr>`).join("");
  const subs = [...sb.state.subscriptions.values()].map((s) => `<tr><td><code>${escapeHtml(s.id)}</code></td><td>${escapeHtml(s.topics)}</td>`
    + `<td>${escapeHtml(s.publicationUrl)}</td><td>${s.sharedKey ? "yes" : "no"}</td><td>${s.successfulCalls}</td></tr>`).join("");
  return page("Qualtrics API sandbox", `<h1>Qualtrics API sandbox</h1>
<p>A local stand-in for the Qualtrics REST API v3. Nothing here talks to Qualtrics.</p>
<table><tr><th>API base URL</th><td><code>${escapeHtml(sb.apiBase)}</code></td></tr>
<tr><th>API token (X-API-TOKEN)</th><td><code>${escapeHtml(sb.token)}</code></td></tr>
<tr><th>Brand ID</th><td><code>${escapeHtml(sb.brandId)}</code></td></tr>
<tr><th>Data centre</th><td><code>${escapeHtml(sb.state.dataCenter)}</code></td></tr></table>
<p>Try: <code>curl -H "X-API-TOKEN: ${escapeHtml(sb.token)}" ${escapeHtml(sb.apiBase)}/whoami</code></p>
<h2>Surveys</h2>
<p>"Complete a response" stores a new response and sends the <code>surveyengine.completedResponse</code> webhook to every matching event subscription.</p>
<table><tr><th>Name</th><th>Survey ID</th><th>Responses</th><th></th><th></th></tr>${surveys || '<tr><td colspan="5">no surveys</td></tr>'}</table>
<h2>Event subscriptions</h2>
<table><tr><th>ID</th><th>Topics</th><th>Publication URL</th><th>HMAC</th><th>Successful calls</th></tr>${subs || '<tr><td colspan="5">none yet</td></tr>'}</table>
<p><a href="/__sandbox/requests">Recorded API requests (JSON)</a></p>`);
}

/** Parses the Q_DL of a sandbox generated link: EMD_…_SV_…_<contactLookupId>. */
export function parseQdl(qdl: string | null): CompleteOptions {
  const m = qdl ? /^(EMD_[A-Za-z0-9]+)_SV_[A-Za-z0-9]+_(.+)$/.exec(qdl) : null;
  return m ? { distributionId: m[1], recipientId: m[2] } : {};
}

function surveyPage(sb: Sandbox, surveyId: string, url: URL): Answer {
  const survey = sb.state.surveys.get(surveyId);
  if (!survey) return htmlAnswer(404, page("Survey not found", `<h1>Survey not found</h1><p><a href="/">Back</a></p>`));
  const link = parseQdl(url.searchParams.get("Q_DL"));
  const fields = survey.questions.map((q) => {
    const name = `value.${q.qid}`;
    const input = q.choices
      ? `<select name="${escapeHtml(name)}">${Object.entries(q.choices).map(([k, v]) => `<option value="${escapeHtml(k)}"${String(q.defaultValue) === k ? " selected" : ""}>${escapeHtml(v)}</option>`).join("")}</select>`
      : `<input name="${escapeHtml(name)}" value="${escapeHtml(String(q.defaultValue))}" size="50">`;
    return `<p><label>${escapeHtml(q.text)}<br>${input}</label></p>`;
  }).join("");
  const hidden = (link.distributionId ? `<input type="hidden" name="distributionId" value="${escapeHtml(link.distributionId)}">` : "")
    + (link.recipientId ? `<input type="hidden" name="recipientId" value="${escapeHtml(link.recipientId)}">` : "");
  return htmlAnswer(200, page(survey.name, `<h1>${escapeHtml(survey.name)}</h1>
<form method="post" action="/__sandbox/surveys/${encodeURIComponent(survey.id)}/complete">${fields}${hidden}<button type="submit">Submit</button></form>`));
}

function resultPage(result: CompleteResult): string {
  const rows = result.deliveries.map((d) => `<tr><td><code>${escapeHtml(d.subscriptionId)}</code></td><td>${escapeHtml(d.url)}</td>`
    + `<td>${d.status ?? ""}</td><td>${escapeHtml(d.error ?? "")}</td></tr>`).join("");
  return page("Response recorded", `<h1>Response recorded</h1><p>Response ID: <code>${escapeHtml(result.responseId)}</code></p>
<h2>Webhook deliveries</h2><table><tr><th>Subscription</th><th>URL</th><th>HTTP status</th><th>Error</th></tr>${rows || '<tr><td colspan="4">no matching event subscriptions</td></tr>'}</table>
<p><a href="/">Back</a></p>`);
}

function parseJson(raw: string): { ok: true; value: unknown } | { ok: false } {
  if (raw.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const controlError = (status: number, message: string): Answer => jsonAnswer(status, { error: message });

async function complete(deps: ControlDeps, surveyId: string, req: ControlRequest): Promise<Answer> {
  const fromForm = req.contentType.startsWith("application/x-www-form-urlencoded");
  let values: Record<string, unknown> | undefined;
  const opts: CompleteOptions = {};
  if (fromForm) {
    const form = new URLSearchParams(req.rawBody);
    for (const [k, v] of form) {
      if (k.startsWith("value.")) {
        values ??= {};
        values[k.slice(6)] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
      }
    }
    opts.recipientId = form.get("recipientId") ?? undefined;
    opts.distributionId = form.get("distributionId") ?? undefined;
  } else {
    const parsed = parseJson(req.rawBody);
    if (!parsed.ok) return controlError(400, "body is not valid JSON");
    if (parsed.value !== undefined) {
      if (!isRecord(parsed.value)) return controlError(400, "body must be a JSON object like {\"values\":{...}}");
      const b = parsed.value;
      if (b.values !== undefined) {
        if (!isRecord(b.values)) return controlError(400, "values must be a JSON object");
        values = b.values;
      }
      if (typeof b.recipientId === "string") opts.recipientId = b.recipientId;
      if (typeof b.distributionId === "string") opts.distributionId = b.distributionId;
    }
  }
  try {
    const result = await deps.sandbox.completeResponse(surveyId, values, opts);
    return fromForm ? htmlAnswer(200, resultPage(result)) : jsonAnswer(200, result);
  } catch (err) {
    if (err instanceof UnknownSurveyError) return controlError(404, err.message);
    throw err;
  }
}

/** Answers a non-/API/v3 request. */
export async function handleControl(deps: ControlDeps, req: ControlRequest): Promise<Answer> {
  const { method, url } = req;
  const path = url.pathname;
  if (path === "/" && method === "GET") return htmlAnswer(200, homePage(deps.sandbox));

  const form = /^\/jfe\/form\/([^/]+)$/.exec(path);
  if (form && method === "GET") return surveyPage(deps.sandbox, decodeURIComponent(form[1]), url);

  const done = /^\/__sandbox\/surveys\/([^/]+)\/complete$/.exec(path);
  if (done && method === "POST") return complete(deps, decodeURIComponent(done[1]), req);

  if (path === "/__sandbox/requests" && method === "GET") return jsonAnswer(200, deps.sandbox.requests);
  if (path === "/__sandbox/reset" && method === "POST") {
    deps.sandbox.reset();
    return jsonAnswer(200, { ok: true });
  }
  if (path === "/__sandbox/faults") {
    if (method === "GET") return jsonAnswer(200, { config: deps.faults.config, stats: deps.faults.stats });
    if (method === "DELETE") {
      deps.faults.clear();
      return jsonAnswer(200, { ok: true });
    }
    if (method === "POST") {
      const parsed = parseJson(req.rawBody);
      if (!parsed.ok) return controlError(400, "body is not valid JSON");
      try {
        deps.faults.set(parseFaultConfig(parsed.value ?? {}));
      } catch (err) {
        if (err instanceof FaultConfigError) return controlError(400, err.message);
        throw err;
      }
      return jsonAnswer(200, { ok: true, config: deps.faults.config });
    }
  }
  if (path === "/__sandbox/publication-urls") {
    if (method === "GET") return jsonAnswer(200, { mode: deps.sandbox.publicationUrls.mode });
    if (method === "POST") {
      const parsed = parseJson(req.rawBody);
      const mode = parsed.ok && isRecord(parsed.value) ? parsed.value.mode : undefined;
      try {
        deps.sandbox.publicationUrls.set(mode as PublicationUrlMode);
      } catch (err) {
        if (err instanceof RangeError) return controlError(400, err.message);
        throw err;
      }
      return jsonAnswer(200, { ok: true, mode: deps.sandbox.publicationUrls.mode });
    }
  }
  const reached = /^\/__sandbox\/distributions\/([^/]+)\/recipients$/.exec(path);
  if (reached && method === "GET") {
    const found = distributionRecipients(deps.sandbox.state, decodeURIComponent(reached[1]));
    return found ? jsonAnswer(200, found) : controlError(404, `no distribution ${decodeURIComponent(reached[1])}`);
  }
  if (path === "/__sandbox/transaction-rules") {
    if (method === "GET") return jsonAnswer(200, deps.sandbox.transactionRules.current);
    if (method === "POST") {
      const parsed = parseJson(req.rawBody);
      if (!parsed.ok) return controlError(400, "body is not valid JSON");
      try {
        deps.sandbox.transactionRules.set(checkTransactionRules(parsed.value ?? {}));
      } catch (err) {
        if (err instanceof RangeError) return controlError(400, err.message);
        throw err;
      }
      return jsonAnswer(200, { ok: true, ...deps.sandbox.transactionRules.current });
    }
  }
  const exportAnswer = handleExportControl(deps.sandbox.state, method, path, req.rawBody);
  if (exportAnswer) return exportAnswer;
  return jsonAnswer(404, errorEnvelope(404, `Not found: ${method} ${path}`));
}
