/**
 * Process-wide safety: every instrument in use registers here, and SIGINT, SIGTERM, an uncaught
 * exception or an unhandled rejection switch all their outputs off before the process exits.
 */
type SafeAction = () => Promise<void>;

const active = new Map<number, { label: string; safe: SafeAction }>();
let nextId = 1;
let installed = false;
let shuttingDown = false;

export function registerInstrument(label: string, safe: SafeAction): () => void {
  const id = nextId++;
  active.set(id, { label, safe });
  return () => active.delete(id);
}

export function activeInstruments(): number {
  return active.size;
}

/** Switches every registered instrument's output off, each within `timeoutMs`. */
export async function safeAll(timeoutMs = 3000, log: (m: string) => void = () => {}): Promise<void> {
  await Promise.all(
    [...active.values()].map(async ({ label, safe }) => {
      try {
        await Promise.race([
          safe(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), timeoutMs)),
        ]);
        log(`${label}: output off`);
      } catch (error) {
        log(
          `${label}: could not confirm output off (${(error as Error).message}); switch it off at the instrument`,
        );
      }
    }),
  );
}

export interface ProcessSafetyOptions {
  log?: (message: string) => void;
  /** Extra cleanup after the outputs are off (close the database…). */
  beforeExit?: () => Promise<void> | void;
  /** false when the caller handles SIGINT/SIGTERM itself (e.g. to cancel a run gracefully). */
  handleSignals?: boolean;
}

export function installProcessSafety(options: ProcessSafetyOptions = {}): void {
  if (installed) return;
  installed = true;
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const shutdown = async (reason: string, code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${reason}: leaving instruments safe`);
    await safeAll(3000, log);
    try {
      await options.beforeExit?.();
    } finally {
      process.exit(code);
    }
  };
  if (options.handleSignals !== false) {
    process.on('SIGINT', () => void shutdown('SIGINT', 130));
    process.on('SIGTERM', () => void shutdown('SIGTERM', 143));
  }
  process.on(
    'uncaughtException',
    (error) => void shutdown(`uncaught exception: ${error.stack ?? error.message}`, 1),
  );
  process.on('unhandledRejection', (reason) => void shutdown(`unhandled rejection: ${String(reason)}`, 1));
}
