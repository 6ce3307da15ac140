// Construct validation from the core validators: issues become `node.addValidation` messages, so a
// bad prop fails `cdktf synth` with a clear line naming the construct and the field.

import type { Construct } from 'constructs';
import type { Issue } from '../core/errors.js';

/** Run `issues` when the app synthesizes and report each as `<field>: <message>`. */
export function validateWith(scope: Construct, issues: () => readonly Issue[]): void {
  scope.node.addValidation({ validate: () => issues().map((i) => `${i.field}: ${i.message}`) });
}
