// Survey one person now (issue 16): find or create the contact, put it on the mailing list, record
// a transaction with the event's data, batch it and send the email or SMS invitation to the batch;
// once per invitation, and not again within the person's quiet period. The steps are in
// nodes/lib/invite-steps.ts, the records that make it "never twice" in nodes/lib/invitations.ts.
import { randomBytes } from "node:crypto";
import { ContactFields, UPSERT_KEYS, UpsertKey, contactFields, upsertKeyOf } from "../../src/contacts";
import { DistributionInput, EmailDistributionBody, SmsDistributionBody, emailDistributionBody, flatInputOf, smsDistributionBody } from "../../src/distributions";
import { QualtricsInputError } from "../../src/errors";
import { isPlainObject } from "../../src/safe-object";
import { oneOf, optionalDate, optionalEmbeddedData, requireId, optionalId, typeName } from "../../src/validate";
import { dialogNumber } from "../lib/dialog-number";
import { Invitations, digest } from "../lib/invitations";
import { InvitePlan, runInvitation } from "../lib/invite-steps";
import { KeyedQueue } from "../lib/keyed-queue";
import { setupQualtricsNode } from "../lib/qualtrics-node";
import { evaluate, evaluateAll, sanitizeOrThrow, typed } from "../lib/typed-input";
import type { Msg, Node, NodeAPI, NodeDef, Typed } from "../lib/types";
import { inviteSpec } from "./spec";

const CHANNELS = inviteSpec.channels;
const IDS = ["directoryId", "mailingListId", "surveyId"] as const;
const MESSAGE = ["libraryId", "messageId", "messageText", "fromEmail", "fromName", "replyToEmail", "subject", "expirationDate", "sendDate"] as const;
const PERSON = ["firstName", "lastName", "email", "phone", "extRef", "language", "embeddedData"] as const;

/**
 * The distribution builders name fields by their place in the Qualtrics body (header.fromEmail);
 * this node takes no body-shaped payload, so its errors name the dialog's field (fromEmail).
 * "message" alone (neither a library message nor a text) is the text the dialog offers.
 */
const dialogFieldOf = (field: string): string | undefined => (field === "message" ? "messageText" : flatInputOf(field));

/** this process's mark on the invitations it is sending; a claim with it and no run behind it is left from before a redeploy */
const PROCESS = randomBytes(8).toString("hex");
/** one delivery of an invitation at a time in this process: a repeat waits, then finds it sent */
const running = new KeyedQueue();

export interface InviteDef extends NodeDef {
  qualtrics: string;
  channel?: string;
  matchKey?: string;
  linkType?: string;
  quietDays?: number | string;
  [prop: string]: unknown;
}

export default function (RED: NodeAPI): void {
  function QualtricsInvite(this: Node, def: InviteDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const fields: Record<string, Typed> = {};
    for (const p of [...IDS, ...MESSAGE]) fields[p] = typed(def, p);
    const transaction = def.transaction === undefined ? { value: "payload.transaction", type: "msg" } : typed(def, "transaction", "msg");
    const quietDays = dialogNumber(def.quietDays, 0, { min: 0, max: 3650 });
    const t = (key: string, vars?: Record<string, string>) => RED._(`qualtrics-invite.${key}`, vars);

    setupQualtricsNode(RED, node, def, async (msg, ctx) => {
      const plan = await planOf(msg);
      const invitations = new Invitations(ctx.config, ctx.client.base.origin, plan.directoryId, quietDays);
      return running.run(`${plan.directoryId}\n${plan.key}`, async () => {
        // a repeat of a sent invitation answers with its result, before anything else (even the quiet period)
        const before = await invitations.get(plan.key);
        if (before?.done && before.result) return reply(msg, { ...before.result, skipped: "duplicate" });
        if (!(await claim(invitations, plan.key))) throw new Error(t("error.busy"));
        try {
          const rec = (await invitations.get(plan.key)) ?? {};
          const out = await runInvitation(plan, rec, { client: ctx.client, config: ctx.config, signal: ctx.signal, invitations, t });
          if (out.last) ctx.record(msg, out.last);
          else ctx.record(msg, { statusCode: 200 });
          if (out.skipped === "quiet") {
            const none = { contactId: out.contactId, mailingListId: plan.mailingListId ?? null, transactionId: null, transactionBatchId: null, distributionId: null };
            return reply(msg, { ...none, channel: plan.channel, skipped: "quiet" });
          }
          return reply(msg, { ...out.result, mailingListId: out.result.mailingListId ?? null });
        } finally {
          await invitations.releaseRun(plan.key).catch(() => undefined);
        }
      });

      function reply(m: Msg, payload: Record<string, unknown>): void {
        m.payload = payload;
        if (payload.skipped === "duplicate") ctx.record(m, { statusCode: 200 });
        ctx.send(m);
      }
    });

    /** another Node-RED may be sending it; a claim of this process with no run behind it is a leftover */
    async function claim(invitations: Invitations, key: string): Promise<boolean> {
      if (await invitations.claimRun(key, PROCESS)) return true;
      const held = await invitations.heldBy(key);
      if (held !== PROCESS) return false;
      await invitations.releaseRun(key);
      return invitations.claimRun(key, PROCESS);
    }

    /** everything the invitation needs, checked before any request */
    async function planOf(msg: Msg): Promise<InvitePlan> {
      if (msg.payload !== undefined && msg.payload !== null && !isPlainObject(msg.payload)) {
        throw new QualtricsInputError("payload", `must be an object with the person's fields, got ${typeName(msg.payload)}`);
      }
      const payload = (sanitizeOrThrow("payload", msg.payload ?? {}) ?? {}) as Record<string, unknown>;
      const dialog = await evaluateAll(RED, node, msg, fields);
      const value = (p: string) => dialog[p] ?? payload[p];
      const channel = oneOf("channel", def.channel || "email", CHANNELS);
      const matchKey: UpsertKey = oneOf("matchKey", def.matchKey || "email", inviteSpec.matchKeys);

      const directoryId = requireId("directoryId", value("directoryId"), inviteSpec.ids.directoryId);
      const surveyId = requireId("surveyId", value("surveyId"), inviteSpec.ids.surveyId);
      const mailingListId = optionalId("mailingListId", value("mailingListId"), inviteSpec.ids.mailingListId);

      const personIn: Record<string, unknown> = {};
      for (const p of PERSON) if (payload[p] !== undefined) personIn[p] = payload[p];
      const person: ContactFields = contactFields(personIn);
      const keyValue = person[matchKey];
      if (!keyValue) throw new QualtricsInputError(`payload.${matchKey}`, t("error.noKey", { key: matchKey }));

      const data = optionalEmbeddedData("transaction", await evaluate(RED, node, msg, "transaction", transaction));
      if (!data || Object.keys(data).length === 0) throw new QualtricsInputError("transaction", t("error.noTransaction"));
      const transactionDate = optionalDate("transactionDate", payload.transactionDate);

      const distribution = inDialogFields(() => distributionBody(channel, { ...pick(payload, [...MESSAGE, "linkType"]), ...pick(dialog, MESSAGE), surveyId, mailingListId }));
      // the invitation: the survey, the person as matched, and the event's ID (msg.payload.transaction.id by default), else this very message
      const event = data.id !== undefined && data.id !== "" ? `t:${data.id}` : `m:${String(msg._msgid)}`;
      const key = digest(surveyId, matchKey, upsertKeyOf(matchKey, keyValue), event);
      return { key, directoryId, surveyId, mailingListId, matchKey, person, transaction: data, transactionDate, channel, distribution };
    }

    function distributionBody(channel: "email" | "sms", input: DistributionInput): EmailDistributionBody | SmsDistributionBody {
      // the batch is not made yet: a stand-in lets the builders check everything else now
      const batch = { transactionBatchId: "BT_stand0in" };
      if (channel === "email") {
        return emailDistributionBody({ ...input, mailingListId: undefined, ...batch, linkType: def.linkType || input.linkType });
      }
      return smsDistributionBody({ ...input, ...batch, method: "Invite" });
    }
  }

  function pick(from: Record<string, unknown>, props: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const p of props) if (from[p] !== undefined && from[p] !== "") out[p] = from[p];
    return out;
  }

  /** a builder's error, naming the field as this dialog does */
  function inDialogFields<T>(build: () => T): T {
    try {
      return build();
    } catch (err) {
      if (!(err instanceof QualtricsInputError)) throw err;
      const field = dialogFieldOf(err.field);
      throw field ? new QualtricsInputError(field, err.message.slice(err.field.length + 2)) : err;
    }
  }

  RED.nodes.registerType("qualtrics-invite", QualtricsInvite as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
}
