// Issues under the names a surface uses: validators name fields as on the wire (`key_type`, `path`);
// the Pulumi and CDKTF surfaces report them under their own input names (`keyType`, `mount`).

import type { Issue } from './errors.js';

/** `issues` with each field renamed by `names` (fields not in it keep their name). */
export const renameIssueFields = (issues: readonly Issue[], names: Readonly<Record<string, string>>): Issue[] =>
  issues.map((i) => ({ field: Object.hasOwn(names, i.field) ? names[i.field]! : i.field, message: i.message }));
