/**
 * Profile JSON codec. Import validates everything and names the bad field; export is
 * canonical (schema key order, two-space indent, trailing newline), so an exported file
 * re-imports and re-exports byte for byte.
 */
import { ReramError } from '../errors';
import { formatZodIssues } from '../zod-format';
import { DeviceProfile, MAX_PROFILE_BYTES, PROFILE_SCHEMA_VERSION, type DeviceProfileInput } from './schema';

export class ProfileFormatError extends ReramError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('PROFILE', message, details);
    this.name = 'ProfileFormatError';
  }
}

export function parseProfileJson(text: string, sourceName = 'profile'): DeviceProfile {
  if (text.length > MAX_PROFILE_BYTES)
    throw new ProfileFormatError(
      `${sourceName} is ${text.length} bytes; profiles are at most ${MAX_PROFILE_BYTES} bytes (is it really a profile?).`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message;
    const truncated = /Unexpected end|Unterminated|end of JSON/i.test(reason);
    throw new ProfileFormatError(
      `${sourceName} is not valid JSON${truncated ? ' (the file looks truncated)' : ''}: ${reason}`,
    );
  }
  return validateProfile(raw, sourceName);
}

export function validateProfile(raw: unknown, sourceName = 'profile'): DeviceProfile {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ProfileFormatError(`${sourceName} must be a JSON object with a schemaVersion.`);
  }
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw new ProfileFormatError(`${sourceName}: schemaVersion is missing or not an integer.`);
  }
  if (version > PROFILE_SCHEMA_VERSION) {
    throw new ProfileFormatError(
      `${sourceName} uses schemaVersion ${version}, written by a newer ReRAM Bench; this version reads up to ${PROFILE_SCHEMA_VERSION}. Update ReRAM Bench to import it.`,
    );
  }
  if (version < 1)
    throw new ProfileFormatError(`${sourceName}: schemaVersion ${version} is not a valid version.`);
  const parsed = DeviceProfile.safeParse(raw);
  if (!parsed.success)
    throw new ProfileFormatError(
      `${sourceName} is not a valid device profile: ${formatZodIssues(parsed.error)}`,
    );
  return parsed.data;
}

export function serializeProfile(profile: DeviceProfile | DeviceProfileInput): string {
  // Re-parse: fills defaults and emits keys in schema order, whatever order the caller built them in.
  const canonical = DeviceProfile.parse(profile);
  return `${JSON.stringify(canonical, null, 2)}\n`;
}
