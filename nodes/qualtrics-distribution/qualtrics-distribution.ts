// Survey distributions: create one by email or SMS (the default operation), list a survey's
// distributions, get one, send an email reminder or thank-you, generate individual links, list
// them, and read a distribution's history. Fields set in the dialog win over msg.payload, which
// may hold the Qualtrics body shape ({header, message, recipients, surveyLink, ...}) or flat fields.
import {
  DistributionInput,
  createEmailDistribution,
  createSmsDistribution,
  emailDistributionBody,
  fromPayload,
  mergeInputs,
  smsDistributionBody,
} from "../../src/distributions";
import { createFollowUp, followUpBody, generateLinks, generateLinksBody } from "../../src/distribution-followups";
import { distributionHistory, getDistribution, listDistributionLinks, listDistributions } from "../../src/distribution-reports";
import { QualtricsInputError } from "../../src/errors";
import { isPlainObject } from "../../src/safe-object";
import { oneOf } from "../../src/validate";
import { limitOf, sendList } from "../lib/list-output";
import { InputContext, setupQualtricsNode } from "../lib/qualtrics-node";
import { evaluateAll, sanitizeOrThrow, typed } from "../lib/typed-input";
import type { Msg, Node, NodeAPI, NodeDef, Typed } from "../lib/types";
import { dialogNumber } from "../lib/dialog-number";
import { distributionSpec } from "./spec";

export const OPERATIONS = distributionSpec.operations;
type Operation = (typeof OPERATIONS)[number];

export interface DistributionDef extends NodeDef {
  qualtrics: string;
  /** absent in flows made before there were operations: they create */
  operation?: Operation | "msg" | "";
  channel: "email" | "sms" | "msg";
  limit?: number | string;
  output?: "array" | "split";
  [prop: string]: unknown;
}

const COMMON = distributionSpec.create.common;
const EMAIL_ONLY = distributionSpec.create.email;
const SMS_ONLY = distributionSpec.create.sms;

/** the dialog fields each operation other than create reads */
const FIELDS: Record<Exclude<Operation, "create">, readonly string[]> = distributionSpec.fields;

const NEEDS_DISTRIBUTION = new Set<Operation>(distributionSpec.uses.distribution);

export default function (RED: NodeAPI): void {
  function QualtricsDistribution(this: Node, def: DistributionDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const emailFields: Record<string, Typed> = {};
    const smsFields: Record<string, Typed> = {};
    for (const p of COMMON) emailFields[p] = smsFields[p] = typed(def, p);
    for (const p of EMAIL_ONLY) emailFields[p] = typed(def, p, p === "embeddedData" ? "json" : "str");
    for (const p of SMS_ONLY) smsFields[p] = typed(def, p);
    const opFields = {} as Record<Exclude<Operation, "create">, Record<string, Typed>>;
    for (const [op, props] of Object.entries(FIELDS) as [Exclude<Operation, "create">, readonly string[]][]) {
      opFields[op] = {};
      for (const p of props) opFields[op][p] = typed(def, p);
    }
    const limit = dialogNumber(def.limit, 1000);
    const split = def.output === "split";

    setupQualtricsNode(RED, node, def, async (msg, ctx) => {
      const operation: Operation =
        def.operation === "msg" ? oneOf("msg.operation", msg.operation, OPERATIONS) : !def.operation ? "create" : def.operation;
      // a payload that is no object (an inject's timestamp) brings no fields: the dialog's are used,
      // and a field neither gives is reported missing by its label
      const payload = isPlainObject(msg.payload) ? sanitizeOrThrow("payload", msg.payload) : {};
      const fromMsg = fromPayload(payload);
      if (operation === "create") return create(msg, ctx, fromMsg);

      const input = mergeInputs(fromMsg, (await evaluateAll(RED, node, msg, opFields[operation])) as DistributionInput);
      // after a create, msg.payload is { id: "EMD_..." }: the next node can act on it as it is
      if (NEEDS_DISTRIBUTION.has(operation) && (input.distributionId === undefined || input.distributionId === "") && isPlainObject(payload)) {
        input.distributionId = payload.distributionId ?? payload.id;
      }
      const listed = () => ({ limit: limitOf(msg, limit), signal: ctx.signal });
      switch (operation) {
        case "list":
          return sendList(RED, msg, ctx, listDistributions(ctx.client, input, listed()), split);
        case "links":
          return sendList(RED, msg, ctx, listDistributionLinks(ctx.client, input.distributionId, input.surveyId, listed()), split);
        case "history":
          return sendList(RED, msg, ctx, distributionHistory(ctx.client, input.distributionId, listed()), split);
        case "get":
          return reply(msg, ctx, await getDistribution(ctx.client, input.distributionId, input.surveyId, ctx.signal));
        case "reminder":
        case "thankYou": {
          const body = followUpBody(input);
          return reply(msg, ctx, await createFollowUp(ctx.client, operation, input.distributionId, body, ctx.signal));
        }
        case "generateLinks":
          return reply(msg, ctx, await generateLinks(ctx.client, generateLinksBody(input), ctx.signal));
      }
    });

    function reply(msg: Msg, ctx: InputContext, res: { result: unknown; requestId?: string; statusCode: number; notice?: string }): void {
      msg.payload = res.result;
      ctx.record(msg, res);
      ctx.send(msg);
    }

    async function create(msg: Msg, ctx: InputContext, fromMsg: DistributionInput): Promise<void> {
      const channel = def.channel === "msg" || !def.channel ? oneOf("msg.channel", msg.channel, distributionSpec.channels) : def.channel;
      const dialog = (await evaluateAll(RED, node, msg, channel === "email" ? emailFields : smsFields)) as DistributionInput & { smsName?: unknown };
      if (dialog.smsName !== undefined) dialog.name = dialog.smsName;
      delete dialog.smsName;
      const input = mergeInputs(fromMsg, dialog);
      const res =
        channel === "email"
          ? await createEmailDistribution(ctx.client, emailDistributionBody(input), ctx.signal)
          : await createSmsDistribution(ctx.client, smsDistributionBody(input), ctx.config.timeoutMs, ctx.signal);
      reply(msg, ctx, res);
    }
  }

  RED.nodes.registerType("qualtrics-distribution", QualtricsDistribution as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
}
