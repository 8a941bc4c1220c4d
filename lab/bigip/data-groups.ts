// The internal data groups of one emulated BIG-IP (`/mgmt/tm/ltm/data-group/internal`), and the access policy that
// refuses the users named in one of them (docs/compat/bigip-device.md, "Internal data groups").

export interface DataGroupRecord {
  name: string;
  /** Absent when the record has no data; BIG-IP then omits the key. */
  data?: string;
}

export interface DataGroup {
  name: string;
  partition: string;
  /** The lab only keeps `string` groups, the kind a user-name list is. */
  type: 'string';
  records: DataGroupRecord[];
  generation: number;
}

/** Partition and object names as tmsh accepts them (no `/` or `~`, which separate them in paths and URLs). */
const NAME_PATTERN = '[A-Za-z0-9_][A-Za-z0-9_.-]*';
export const OBJECT_NAME = new RegExp(`^${NAME_PATTERN}$`);
/** A full path `/<partition>/<name>`. */
export const FULL_PATH = new RegExp(`^/${NAME_PATTERN}/${NAME_PATTERN}$`);

export const DEFAULT_POLICY_DATA_GROUP = '/Common/curfew_denied_users';

/** What the emulated access policy does at logon: with `installed`, a user named in `dataGroup` is refused. */
export interface PolicySetting {
  installed: boolean;
  /** Full path, `/<partition>/<name>`. */
  dataGroup: string;
}

export function fullPath(partition: string, name: string): string {
  return `/${partition}/${name}`;
}

export class DataGroupStore {
  private readonly byPath = new Map<string, DataGroup>();
  /** BIG-IP counts configuration changes; each write stamps the object with the next value. */
  private generation = 0;

  get(path: string): DataGroup | undefined {
    return this.byPath.get(path);
  }

  all(): DataGroup[] {
    return [...this.byPath.values()];
  }

  /** Creates a group; null when the path is taken. */
  create(group: Omit<DataGroup, 'generation'>): DataGroup | null {
    const path = fullPath(group.partition, group.name);
    if (this.byPath.has(path)) return null;
    const created = { ...group, records: [...group.records], generation: this.nextGeneration() };
    this.byPath.set(path, created);
    return created;
  }

  /** Replaces the whole record list, as a PATCH or PUT of `records` does. */
  replaceRecords(path: string, records: readonly DataGroupRecord[]): DataGroup | undefined {
    const group = this.byPath.get(path);
    if (!group) return undefined;
    group.records = [...records];
    group.generation = this.nextGeneration();
    return group;
  }

  delete(path: string): boolean {
    return this.byPath.delete(path);
  }

  /** True when the group exists and has a record named exactly `name` (names are case-sensitive). */
  hasRecord(path: string, name: string): boolean {
    return this.byPath.get(path)?.records.some((record) => record.name === name) ?? false;
  }

  private nextGeneration(): number {
    this.generation += 1;
    return this.generation;
  }
}
