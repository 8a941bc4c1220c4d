// Kill tasks as BIG-IQ shows them (docs/compat/bigiq.md §7.6–7.8), plus curfew's per-device outcomes as
// `deviceResults`. The SPS-side /api/kill-tasks shows the same body, with `progress`.
import type { Device, KillTask, TaskTarget } from '../core/model.js';
import { bigiqTime, machineIdLink } from './bigiq/links.js';

export const TASK_KIND = 'cm:access:tasks:kill-sessions:accesskillsessionstaskitemstate';
export const TASK_COLLECTION_KIND = 'cm:access:tasks:kill-sessions:accesskillsessionstaskcollectionstate';
export const TASKS_PATH = '/mgmt/cm/access/tasks/kill-sessions';
export const TASK_NAME = 'kill-access-sessions';

export const taskSelfLink = (id: string): string => `https://localhost${TASKS_PATH}/${id}`;
const userLink = (name: string) => ({ link: `https://localhost/mgmt/shared/authz/users/${encodeURIComponent(name)}` });

/** The fields BIG-IQ echoes back from the request, rebuilt from the stored selector. */
function requestEcho(task: KillTask): Record<string, unknown> {
  const { selector } = task;
  const echo: Record<string, unknown> = { action: selector.action };
  if (selector.userName !== undefined) echo.userName = selector.userName;
  if (selector.action === 'KILL_BY_LIST_OF_SESSIONS') {
    echo.sessions = selector.sessions.map((s) => ({
      deviceReference: { link: machineIdLink(s.deviceId) },
      sessionIds: s.sessionIds,
    }));
    echo.deviceReferences = [...new Set(selector.sessions.map((s) => s.deviceId))].map((id) => ({
      link: machineIdLink(id),
    }));
  } else {
    echo.deviceReferences = selector.deviceIds.map((id) => ({ link: machineIdLink(id) }));
  }
  if (selector.accessGroupNames.length > 0) echo.accessGroupNames = selector.accessGroupNames;
  if (selector.clusterNames.length > 0) echo.clusterNames = selector.clusterNames;
  // curfew's extension: the selector's `all` is what `"fleet": true` asked for (docs/decisions/0007).
  if (selector.all) echo.fleet = true;
  return echo;
}

export interface RenderContext {
  ownerMachineId: string;
  devices: ReadonlyMap<string, Device>;
}

export function renderTask(
  task: KillTask,
  targets: readonly TaskTarget[],
  context: RenderContext,
): Record<string, unknown> {
  const hostOf = (deviceId: string) => context.devices.get(deviceId)?.hostname ?? deviceId;
  const failed = targets.filter((t) => t.status === 'failed');
  return {
    ...requestEcho(task),
    // curfew's extension: who asked for the kill, an operator or a curfew's enforcement (which curfew).
    origin: task.selector.curfewId === undefined ? 'operator' : 'curfew',
    ...(task.selector.curfewId !== undefined && { curfewId: task.selector.curfewId }),
    id: task.id,
    name: TASK_NAME,
    kind: TASK_KIND,
    selfLink: taskSelfLink(task.id),
    generation: task.generation,
    lastUpdateMicros: task.updatedMicros,
    status: task.status,
    currentStep: task.step,
    result: task.result,
    ...(task.errorMessage !== null && { errorMessage: task.errorMessage }),
    startDateTime: bigiqTime(task.startedAt ?? task.createdAt),
    ...(task.endedAt !== null && { endDateTime: bigiqTime(task.endedAt) }),
    ...(failed.length > 0 && {
      resultDetails: failed.map((t) => ({
        host: hostOf(t.deviceId),
        failedIds: t.failed,
        deviceReference: { link: machineIdLink(t.deviceId) },
        // curfew's extension: why the device was not verified (BIG-IQ gives only the ids).
        ...(t.errorMessage !== null && { reason: t.errorMessage }),
      })),
    }),
    username: task.requestedBy,
    userReference: userLink(task.requestedBy),
    identityReferences: [userLink(task.requestedBy)],
    ownerMachineId: context.ownerMachineId,
    deviceResults: targets.map((t) => ({
      deviceReference: { link: machineIdLink(t.deviceId) },
      host: hostOf(t.deviceId),
      status: t.status,
      killedIds: t.killed,
      notFoundIds: t.notFound,
      failedIds: t.failed,
      ...(t.errorCode !== null && { errorCode: t.errorCode }),
      ...(t.errorMessage !== null && { errorMessage: t.errorMessage }),
      attempts: t.attempts,
    })),
  };
}

/** Devices by state, and sessions by outcome, over a task's targets. */
export function progressOf(targets: readonly TaskTarget[]) {
  const devices = (status: TaskTarget['status']) => targets.filter((t) => t.status === status).length;
  const sum = (pick: (t: TaskTarget) => readonly string[]) => targets.reduce((n, t) => n + pick(t).length, 0);
  return {
    devices: targets.length,
    pending: devices('pending'),
    done: devices('done'),
    failed: devices('failed'),
    canceled: devices('canceled'),
    killed: sum((t) => t.killed),
    not_found: sum((t) => t.notFound),
    failed_sessions: sum((t) => t.failed),
  };
}
