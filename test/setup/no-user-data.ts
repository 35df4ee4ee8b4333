// Every test, and every process a test starts, is kept out of the user's data folder: opening the
// default database throws, so a test that forgets its temporary database fails instead of
// reading or writing the developer's real measurements.
process.env.RERAM_FORBID_USER_DATA = '1';
