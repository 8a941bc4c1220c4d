// The APM sessions of one emulated unit, or of one HA cluster (shared by its members, served by the ACTIVE one).

export interface LabSession {
  sessionId: string;
  user: string;
  clientIp: string;
}

export class SessionSet {
  private readonly byId = new Map<string, LabSession>();

  get size(): number {
    return this.byId.size;
  }

  has(sessionId: string): boolean {
    return this.byId.has(sessionId);
  }

  /** Adds a session; refuses an id already in use. */
  add(session: LabSession): void {
    if (this.byId.has(session.sessionId)) throw new Error(`session ${session.sessionId} already exists`);
    this.byId.set(session.sessionId, session);
  }

  delete(sessionId: string): boolean {
    return this.byId.delete(sessionId);
  }

  values(): IterableIterator<LabSession> {
    return this.byId.values();
  }

  /** Copies, in insertion order, so callers cannot alter the device's state. */
  snapshot(): LabSession[] {
    return Array.from(this.byId.values(), (session) => ({ ...session }));
  }
}
