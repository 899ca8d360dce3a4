// The scaffolding the node suites share (node-red-node-test-helper): a tab with the config node
// "cfg" and the node under test "n" wired to a helper node "out"; load it, send "n" a message, take
// what reaches "out" or the error "n" refuses it with. And the hooks around every test: flows
// unloaded, settings back to the defaults, every done() recorded.
import assert from "node:assert/strict";
import { configNode } from "./config-node";
import { credentials as tokenCredentials, helper, http, nextError, nextMessage, sequenceNodes, spyDone, type DoneRecord, type FlowNode } from "./nr-helper";

type Msg = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type NodeModule = (RED: any) => unknown;

export interface DoneLog {
  /** every done() node `id` called in this test */
  of(id: string): DoneRecord[];
}

/**
 * Hooks for a node suite: every done() recorded (see spyDone); after each test the flows are
 * unloaded and the settings are the defaults again. `settings` are set before each test.
 */
export function useNodeRuntime(settings?: Record<string, unknown>): DoneLog {
  let spy: ReturnType<typeof spyDone> | undefined;
  beforeEach(() => {
    spy = spyDone();
    if (settings) helper.settings(settings as never);
  });
  afterEach(async () => {
    await helper.unload();
    spy?.restore();
    helper.settings({});
  });
  return { of: (id) => spy?.of(id) ?? [] };
}

/** our node modules (as the tests load them) by node type */
const MODULES: Record<string, NodeModule> = {
  "qualtrics-contact": http.nodes.contact,
  "qualtrics-distribution": http.nodes.distribution,
  "qualtrics-api": http.nodes.api,
  "qualtrics-response-in": http.nodes.responseIn,
  "qualtrics-response": http.nodes.response,
  "qualtrics-mailing-list": http.nodes.mailingList,
  "qualtrics-survey": http.nodes.survey,
  "qualtrics-export": http.nodes.export,
  "qualtrics-response-poll": http.nodes.responsePoll,
  "qualtrics-invite": http.nodes.invite,
};

export interface NodeUnderTestOptions {
  /** the node's type; its module is loaded with the config node's */
  type: string;
  /** where the config node points (read at load time) */
  apiBase: () => string;
  /** properties of "n" in every flow (a function: read at load time); a test's own win */
  defaults?: Msg | (() => Msg);
  /** changes to the config node */
  config?: Msg;
  /** default: the test token for "cfg" */
  credentials?: () => Record<string, Record<string, string>>;
  /** load the core split/join nodes too */
  sequence?: boolean;
  /** for refused(): the requests made so far, which must stay none */
  requests?: () => unknown[];
  /** for refused(): the done() log, which must grow by exactly one */
  done?: DoneLog;
}

export interface NodeUnderTest {
  flow(props?: Msg, extra?: FlowNode[]): FlowNode[];
  load(props?: Msg, extra?: FlowNode[]): Promise<void>;
  /** sends msg to "n", resolves with the next message at "out" */
  run(msg: Msg): Promise<Msg>;
  /** sends msg to "n", resolves with the message of the error it reports, having made no request */
  refused(msg: Msg): Promise<string>;
}

export function nodeUnderTest(o: NodeUnderTestOptions): NodeUnderTest {
  const flow = (props: Msg = {}, extra: FlowNode[] = []): FlowNode[] => [
    { id: "tab", type: "tab" },
    configNode(o.apiBase(), o.config),
    { id: "n", z: "tab", type: o.type, qualtrics: "cfg", ...(typeof o.defaults === "function" ? o.defaults() : o.defaults), wires: [["out"]], ...props },
    { id: "out", z: "tab", type: "helper" },
    ...extra,
  ];
  return {
    flow,
    load: (props, extra) => helper.load([http.nodes.config, MODULES[o.type], ...(o.sequence ? [sequenceNodes()] : [])], flow(props, extra), o.credentials ? o.credentials() : tokenCredentials),
    async run(msg) {
      const got = nextMessage("out");
      helper.getNode("n").receive(msg);
      return got;
    },
    async refused(msg) {
      const before = o.done?.of("n").length ?? 0;
      const err = nextError("n");
      helper.getNode("n").receive(msg);
      const e = await err;
      if (o.requests) assert.equal(o.requests().length, 0, "no request may be made");
      if (o.done) assert.equal(o.done.of("n").length, before + 1, "exactly one done");
      return e.message;
    },
  };
}

/** credentials for "cfg": the sandbox's own token */
export function sandboxToken(sb: { token: string }): () => Record<string, Record<string, string>> {
  return () => ({ cfg: { apiToken: sb.token } });
}

/** Fails every test after which a promise was left to reject unhandled (that would end Node-RED). */
export function noUnhandledRejections(): void {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  before(() => process.on("unhandledRejection", onUnhandled));
  after(() => process.off("unhandledRejection", onUnhandled));
  afterEach(() => assert.deepEqual(unhandled.splice(0), [], "no unhandled promise rejection"));
}
