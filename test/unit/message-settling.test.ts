// When a trigger's message counts as handled: once every node it was handed to has finished with
// it (Node-RED's preDeliver and onComplete hooks), or after the time limit. Driven here through a
// hook registry shaped like the runtime's; test/faults/journal-restart.test.ts shows it on a real
// Node-RED killed while the flow after the trigger is still working.
import assert from "node:assert/strict";
import { messageSettling } from "../../nodes/lib/message-settling";
import type { NodeAPI } from "../../nodes/lib/types";

type Handler = (event: Record<string, unknown>) => void;

class Hooks {
  readonly handlers = new Map<string, Handler>();
  add(id: string, fn: Handler): void {
    this.handlers.set(id.split(".")[0], fn);
  }
  remove(): void {}
  deliver(msgid: string, to: string): void {
    this.handlers.get("preDeliver")?.({ msg: { _msgid: msgid }, destination: { id: to } });
  }
  complete(msgid: string, at: string): void {
    this.handlers.get("onComplete")?.({ msg: { _msgid: msgid }, node: { id: at } });
  }
  /** the node's input handlers were called; `expects`: how many of them take done() (null: the runtime does not say) */
  received(msgid: string, at: string, expects: number | null): void {
    const node = expects === null ? {} : { _expectedDoneCount: expects };
    this.handlers.get("postReceive")?.({ msg: { _msgid: msgid }, destination: { id: at, node } });
  }
}

const tick = () => new Promise((r) => setImmediate(r));

function watch(p: Promise<void>): { settled: boolean } {
  const s = { settled: false };
  void p.then(() => (s.settled = true));
  return s;
}

describe("message settling", function () {
  let hooks: Hooks;
  let RED: NodeAPI;
  beforeEach(() => {
    hooks = new Hooks();
    RED = { hooks } as unknown as NodeAPI;
  });

  it("settles once every node the message reached is done, the nodes it was passed on to included", async () => {
    const s = watch(messageSettling(RED, 60_000).track("m1"));
    hooks.deliver("m1", "function"); // node.send of the trigger
    await tick();
    await tick();
    assert.equal(s.settled, false, "the function node has the message");
    hooks.deliver("m1", "http request"); // the function passes it on before its done()
    hooks.complete("m1", "function");
    await tick();
    await tick();
    assert.equal(s.settled, false, "the HTTP request is still running");
    hooks.deliver("m1", "debug");
    hooks.complete("m1", "http request");
    hooks.complete("m1", "debug");
    await tick();
    await tick();
    assert.equal(s.settled, true);
  });

  it("copies to several wires each count; a node done before it passes the message on in the same turn does not end it", async () => {
    const s = watch(messageSettling(RED, 60_000).track("m1"));
    hooks.deliver("m1", "a");
    hooks.deliver("m1", "b");
    hooks.complete("m1", "a");
    await tick();
    await tick();
    assert.equal(s.settled, false, "b has its copy");
    hooks.complete("m1", "b"); // done() first ...
    hooks.deliver("m1", "c"); // ... and send() right after
    await tick();
    await tick();
    assert.equal(s.settled, false, "c has it");
    hooks.complete("m1", "c");
    await tick();
    assert.equal(s.settled, true);
  });

  it("a message sent to no node settles at once; other messages and unknown nodes change nothing", async () => {
    const settling = messageSettling(RED, 60_000);
    const lone = watch(settling.track("m1"));
    const other = watch(settling.track("m2"));
    hooks.deliver("m2", "a");
    hooks.complete("m9", "a"); // another message
    hooks.complete("m2", "link in"); // a node it reached without a wire
    await tick();
    await tick();
    assert.equal(lone.settled, true);
    assert.equal(other.settled, false);
    hooks.complete("m2", "a");
    await tick();
    assert.equal(other.settled, true);
  });

  it("a node whose handler takes no done() is finished once its handler returned; one that takes it, only at done()", async () => {
    const s = watch(messageSettling(RED, 60_000).track("m1"));
    hooks.deliver("m1", "old-style");
    hooks.deliver("m1", "modern");
    hooks.received("m1", "modern", 1);
    await tick();
    await tick();
    assert.equal(s.settled, false);
    hooks.deliver("m1", "next"); // the old-style node passes it on from its handler
    hooks.received("m1", "old-style", 0);
    hooks.complete("m1", "modern");
    await tick();
    await tick();
    assert.equal(s.settled, false, "next has it");
    hooks.received("m1", "next", null); // a runtime without the count: assumed done at return
    await tick();
    await tick();
    assert.equal(s.settled, true);
  });

  it("a node that keeps the message or never calls done: settled after the time limit", async () => {
    const s = watch(messageSettling(RED, 80).track("m1"));
    hooks.deliver("m1", "join");
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.settled, false);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(s.settled, true);
    // once settled it is forgotten: a late done() is ignored
    hooks.complete("m1", "join");
  });

  it("without the runtime's hooks (the test helper) a message settles once it is sent", async () => {
    const s = watch(messageSettling({} as NodeAPI, 60_000).track("m1"));
    await tick();
    await tick();
    assert.equal(s.settled, true);
  });
});
