import { describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/shared/api-client';
import type { ApiBridge, ApiHandlers } from '../../src/shared/api';
import { ReramError } from '../../src/shared/errors';
import { createDispatcher } from '../../src/main/api/dispatcher';
import { EventHub } from '../../src/main/services/events';
import { createServices } from '../../src/main/api/services';
import { tempDbPath } from '../helpers/temp';

describe('API dispatcher', () => {
  const { handlers } = createServices({ mode: 'browser', events: new EventHub(), dbPath: tempDbPath() });
  const dispatch = createDispatcher(handlers);

  it('rejects unknown methods without calling anything', async () => {
    const result = await dispatch('system.rmrf', {});
    expect(result).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: "Unknown API method 'system.rmrf'" },
    });
    expect(await dispatch('__proto__', {})).toMatchObject({ ok: false });
  });

  it('rejects payloads that fail the zod schema and names the field', async () => {
    const result = await dispatch('system.info', { extra: 1 });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('INVALID_INPUT');
      expect(result.error.message).toContain('system.info');
    }
  });

  it('returns the handler result through the typed client, and errors keep their code', async () => {
    const failing: ApiHandlers = {
      ...handlers,
      'system.info': async () => {
        throw new ReramError('NOT_FOUND', 'nothing here');
      },
    };
    const bridgeFor = (d: ReturnType<typeof createDispatcher>): ApiBridge => ({
      invoke: d,
      subscribe: () => () => {},
    });
    const ok = createApiClient(bridgeFor(dispatch));
    const info = await ok.call['system.info']({});
    expect(info.mode).toBe('browser');
    expect(info.appVersion).toMatch(/^\d+\.\d+\.\d+/);
    const bad = createApiClient(bridgeFor(createDispatcher(failing)));
    await expect(bad.call['system.info']({})).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'nothing here',
    });
  });
});
