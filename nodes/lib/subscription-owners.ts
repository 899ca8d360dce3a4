// Which event subscriptions belong to triggers that still exist. Every trigger that registers a
// subscription names its deployment (a digest of its public base URL), flow, configuration node and
// itself in the publication URL's last path segment (src/publication-url.ts; older versions named
// the Node-RED instance, or put it in the query, which is still read). The configuration node is
// the registry of the triggers that use it (registerTrigger/deregisterTrigger, as core MQTT's
// broker node registers its clients); each running trigger also announces itself in the
// coordination's presence `triggers:<config id>`, so with replicas a trigger running on another
// replica counts as live. When the flows have started, each configuration node deletes, under the
// lease `subscriptions:<config id>`, the subscriptions it made for triggers that are no longer
// running: ones removed while Node-RED was down, or moved to another configuration. Triggers
// removed by a deploy delete their own subscription when they close.
//
// Only configuration nodes that have made subscriptions look: they are listed, with their
// deployments, in <userDir>/qualtrics-subscriptions.json, so a configuration used only for contacts
// or surveys never asks Qualtrics for its event subscriptions.
import { errorText } from "../../src/errors";
import { isPlainObject } from "../../src/safe-object";
import { removeOrphans } from "../../src/subscriptions";
import type { Held } from "./coordination/types";
import { readJsonObject, updateJsonObject, userDirPath } from "./durable-file";
import type { Node, NodeAPI, QualtricsConfigNode, TriggerInfo } from "./types";

/** configuration node ids already swept in this process: once at start is enough */
const swept = new Set<string>();

/** the triggers a configuration node's registry holds; its presence tells the other replicas */
export class TriggerRegistry {
  private readonly triggers = new Map<string, TriggerInfo>();

  constructor(private readonly config: QualtricsConfigNode) {}

  register(node: Node, info: TriggerInfo): void {
    this.triggers.set(node.id, info);
    try {
      this.config.coordination().presence(presenceName(this.config.id)).announce(node.id);
    } catch {
      // a coordination that cannot start is reported by the trigger itself
    }
  }

  deregister(node: Node): void {
    if (!this.triggers.delete(node.id)) return;
    void Promise.resolve()
      .then(() => this.config.coordination().presence(presenceName(this.config.id)).withdraw(node.id))
      .catch(() => undefined);
  }

  all(): ReadonlyMap<string, TriggerInfo> {
    return this.triggers;
  }
}

const presenceName = (configId: string) => `triggers:${configId}`;
export const subscriptionsLease = (configId: string) => `subscriptions:${configId}`;

/**
 * Runs `work` under the configuration's subscriptions lease, waiting while another holder (another
 * trigger of this configuration, or another replica registering the same trigger) has it.
 */
export async function underSubscriptionsLease<T>(config: QualtricsConfigNode, work: (held: Held) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const lease = config.coordination().lease(subscriptionsLease(config.id));
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    const r = await lease.run(work);
    if (r.ran) return r.value;
    signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, wait));
    signal?.throwIfAborted();
  }
}

function registryFile(RED: NodeAPI): string | undefined {
  return userDirPath(RED, "qualtrics-subscriptions.json");
}

/** the deployments a configuration made subscriptions for (older versions wrote a date only) */
function deploymentsIn(value: unknown): string[] {
  return isPlainObject(value) && Array.isArray(value.deployments) ? value.deployments.filter((d): d is string => typeof d === "string") : [];
}

/** notes that `configId` has made a subscription of ours for `deployment`, so its next start looks for orphans */
export async function rememberSubscriber(RED: NodeAPI, configId: string, deployment: string): Promise<void> {
  const file = registryFile(RED);
  if (!file || deploymentsIn((await readJsonObject(file))[configId]).includes(deployment)) return;
  await updateJsonObject(file, (all) => {
    const deployments = [...new Set([...deploymentsIn(all[configId]), deployment])];
    all[configId] = { since: new Date().toISOString(), deployments };
  });
}

async function forgetSubscriber(RED: NodeAPI, configId: string): Promise<void> {
  const file = registryFile(RED);
  if (file && (await readJsonObject(file))[configId]) await updateJsonObject(file, (all) => delete all[configId]);
}

/**
 * This Node-RED's instance ID (kept by the runtime in .config.runtime.json), or undefined where
 * there is none (the test helper): it names the subscriptions older versions made.
 */
export function instanceIdOf(RED: NodeAPI): string | undefined {
  try {
    const id = (RED.settings as unknown as { get(k: string): unknown }).get("instanceId");
    return typeof id === "string" && id ? id : undefined;
  } catch {
    return undefined;
  }
}

type Events = { on(e: string, f: () => void): void; removeListener(e: string, f: () => void): void };

/**
 * Once the flows have started (every trigger of them has registered with its configuration),
 * deletes the orphans of this configuration node. Returns what undoes the wait when the node closes first.
 */
export function sweepWhenStarted(RED: NodeAPI, config: QualtricsConfigNode): () => void {
  const events = (RED as unknown as { events?: Events }).events;
  if (!events || swept.has(config.id)) return () => undefined;
  const abort = new AbortController();
  const onStarted = () => {
    events.removeListener("flows:started", onStarted);
    if (swept.has(config.id)) return;
    swept.add(config.id);
    void (async () => {
      const remembered = (await readJsonObject(registryFile(RED)))[config.id];
      const deployments = new Set(deploymentsIn(remembered));
      for (const info of config.triggers().values()) if (info.deployment) deployments.add(info.deployment);
      const instance = instanceIdOf(RED);
      if (!deployments.size && !(remembered && instance)) return;
      await sweep(RED, config, { config: config.id, deployments: [...deployments], instance }, abort.signal);
    })().catch((err) => config.debug(errorText(err)));
  };
  events.on("flows:started", onStarted);
  return () => {
    events.removeListener("flows:started", onStarted);
    abort.abort(new Error("closed"));
  };
}

async function sweep(RED: NodeAPI, config: QualtricsConfigNode, scope: Parameters<typeof removeOrphans>[1], signal: AbortSignal): Promise<void> {
  let client;
  try {
    client = config.client();
  } catch {
    return; // no token: the configuration is reported where it is used
  }
  try {
    // one replica at a time; a trigger running on any replica is live
    const removed = await underSubscriptionsLease(
      config,
      async () => {
        const live = await config.coordination().presence(presenceName(config.id)).members();
        return removeOrphans(client, scope, (o) => config.triggers().has(o.node) || live.has(o.node), signal);
      },
      signal,
    );
    if (removed.length) config.log(RED._("qualtrics-config.log.orphansRemoved", { ids: removed.join(", ") }));
    // nothing of ours is left for this configuration: its next start need not look
    if (![...config.triggers().values()].some((t) => t.deployment)) await forgetSubscriber(RED, config.id);
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
