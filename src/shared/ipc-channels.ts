/** Electron IPC channel names, kept apart from api.ts so the preload bundle stays tiny (no zod). */
export const IPC_INVOKE_CHANNEL = 'reram:invoke';
export const IPC_EVENT_CHANNEL = 'reram:event';
