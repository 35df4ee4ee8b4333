export interface SystemPrerequisite {
  /** Debian package that provides it. */
  pkg: string;
  /** What is checked, in words (named in the report when it fails). */
  check: string;
  ok(): boolean;
  why: string;
}
export const SYSTEM_PREREQUISITES: SystemPrerequisite[];
export function missingPrerequisites(): SystemPrerequisite[];
export function onPath(name: string, path?: string): boolean;
export function testPython(): string;
