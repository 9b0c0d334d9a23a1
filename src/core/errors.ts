// The one base class of errors a person can fix (a flag, a pack, an interpreter, a folder): their message says what
// is wrong and what to do. The CLI turns any of them into exit 2 with that message; anything else is a bug.

export class FixableError extends Error {}
