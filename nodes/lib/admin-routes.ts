// Editor endpoints of the config node, on RED.httpAdmin. Anything that uses a stored secret needs
// qualtrics-config.write; secrets arrive only in POST bodies and are never returned or logged.
import type { Request, Response } from "express";
import { QualtricsClient } from "../../src/client";
import { errorText } from "../../src/errors";
import { whoami } from "../../src/users";
import type { NodeAPI } from "./types";

const PLACEHOLDER = "__PWRD__";
// the test helper makes a new admin app for every flow it loads
const registered = new WeakSet<object>();

interface DialogValues {
  dataCenter?: unknown;
  baseUrl?: unknown;
  apiToken?: unknown;
}

/** A short-lived client from the dialog's values, falling back to the stored token. */
export function clientFromDialog(RED: NodeAPI, id: string, body: DialogValues): QualtricsClient {
  const typed = typeof body.apiToken === "string" && body.apiToken !== "" && body.apiToken !== PLACEHOLDER ? body.apiToken : undefined;
  const stored = (RED.nodes.getCredentials(id) as { apiToken?: string } | undefined)?.apiToken;
  const token = typed ?? stored;
  if (!token) throw new Error(RED._("node-red-contrib-qualtrics/qualtrics-config:qualtrics-config.test.noToken"));
  return new QualtricsClient({
    dataCenter: typeof body.dataCenter === "string" ? body.dataCenter : undefined,
    baseUrl: typeof body.baseUrl === "string" ? body.baseUrl : undefined,
    auth: () => ({ "X-API-TOKEN": token }),
    timeoutMs: 15_000,
    retry: { retries: 1 },
  });
}

export function registerAdminRoutes(RED: NodeAPI): void {
  if (!RED.httpAdmin || registered.has(RED.httpAdmin)) return;
  registered.add(RED.httpAdmin);

  RED.httpAdmin.post("/qualtrics-config/:id/test", RED.auth.needsPermission("qualtrics-config.write"), (req: Request, res: Response) => {
    void (async () => {
      let client: QualtricsClient | undefined;
      try {
        client = clientFromDialog(RED, String(req.params.id), (req.body ?? {}) as DialogValues);
        const report = await whoami(client);
        res.json({
          ok: true,
          user: {
            userName: report.user.userName,
            firstName: report.user.firstName,
            lastName: report.user.lastName,
            brandId: report.user.brandId,
            datacenter: report.user.datacenter,
          },
          notice: report.notice,
          otherDataCenter: report.otherDataCenter,
        });
      } catch (err) {
        res.json({ ok: false, message: errorText(err) });
      } finally {
        await client?.close(0);
      }
    })();
  });
}
