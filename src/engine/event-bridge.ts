// Engine events to every node: on PostgreSQL, the local task/targets/sync events are published with NOTIFY and the
// NOTIFYs of other nodes are re-emitted into the local EngineEvents (so every node's SSE clients see everything). A
// payload carries ids (or a small sync record) and receivers load the rest from the store; a node ignores its own.
// On SQLite (one node) the bridge does nothing.
import type { KillTask } from '../core/model.js';
import {
  NOTIFY_PAYLOAD_MAX,
  type NotifyChannel,
  type OpenNotifyChannel,
  type Store,
  type TargetOutcome,
} from '../store/store.js';
import type { EngineEventMap, EngineEvents } from './events.js';
import { errorFields, type Logger, silentLogger } from './log.js';

const CHANNEL = 'curfew_events';

type Message =
  | { n: string; e: 'task'; id: string }
  | { n: string; e: 'targets'; taskId: string; deviceIds: string[] }
  | { n: string; e: 'sync'; sync: EngineEventMap['sync'][0] };

export interface EventBridge {
  stop(): Promise<void>;
}

const NO_BRIDGE: EventBridge = { stop: async () => undefined };

/**
 * Bridges `events` through the database's notification channel (`openChannel`, given when the store is PostgreSQL);
 * a no-op without one.
 */
export async function startEventBridge(
  store: Pick<Store, 'findTaskById' | 'listTargets'>,
  events: EngineEvents,
  nodeId: string,
  openChannel: OpenNotifyChannel | undefined,
  log: Logger = silentLogger,
): Promise<EventBridge> {
  if (openChannel === undefined) return NO_BRIDGE;
  /** Event objects that came from other nodes: emitted locally, never published again. */
  const remote = new WeakSet<object>();
  let stopped = false;
  const deliver = async (message: Message) => {
    if (message.n === nodeId) return;
    if (message.e === 'task') {
      const task = await store.findTaskById(message.id);
      if (task && !stopped) emitRemote('task', task);
    } else if (message.e === 'targets') {
      const wanted = new Set(message.deviceIds);
      const outcomes: TargetOutcome[] = (await store.listTargets(message.taskId))
        .filter((t) => wanted.has(t.deviceId))
        .map(({ sessionIds: _s, updatedAt: _u, ...outcome }) => outcome);
      if (outcomes.length > 0 && !stopped) emitRemote('targets', outcomes);
    } else if (message.e === 'sync') {
      emitRemote('sync', { ...message.sync });
    }
  };
  const emitRemote = <K extends keyof EngineEventMap>(name: K, value: EngineEventMap[K][0]) => {
    remote.add(value as object);
    (events.emit as (n: K, v: EngineEventMap[K][0]) => boolean)(name, value);
  };
  const channel: NotifyChannel = await openChannel(CHANNEL, (payload) => {
    let message: Message;
    try {
      message = JSON.parse(payload) as Message;
    } catch {
      // Not one of ours (another writer on the channel): nothing to forward, nothing lost.
      return;
    }
    // Another node's event this node could not read: its own clients miss one live update, the store has the truth.
    void deliver(message).catch((err: unknown) => log.warn(errorFields(err), 'delivering a remote event failed'));
  });
  const publish = (message: Message) => {
    if (stopped) return;
    void channel
      .notify(JSON.stringify(message))
      .catch((err: unknown) => log.warn(errorFields(err), 'publishing an event to other nodes failed'));
  };
  const onTask = (task: KillTask) => {
    if (!remote.has(task)) publish({ n: nodeId, e: 'task', id: task.id });
  };
  const onTargets = (outcomes: readonly TargetOutcome[]) => {
    if (remote.has(outcomes)) return;
    const byTask = new Map<string, string[]>();
    for (const o of outcomes) byTask.set(o.taskId, [...(byTask.get(o.taskId) ?? []), o.deviceId]);
    for (const [taskId, deviceIds] of byTask) for (const chunk of chunks(nodeId, taskId, deviceIds)) publish(chunk);
  };
  const onSync = (sync: EngineEventMap['sync'][0]) => {
    if (!remote.has(sync)) publish({ n: nodeId, e: 'sync', sync });
  };
  events.on('task', onTask);
  events.on('targets', onTargets);
  events.on('sync', onSync);
  return {
    async stop() {
      stopped = true;
      events.off('task', onTask);
      events.off('targets', onTargets);
      events.off('sync', onSync);
      await channel.close();
    },
  };
}

/** Splits a task's device ids into messages whose JSON stays under the NOTIFY payload limit. */
function chunks(nodeId: string, taskId: string, deviceIds: string[]): Message[] {
  const messages: Message[] = [];
  const base = JSON.stringify({ n: nodeId, e: 'targets', taskId, deviceIds: [] }).length;
  let current: string[] = [];
  let size = base;
  for (const id of deviceIds) {
    const more = JSON.stringify(id).length + 1;
    if (current.length > 0 && size + more > NOTIFY_PAYLOAD_MAX) {
      messages.push({ n: nodeId, e: 'targets', taskId, deviceIds: current });
      current = [];
      size = base;
    }
    current.push(id);
    size += more;
  }
  if (current.length > 0) messages.push({ n: nodeId, e: 'targets', taskId, deviceIds: current });
  return messages;
}
