// Which event subscriptions belong to triggers that still exist. Every trigger that registers a
// subscription names itself, its configuration node and this Node-RED instance in the publication
// URL's last path segment (src/publication-url.ts; older versions put it in the query, which is
// still read); when the flows have started, each configuration node
// deletes the subscriptions it made for triggers that are no longer running: ones removed while
// Node-RED was down, or moved to another configuration. Triggers removed by a deploy delete their
// own subscription when they close.
//
// Only configuration nodes that have made subscriptions look: they are listed in
// <userDir>/qualtrics-subscriptions.json, so a configuration used only for contacts or surveys
// never asks Qualtrics for its event subscriptions.
import { errorText } from "../../src/errors";
import { removeOrphans, type SubscriptionOwner } from "../../src/subscriptions";
import { readJsonObject, updateJsonObject, userDirPath } from "./durable-file";
import type { NodeAPI, QualtricsConfigNode } from "./types";

/** running triggers that register a subscription: node id → configuration node id */
const running = new Map<string, string>();
/** configuration node ids already swept in this process: once at start is enough */
const swept = new Set<string>();

export function claimSubscription(nodeId: string, configId: string): void {
  running.set(nodeId, configId);
}

export function releaseSubscription(nodeId: string): void {
  running.delete(nodeId);
}

function registryFile(RED: NodeAPI): string | undefined {
  return userDirPath(RED, "qualtrics-subscriptions.json");
}

/** notes that `configId` has made a subscription of ours, so its next start looks for orphans */
export async function rememberSubscriber(RED: NodeAPI, configId: string): Promise<void> {
  const file = registryFile(RED);
  if (!file || (await readJsonObject(file))[configId]) return;
  await updateJsonObject(file, (all) => (all[configId] = new Date().toISOString()));
}

async function forgetSubscriber(RED: NodeAPI, configId: string): Promise<void> {
  const file = registryFile(RED);
  if (file && (await readJsonObject(file))[configId]) await updateJsonObject(file, (all) => delete all[configId]);
}

const claimedBy = (configId: string) => [...running.values()].includes(configId);

/**
 * This Node-RED's instance ID (kept by the runtime in .config.runtime.json), or undefined where
 * there is none (the test helper): then subscriptions carry no owner and nothing is swept.
 */
export function instanceIdOf(RED: NodeAPI): string | undefined {
  try {
    const id = (RED.settings as unknown as { get(k: string): unknown }).get("instanceId");
    return typeof id === "string" && id ? id : undefined;
  } catch {
    return undefined;
  }
}

export function ownerFor(RED: NodeAPI, configId: string, nodeId: string): SubscriptionOwner | undefined {
  const instance = instanceIdOf(RED);
  return instance ? { instance, config: configId, node: nodeId } : undefined;
}

type Events = { on(e: string, f: () => void): void; removeListener(e: string, f: () => void): void };

/**
 * Once the flows have started (every trigger of them has claimed its subscription), deletes the
 * orphans of this configuration node. Returns what undoes the wait when the node closes first.
 */
export function sweepWhenStarted(RED: NodeAPI, config: QualtricsConfigNode): () => void {
  const events = (RED as unknown as { events?: Events }).events;
  const instance = instanceIdOf(RED);
  if (!events || !instance || swept.has(config.id)) return () => undefined;
  const abort = new AbortController();
  const onStarted = () => {
    events.removeListener("flows:started", onStarted);
    if (swept.has(config.id)) return;
    swept.add(config.id);
    void (async () => {
      if (!claimedBy(config.id) && !(await readJsonObject(registryFile(RED)))[config.id]) return;
      await sweep(RED, config, instance, abort.signal);
    })().catch((err) => config.debug(errorText(err)));
  };
  events.on("flows:started", onStarted);
  return () => {
    events.removeListener("flows:started", onStarted);
    abort.abort(new Error("closed"));
  };
}

async function sweep(RED: NodeAPI, config: QualtricsConfigNode, instance: string, signal: AbortSignal): Promise<void> {
  let client;
  try {
    client = config.client();
  } catch {
    return; // no token: the configuration is reported where it is used
  }
  try {
    const removed = await removeOrphans(client, { instance, config: config.id }, (o) => running.get(o.node) === config.id, signal);
    if (removed.length) config.log(RED._("qualtrics-config.log.orphansRemoved", { ids: removed.join(", ") }));
    // nothing of ours is left for this configuration: its next start need not look
    if (!claimedBy(config.id)) await forgetSubscriber(RED, config.id);
  } catch (err) {
    if (signal.aborted) {
      swept.delete(config.id); // the next instance of this configuration node tries again
      return;
    }
    const status = (err as { statusCode?: number }).statusCode;
    // an account that may not list subscriptions (not a brand administrator) has none of ours
    if (status === 401 || status === 403) return config.debug(errorText(err));
    config.warn(RED._("qualtrics-config.warn.orphans", { error: errorText(err) }));
  }
}
