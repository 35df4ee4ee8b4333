/** The interpreter for Python-side checks: Debian's, where `npm test` installs python3-* packages. */
export const TEST_PYTHON = process.env.RERAM_TEST_PYTHON ?? '/usr/bin/python3';
