// A proxied account (docs/qualtrics-facts.md §1.2): a wrong or legacy data center still answers, with
// meta.notice "Request proxied. For faster response times, use this host instead: <host>", and
// whoami may report a legacy data center name such as az1.
import { Answer } from "./http-io";

export interface ProxyConfig {
  /** the host the notice names, e.g. "sjc1.qualtrics.com" */
  host: string;
  /** what whoami reports as result.datacenter meanwhile (e.g. the legacy "az1"); absent = unchanged */
  dataCenter?: string;
}

export interface ProxyController {
  /** answer every /API/v3 request as proxied */
  set(cfg: ProxyConfig): void;
  clear(): void;
  readonly config: ProxyConfig | undefined;
}

export function proxiedNotice(host: string): string {
  return `Request proxied. For faster response times, use this host instead: ${host}`;
}

function checked(cfg: ProxyConfig): ProxyConfig {
  if (!cfg || typeof cfg.host !== "string" || !/^[a-z0-9.-]+$/i.test(cfg.host)) throw new RangeError("proxied.host must be a host name such as sjc1.qualtrics.com");
  if (cfg.dataCenter !== undefined && (typeof cfg.dataCenter !== "string" || cfg.dataCenter === "")) throw new RangeError("proxied.dataCenter must be a non-empty string");
  return { ...cfg };
}

export class ProxySwitch implements ProxyController {
  private current: ProxyConfig | undefined;

  constructor(initial?: ProxyConfig) {
    this.current = initial ? checked(initial) : undefined;
  }

  get config(): ProxyConfig | undefined {
    return this.current ? { ...this.current } : undefined;
  }

  set(cfg: ProxyConfig): void {
    this.current = checked(cfg);
  }

  clear(): void {
    this.current = undefined;
  }

  /** the answer as a proxied account gets it: the notice in meta, whoami's datacenter replaced */
  decorate(answer: Answer, apiPath: string): Answer {
    const cfg = this.current;
    if (!cfg || !/json/i.test(answer.headers["Content-Type"] ?? "")) return answer;
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return answer;
    }
    if (!body || typeof body !== "object") return answer;
    const env = body as { meta?: Record<string, unknown>; result?: Record<string, unknown> };
    if (!env.meta || typeof env.meta !== "object") return answer;
    env.meta.notice = proxiedNotice(cfg.host);
    if (cfg.dataCenter && /\/whoami\/?$/.test(apiPath) && env.result && typeof env.result === "object") env.result.datacenter = cfg.dataCenter;
    return { ...answer, text: JSON.stringify(env) };
  }
}
