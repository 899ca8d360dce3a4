// Surveys: list them, read one (metadata, full definition, questions), and make responses
// readable: the question map { QID1: "question text" } and responses relabelled with question
// texts as keys. The last two use the survey's definition, kept for a few minutes per account.
import { QualtricsInputError } from "../../src/errors";
import { isPlainObject } from "../../src/safe-object";
import { CatalogAnswer, questionCatalog } from "../../src/survey-cache";
import { choiceMap, labelResponse, questionMap, responseValues } from "../../src/survey-questions";
import { getSurvey, getSurveyDefinition, listSurveyQuestions, listSurveys } from "../../src/surveys";
import { oneOf, optionalBoolean } from "../../src/validate";
import { limitOf, sendList } from "../lib/list-output";
import { InputContext, record, setupQualtricsNode } from "../lib/qualtrics-node";
import { evaluate, sanitizeOrThrow, typed } from "../lib/typed-input";
import type { Msg, Node, NodeAPI, NodeDef } from "../lib/types";
import { dialogNumber } from "../lib/dialog-number";
import { surveySpec } from "./spec";

export const OPERATIONS = surveySpec.operations;
type Operation = (typeof OPERATIONS)[number];

export interface SurveyDef extends NodeDef {
  qualtrics: string;
  operation: Operation | "msg";
  limit?: number | string;
  output?: "array" | "split";
  /** label: where the relabelled response goes */
  labelTarget?: "labelled" | "payload";
  [prop: string]: unknown;
}

export default function (RED: NodeAPI): void {
  function QualtricsSurvey(this: Node, def: SurveyDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const survey = typed(def, "surveyId");
    const limit = dialogNumber(def.limit, 1000);
    const split = def.output === "split";
    const toPayload = def.labelTarget === "payload";

    setupQualtricsNode(RED, node, def, async (msg, ctx) => {
      const operation: Operation = def.operation === "msg" || !def.operation ? oneOf("msg.operation", msg.operation, OPERATIONS) : def.operation;
      if (operation === "list") return sendList(RED, msg, ctx, listSurveys(ctx.client, { limit: limitOf(msg, limit), signal: ctx.signal }), split);

      const payload = sanitizeOrThrow("payload", msg.payload);
      const surveyId = (await evaluate(RED, node, msg, "surveyId", survey)) ?? surveyIdFrom(msg, payload);
      switch (operation) {
        case "get":
          return reply(msg, ctx, await getSurvey(ctx.client, surveyId, ctx.signal));
        case "definition":
          return reply(msg, ctx, await getSurveyDefinition(ctx.client, surveyId, ctx.signal));
        case "questions":
          return sendList(RED, msg, ctx, listSurveyQuestions(ctx.client, surveyId, ctx.signal), split);
        case "questionMap": {
          const answer = await catalog(msg, ctx, surveyId);
          msg.payload = questionMap(answer.catalog);
          msg.choices = choiceMap(answer.catalog);
          recordCatalog(msg, answer);
          ctx.send(msg);
          return { count: answer.catalog.questions.length };
        }
        case "label":
          return label(msg, ctx, surveyId, payload);
      }
    });

    function reply(msg: Msg, ctx: InputContext, res: { result: unknown; requestId?: string; statusCode: number; notice?: string }): void {
      msg.payload = res.result;
      ctx.record(msg, res);
      ctx.send(msg);
    }

    async function catalog(msg: Msg, ctx: InputContext, surveyId: unknown): Promise<CatalogAnswer> {
      const refresh = optionalBoolean("refresh", msg.refresh) ?? false;
      return questionCatalog(ctx.client, surveyId, { refresh, signal: ctx.signal });
    }

    function recordCatalog(msg: Msg, answer: CatalogAnswer): void {
      record(msg, { requestId: answer.requestId, statusCode: 200, notice: answer.notice });
      (msg.qualtrics as Record<string, unknown>).cached = answer.cached;
    }

    async function label(msg: Msg, ctx: InputContext, surveyId: unknown, payload: unknown) {
      const many = Array.isArray(payload);
      const responses = many ? (payload as unknown[]) : [payload];
      // checked before the definition is fetched: a thin webhook event has no answers to label
      responses.forEach((r, i) => {
        if (!responseValues(r)) {
          throw new QualtricsInputError(
            many ? `payload[${i}]` : "payload",
            "is not a survey response: an object with values (as qualtrics-response-in sends with \"fetch the full response\", or a response export)",
          );
        }
      });
      const answer = await catalog(msg, ctx, surveyId);
      const labelled = responses.map((r) => labelResponse(answer.catalog, r)!);
      if (toPayload) msg.payload = many ? labelled : labelled[0];
      else msg.labelled = many ? labelled : labelled[0];
      recordCatalog(msg, answer);
      ctx.send(msg);
      return { count: responses.length };
    }
  }

  /** the survey of a response: its own surveyId, the response triggers' msg.event, the export's msg.export, or msg.surveyId */
  function surveyIdFrom(msg: Msg, payload: unknown): unknown {
    if (isPlainObject(payload) && typeof payload.surveyId === "string") return payload.surveyId;
    for (const from of [msg.event, msg.export]) if (isPlainObject(from) && typeof from.surveyId === "string") return from.surveyId;
    return msg.surveyId;
  }

  RED.nodes.registerType("qualtrics-survey", QualtricsSurvey as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
}
