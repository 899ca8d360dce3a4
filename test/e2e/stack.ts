// What every end-to-end suite runs on: a sandbox, a collector for what the flows send, and a real
// Node-RED pointed at the sandbox. Started in before() (`ready` then deploys), ended in after(),
// and a failed test prints the Node-RED log.
import { startSandbox, type Sandbox, type SandboxOptions } from "../../sandbox";
import { standIn } from "../support/fixtures";
import { freePort, startNodeRed, type NodeRed, type StartOptions } from "../support/runtime";
import { startCollector, type Collector } from "./capture";

export interface Stack {
  sb: Sandbox;
  col: Collector;
  nr: NodeRed;
}

export interface StackOptions {
  sandbox?: SandboxOptions;
  /** Node-RED's options; QUALTRICS_BASE_URL (the sandbox) is in env already */
  nodeRed?: (sb: Sandbox, port: number) => StartOptions;
  /** after the start, e.g. the deploy */
  ready?: (s: Stack) => Promise<void>;
}

export function useStack(o: StackOptions = {}): Stack {
  let sb: Sandbox | undefined;
  let col: Collector | undefined;
  let nr: NodeRed | undefined;
  const stack: Stack = { sb: standIn(() => sb), col: standIn(() => col), nr: standIn(() => nr) };

  before(async function () {
    sb = await startSandbox(o.sandbox);
    col = await startCollector();
    const port = await freePort();
    const opts = o.nodeRed?.(sb, port) ?? {};
    nr = await startNodeRed({ port, ...opts, env: { QUALTRICS_BASE_URL: sb.apiBase, ...opts.env } });
    await o.ready?.(stack);
  });

  after(async function () {
    await nr?.dispose();
    await col?.close();
    await sb?.close();
  });

  afterEach(function () {
    if (this.currentTest?.state === "failed") console.log(`--- Node-RED log ---\n${nr?.log}`);
  });
  return stack;
}
