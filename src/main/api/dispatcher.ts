import { apiMethods, isApiMethod, type ApiHandlers, type ApiResult } from '../../shared/api';
import { serializeError } from '../../shared/errors';
import { formatZodIssues } from '../../shared/zod-format';

export type Dispatch = (method: unknown, payload: unknown) => Promise<ApiResult>;

/**
 * The single entry point for API calls from any renderer. The method name and every payload are
 * validated with the contract's zod schemas before a handler runs; errors return as data.
 */
export function createDispatcher(handlers: ApiHandlers): Dispatch {
  return async (method, payload) => {
    if (!isApiMethod(method)) {
      return {
        ok: false,
        error: { code: 'INVALID_INPUT', message: `Unknown API method '${String(method)}'` },
      };
    }
    const spec = apiMethods[method];
    const parsed = spec.input.safeParse(payload ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'INVALID_INPUT',
          message: `Invalid request for ${method}: ${formatZodIssues(parsed.error)}`,
        },
      };
    }
    try {
      const handler = handlers[method] as (input: unknown) => Promise<unknown>;
      const value = spec.output.parse(await handler(parsed.data));
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  };
}
