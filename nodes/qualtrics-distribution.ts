// Survey distributions by email or SMS. Fields set in the dialog win over msg.payload, which may
// hold the Qualtrics body shape ({header, message, recipients, surveyLink, ...}) or flat fields.
import {
  DistributionInput,
  createEmailDistribution,
  createSmsDistribution,
  emailDistributionBody,
  fromPayload,
  mergeInputs,
  smsDistributionBody,
} from "../src/distributions";
import { QualtricsInputError } from "../src/errors";
import { oneOf } from "../src/validate";
import { setupQualtricsNode } from "./lib/qualtrics-node";
import { evaluateAll, sanitizeOrThrow, typed } from "./lib/typed-input";
import type { Node, NodeAPI, NodeDef, Typed } from "./lib/types";

export interface DistributionDef extends NodeDef {
  qualtrics: string;
  channel: "email" | "sms" | "msg";
  [prop: string]: unknown;
}

const COMMON = ["surveyId", "sendDate", "libraryId", "messageId", "messageText", "mailingListId", "contactId", "transactionBatchId"] as const;
const EMAIL_ONLY = ["fromEmail", "fromName", "replyToEmail", "subject", "expirationDate", "linkType", "embeddedData"] as const;
const SMS_ONLY = ["method", "smsName", "parentDistributionId", "sampleId"] as const;

export default function (RED: NodeAPI): void {
  function QualtricsDistribution(this: Node, def: DistributionDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const emailFields: Record<string, Typed> = {};
    const smsFields: Record<string, Typed> = {};
    for (const p of COMMON) emailFields[p] = smsFields[p] = typed(def, p);
    for (const p of EMAIL_ONLY) emailFields[p] = typed(def, p, p === "embeddedData" ? "json" : "str");
    for (const p of SMS_ONLY) smsFields[p] = typed(def, p);

    setupQualtricsNode(RED, node, def, async (msg, ctx) => {
      const channel = def.channel === "msg" || !def.channel ? oneOf("msg.channel", msg.channel, ["email", "sms"] as const) : def.channel;
      if (msg.payload !== undefined && msg.payload !== null && typeof msg.payload !== "object") {
        throw new QualtricsInputError("payload", "must be an object with distribution fields (or empty)");
      }
      const fromMsg = fromPayload(sanitizeOrThrow("payload", msg.payload));
      const dialog = (await evaluateAll(RED, node, msg, channel === "email" ? emailFields : smsFields)) as DistributionInput & { smsName?: unknown };
      if (dialog.smsName !== undefined) dialog.name = dialog.smsName;
      delete dialog.smsName;
      const input = mergeInputs(fromMsg, dialog);

      const res =
        channel === "email"
          ? await createEmailDistribution(ctx.client, emailDistributionBody(input), ctx.signal)
          : await createSmsDistribution(ctx.client, smsDistributionBody(input), ctx.config.timeoutMs, ctx.signal);
      msg.payload = res.result;
      ctx.record(msg, res);
      ctx.send(msg);
    });
  }

  RED.nodes.registerType("qualtrics-distribution", QualtricsDistribution as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
}
